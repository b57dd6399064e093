// A paced load thread's step loop, thread side, for every transport (HTTP,
// gRPC): the thread lives for the whole run and owns its connections; for
// each step it sends its part of the schedule (threadPacer: request i of a
// uniform schedule when i mod N is this thread, a seeded thinning of a
// Poisson stream), each request timed from its intended send time on the run
// clock shared by all threads, and records the outcomes into window slices
// (window-slices.ts) that the main thread merges (paced-step.ts). The
// transport only says how to send request i and report its outcome.
//
// Stop: the step's shared stop flag is read before every send, so no request
// leaves once the main thread set it, whatever this thread is busy with; a
// 'stop' message also wakes a thread that sleeps until its next send.
import type { MessagePort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { runPacing } from '../pacing.js';
import { threadPacer } from '../../load/rate-schedule.js';
import { InFlightTracker } from '../in-flight-tracker.js';
import { SliceRecorder } from './window-slices.js';
import type { ConnectionsDiagnostic } from '../../types.js';
import { SHARED, SHARED_INTS, type FromPacedThread, type PacedRun, type PacedThreadInit, type ToPacedThread } from './paced-protocol.js';

/** One step's sending, as the transport does it. */
export interface PacedSender {
  /**
   * Sends request i, intended at intendedAt (run clock); its outcome goes to the step's recorder (with `req`,
   * when the sender picks), then `done` is called exactly once. i: the GLOBAL sequence number of the step's
   * schedule; with `pick`, the run's send number (below).
   */
  send(i: number, intendedAt: number, done: () => void, req: number): void;
  /**
   * A request mix: the index of the request send number i carries (src/requests/source.ts). Each send then
   * takes the run's next send number from a counter all threads share, so the numbers the threads send are
   * 0, 1, 2, ... over the run, each once, exactly as one thread numbers them (see docs/traffic.md).
   */
  pick?(i: number): number;
  /** The step is over (drained or given up): e.g. retire the step's connections. */
  end?(): void;
  /** The connections the thread opened so far in the run (reported with each step's end). */
  connections?(): ConnectionsDiagnostic;
}

/** The transport's side of a paced load thread: a sender per step, over the step's recorder and run clock. */
export type PacedTransport = (recorder: SliceRecorder, now: () => number) => PacedSender;

/** Serves the engine's step commands on `port` with `transport`, then posts ready. */
export function servePacedThread(port: MessagePort, init: PacedThreadInit, transport: PacedTransport): void {
  const post = (m: FromPacedThread) => port.postMessage(m);
  let stopCurrent: (() => void) | null = null;

  async function run(msg: PacedRun): Promise<void> {
    const ints = new Int32Array(msg.shared, 0, SHARED_INTS);
    const origin = msg.originAbs;
    const now = () => performance.timeOrigin + performance.now() - origin;
    const recorder = new SliceRecorder(init.thread, msg.grid, (slice) => post({ type: 'slice', slice }), init.requestCount);
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
    const sender = transport(recorder, now);
    const pick = sender.pick?.bind(sender);
    const { seqBase } = msg;
    const send = pick
      ? (intendedAt: number) => {
          if (Atomics.load(ints, SHARED.stop) !== 0) return ac.abort();
          // The run's next send number, whichever thread sends it (a refused send takes its number too, as on one thread).
          const i = seqBase + Atomics.add(ints, SHARED.seq, 1);
          const req = pick(i);
          const sentAt = now();
          recorder.scheduled(sentAt);
          const inFlight = Atomics.add(ints, SHARED.inFlight, 1) + 1;
          if (inFlight > init.maxInFlight) {
            Atomics.sub(ints, SHARED.inFlight, 1);
            recorder.capHit(sentAt, req);
            return;
          }
          recorder.sent(sentAt - intendedAt, sentAt, inFlight, req);
          lastSentAt = sentAt;
          pending.add();
          sender.send(i, intendedAt, done, req);
        }
      : sendOne;
    function sendOne(intendedAt: number): void {
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
      sender.send(pacer.index, intendedAt, done, 0);
    }
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
      sender.end?.();
      const live = recorder.takeLiveness();
      if (live) post({ type: 'live', live });
      recorder.finish(now());
      const connections = sender.connections?.();
      post(connections ? { type: 'done', connections } : { type: 'done' });
    }
  }

  port.on('message', (msg: ToPacedThread) => {
    if (msg.cmd === 'run') void run(msg);
    else if (msg.cmd === 'stop') stopCurrent?.();
  });
  post({ type: 'ready' });
}
