// One open-loop HTTP load thread (load.workers >= 2), started by the
// open-loop HTTP engine through threads/thread-pool.ts. The step loop
// (pacing, stop flag, in-flight cap, window slices) is the shared paced
// thread (threads/paced-thread.ts); this thread owns its undici connection
// pool and sends the HTTP request, or, with a request mix / templated
// requests, rebuilds the request source from plain config and sends the
// request each send number picks, filled for that number.
import { parentPort, workerData } from 'node:worker_threads';
import type { Dispatcher } from 'undici';
import { ConnectionCounter, createHttpDispatcher } from '../http-dispatcher.js';
import { HttpRequestSource } from '../../requests/source.js';
import { servePacedThread } from '../threads/paced-thread.js';
import { CheckedTap, ResponseTap } from './http-open-engine.js';
import { CheckSampler } from '../response-check.js';
import type { OpenWorkerInit } from './open-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('open-worker.ts runs only as a worker thread');
const init = workerData as OpenWorkerInit;

// The connections this thread opens over the run (the engine sums the threads' reports).
const counter = new ConnectionCounter(init.version ?? '1.1');
// The same dispatcher the single-thread engine builds (http-dispatcher.ts), one per thread.
const newPool = () =>
  createHttpDispatcher(
    {
      origin: init.origin,
      connections: init.maxInFlight,
      timeoutMs: init.timeoutMs,
      version: init.version,
      streams: init.streams,
      tls: init.tls,
    },
    counter,
  );

let pool = newPool();
const source = init.source ? new HttpRequestSource(init.source) : null;
const isOk = source
  ? (status: number, req: number) => source.isOk(req, status)
  : (status: number) => (init.okStatus ? init.okStatus.includes(status) : status < 400);

/** The one request (no source), prepared once. */
const options: Dispatcher.DispatchOptions = {
  origin: init.origin,
  method: init.method as Dispatcher.HttpMethod,
  path: init.path,
  headers: init.headers,
  body: init.body ?? undefined,
};

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
  const connections = () => counter.report();
  if (source)
    return {
      // Send number i (the run's, shared by all threads) carries the request the source picks for i, filled for i.
      pick: (i) => source.pick(i),
      send: (i, intendedAt, done, req) =>
        current.dispatch(
          source.options(req, i),
          sampler !== undefined && check !== undefined && sampler.next()
            ? new CheckedTap(intendedAt, recorder, now, isOk, done, check, req)
            : new ResponseTap(intendedAt, recorder, now, isOk, done, req),
        ),
      end: retire,
      connections,
    };
  return {
    send: (_i, intendedAt, done) =>
      current.dispatch(
        options,
        sampler !== undefined && check !== undefined && sampler.next()
          ? new CheckedTap(intendedAt, recorder, now, isOk, done, check)
          : new ResponseTap(intendedAt, recorder, now, isOk, done),
      ),
    end: retire,
    connections,
  };
});
