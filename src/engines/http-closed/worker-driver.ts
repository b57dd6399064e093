// Closed loop spread over worker threads (load.workers > 0): each worker
// runs its own autocannon on a share of the step's connections and streams
// its events back in small batches (worker-source.ts). autocannon's own
// `workers` option is not used: it forwards no per-response events to the
// main thread (only per-sample counts), and its stop() closes the worker's
// port before the result is sent, so neither per-window latency nor a
// prompt stop could be had from it.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { ClosedLoopDriver, ClosedLoopSink } from './closed-loop-driver.js';
import type { DriverRun } from './main-thread-driver.js';
import { elapsedUtilization } from './main-thread-driver.js';
import { WORKER_SOURCE } from './worker-source.js';

const BATCH_MS = 10;
const autocannonPath = createRequire(import.meta.url).resolve('autocannon');

interface Batch {
  type: 'batch';
  sent: number;
  latencies?: Float64Array;
  statuses?: Uint16Array;
  failures?: Record<string, number>;
  abandoned?: number;
  elu: EventLoopUtilization;
}
type WorkerMessage = Batch | { type: 'closed' } | { type: 'ended' } | { type: 'error'; message: string };

/** Splits n connections over w workers as evenly as possible (no worker gets none). */
export function splitConnections(n: number, w: number): number[] {
  const k = Math.max(1, Math.min(w, n));
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

export function startWorkerDriver(run: DriverRun, workers: number, sink: ClosedLoopSink, onError: (message: string) => void): ClosedLoopDriver {
  const shares = splitConnections(run.connections, workers);
  let closed = 0;
  let ended = 0;
  let onClosed: (() => void) | undefined;
  let onEnded: (() => void) | undefined;
  const mainBusy = elapsedUtilization();
  const threads = shares.map((connections) => {
    // Worker utilization is cumulative from the worker's start.
    const state: { last: EventLoopUtilization; current: EventLoopUtilization | null } = { last: { idle: 0, active: 0, utilization: 0 }, current: null };
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { autocannonPath, batchMs: BATCH_MS, target: run.target, connections, maxSeconds: run.maxSeconds },
    });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'batch') {
        for (let i = 0; i < m.sent; i++) sink.sent();
        const lat = m.latencies ?? new Float64Array(0);
        const st = m.statuses ?? new Uint16Array(0);
        for (let i = 0; i < lat.length; i++) sink.response(st[i] as number, lat[i] as number);
        for (const [code, n] of Object.entries(m.failures ?? {})) for (let i = 0; i < n; i++) sink.failed(code);
        if (m.abandoned) sink.abandoned(m.abandoned);
        state.current = m.elu;
      } else if (m.type === 'closed') {
        if (++closed >= threads.length) onClosed?.();
      } else if (m.type === 'ended') {
        if (++ended >= threads.length) onEnded?.();
      } else if (m.type === 'error') {
        onError(m.message);
      }
    });
    // A worker that dies without saying so leaves drained() and destroy() to their timeouts.
    worker.on('error', (err) => onError(err.message));
    return { worker, state };
  });

  const waitFor = (done: () => boolean, set: (f: () => void) => void, timeoutMs: number) =>
    done()
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          set(() => {
            clearTimeout(timer);
            resolve();
          });
        });

  return {
    stopSending() {
      for (const { worker } of threads) worker.postMessage({ cmd: 'stop' });
    },
    drained(timeoutMs) {
      return waitFor(() => closed >= threads.length, (f) => (onClosed = f), timeoutMs);
    },
    async destroy() {
      for (const { worker } of threads) worker.postMessage({ cmd: 'destroy' });
      await waitFor(() => ended >= threads.length, (f) => (onEnded = f), 2_000);
      await Promise.all(threads.map(({ worker }) => worker.terminate().catch(() => 0)));
    },
    busy() {
      let max = mainBusy();
      for (const { state } of threads) {
        const cur = state.current;
        if (!cur) continue;
        const active = cur.active - state.last.active;
        const idle = cur.idle - state.last.idle;
        if (active + idle > 0) max = Math.max(max, active / (active + idle));
        state.last = cur;
      }
      return max;
    },
  };
}
