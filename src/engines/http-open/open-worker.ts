// One open-loop HTTP load thread (load.workers >= 2), started by the
// open-loop HTTP engine through threads/thread-pool.ts. The step loop
// (pacing, stop flag, in-flight cap, window slices) is the shared paced
// thread (threads/paced-thread.ts); this thread owns its undici connection
// pool and sends the HTTP request.
import { parentPort, workerData } from 'node:worker_threads';
import type { Dispatcher } from 'undici';
import { createHttpDispatcher } from '../http-dispatcher.js';
import { servePacedThread } from '../threads/paced-thread.js';
import { CheckedTap, ResponseTap } from './http-open-engine.js';
import { CheckSampler } from '../response-check.js';
import type { OpenWorkerInit } from './open-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('open-worker.ts runs only as a worker thread');
const init = workerData as OpenWorkerInit;

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

servePacedThread(port, init, (recorder, now) => {
  const current = pool;
  const check = init.check;
  const sampler = check ? new CheckSampler(check.every) : undefined;
  return {
    send: (i, intendedAt, done) =>
      current.dispatch(
        requestFor(i),
        sampler !== undefined && check !== undefined && sampler.next()
          ? new CheckedTap(intendedAt, recorder, now, isOk, done, check)
          : new ResponseTap(intendedAt, recorder, now, isOk, done),
      ),
    end: retire,
  };
});
