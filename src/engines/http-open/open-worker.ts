// One open-loop load thread (load.workers >= 2), started by the open-loop
// HTTP engine through threads/thread-pool.ts. It lives for the whole run and
// owns its undici connection pool; for each step it sends its part of the
// schedule (threadPacer: request i of a uniform schedule when i mod N is this
// thread, a seeded thinning of a Poisson stream), each request timed from its
// intended send time on the run clock shared by all threads, and records the
// outcomes into window slices (threads/window-slices.ts) that the main
// thread merges.
//
// Stop: the step's shared stop flag is read before every send, so no request
// leaves once the main thread set it, whatever this thread is busy with; a
// 'stop' message also wakes a thread that sleeps until its next send.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { createHttpDispatcher } from '../http-dispatcher.js';
import { runPacing } from '../pacing.js';
import { threadPacer } from '../../load/rate-schedule.js';
import { InFlightTracker } from '../in-flight-tracker.js';
import { SliceRecorder } from '../threads/window-slices.js';
import { CheckedTap, ResponseTap } from './http-open-engine.js';
import { CheckSampler } from '../response-check.js';
import { SHARED, SHARED_INTS, type FromOpenWorker, type OpenRun, type OpenWorkerInit, type ToOpenWorker } from './open-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('open-worker.ts runs only as a worker thread');
const init = workerData as OpenWorkerInit;
const post = (m: FromOpenWorker) => port.postMessage(m);

// The same dispatcher the single-thread engine builds (http-dispatcher.ts), one per thread.
const newPool = () =>
  createHttpDispatcher({
    origin: init.origin,
    connections: init.maxInFlight,
    timeoutMs: init.timeoutMs,
    version: init.version,
    streams: init.streams,
    tls: init.tls,
  });

let pool = newPool();
let stopCurrent: (() => void) | null = null;
const isOk = (status: number) => (init.okStatus ? init.okStatus.includes(status) : status < 400);

/**
 * The request with global sequence number i. One request today; the seam
 * where a request mix (src/requests/, built here from plain config) picks
 * request i as a pure function of (seed, i).
 */
const options: Dispatcher.DispatchOptions = {
  origin: init.origin,
  method: init.method as Dispatcher.HttpMethod,
  path: init.path,
  headers: init.headers,
  body: init.body ?? undefined,
};
const requestFor = (_i: number): Dispatcher.DispatchOptions => options;

async function run(msg: OpenRun): Promise<void> {
  const ints = new Int32Array(msg.shared, 0, SHARED_INTS);
  const origin = msg.originAbs;
  const now = () => performance.timeOrigin + performance.now() - origin;
  const recorder = new SliceRecorder(init.thread, msg.grid, (slice) => post({ type: 'slice', slice }));
  const ac = new AbortController();
  stopCurrent = () => ac.abort();
  const pending = new InFlightTracker();
  const done = () => {
    Atomics.sub(ints, SHARED.inFlight, 1);
    pending.done();
  };
  const tick = setInterval(() => {
    recorder.flushDue(now());
    const live = recorder.takeLiveness();
    if (live) post({ type: 'live', live });
  }, init.tickMs);
  const pacer = threadPacer(msg.arrival, msg.rate, msg.seed, init.thread, init.threads, msg.maxRequests);
  let lastSentAt: number | null = null;
  const current = pool;
  const check = init.check;
  const sampler = check ? new CheckSampler(check.every) : undefined;
  const send = (intendedAt: number) => {
    if (Atomics.load(ints, SHARED.stop) !== 0) return ac.abort();
    const sentAt = now();
    recorder.scheduled(sentAt);
    const inFlight = Atomics.add(ints, SHARED.inFlight, 1) + 1;
    if (inFlight > init.maxInFlight) {
      Atomics.sub(ints, SHARED.inFlight, 1);
      recorder.capHit(sentAt);
      return;
    }
    recorder.sent(sentAt - intendedAt, sentAt, inFlight);
    lastSentAt = sentAt;
    pending.add();
    current.dispatch(
      requestFor(pacer.index),
      sampler !== undefined && check !== undefined && sampler.next()
        ? new CheckedTap(intendedAt, recorder, now, isOk, done, check)
        : new ResponseTap(intendedAt, recorder, now, isOk, done),
    );
  };
  try {
    await runPacing({
      pacer,
      startAt: msg.grid.stepStart,
      durationMs: msg.durationMs,
      now,
      signal: ac.signal,
      send,
      maxRequests: Infinity,
      mode: init.pacing,
    });
    post({ type: 'sending-stopped', at: now(), lastSentAt });
    await pending.drain(init.drainTimeoutMs);
  } finally {
    clearInterval(tick);
    stopCurrent = null;
    retire();
    const live = recorder.takeLiveness();
    if (live) post({ type: 'live', live });
    recorder.finish(now());
    post({ type: 'done' });
  }
}

/** A fresh pool per step, the old one closed (destroyed after the drain timeout): as the single-thread engine does. */
function retire(): void {
  const old = pool;
  pool = newPool();
  const kill = setTimeout(() => void old.destroy().catch(() => undefined), init.drainTimeoutMs);
  kill.unref();
  void old
    .close()
    .catch(() => undefined)
    .finally(() => clearTimeout(kill));
}

port.on('message', (msg: ToOpenWorker) => {
  if (msg.cmd === 'run') void run(msg);
  else if (msg.cmd === 'stop') stopCurrent?.();
});
post({ type: 'ready' });
