// Closed loop spread over worker threads (load.workers > 0): a pool of
// threads that lives for the whole run (started and loaded before the first
// step's clock starts); for each step every thread runs its own autocannon
// on a share of the connections and streams its events back in small
// batches (worker-source.ts). autocannon's own `workers` option is not
// used: it forwards no per-response events to the main thread (only
// per-sample counts), and its stop() closes the worker's port before the
// result is sent, so neither per-window latency nor a prompt stop could be
// had from it.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { ClosedLoopDriver, ClosedLoopSink } from './closed-loop-driver.js';
import type { DriverRun } from './main-thread-driver.js';
import { elapsedUtilization } from './main-thread-driver.js';
import { InFlightTracker } from '../in-flight-tracker.js';
import { EVENT, WORKER_SOURCE } from './worker-source.js';

const BATCH_MS = 10;
const READY_TIMEOUT_MS = 15_000;
const autocannonPath = createRequire(import.meta.url).resolve('autocannon');

interface Batch {
  type: 'batch';
  /** Events in order: EVENT.sent, .response (next latency/status), .failure (next code), .abandoned. */
  events: Uint8Array;
  latencies: Float64Array;
  statuses: Uint16Array;
  codes: string[];
  /** performance.timeOrigin + performance.now() of the thread's last request so far. */
  lastSentAbs: number;
  elu: EventLoopUtilization;
}
type WorkerMessage = Batch | { type: 'ready' } | { type: 'closed' } | { type: 'ended' } | { type: 'error'; message: string };

/** Feeds a worker's batch to the sink in the order its events happened, so in-flight counts stay exact. */
export function replay(m: Omit<Batch, 'type' | 'elu'>, sink: ClosedLoopSink): void {
  const ago = Math.max(0, performance.timeOrigin + performance.now() - m.lastSentAbs);
  let r = 0;
  let f = 0;
  let abandoned = 0;
  for (const e of m.events) {
    if (e === EVENT.sent) sink.sent(ago);
    else if (e === EVENT.response) {
      sink.response(m.statuses[r] as number, m.latencies[r] as number);
      r++;
    } else if (e === EVENT.failure) sink.failed(m.codes[f++] ?? 'ERROR');
    else if (e === EVENT.abandoned) abandoned++;
  }
  if (abandoned > 0) sink.abandoned(abandoned);
}

/** Splits n connections over w workers as evenly as possible (no worker gets none). */
export function splitConnections(n: number, w: number): number[] {
  const k = Math.max(1, Math.min(w, n));
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

interface Thread {
  worker: Worker;
  /** Cumulative utilization of the thread at the last busy() read, and the latest reported. */
  last: EventLoopUtilization;
  current: EventLoopUtilization | null;
  handler: ((m: WorkerMessage) => void) | null;
}

export class LoadWorkerPool {
  private readonly threads: Thread[];
  private readonly readyPromise: Promise<void>;

  constructor(size: number) {
    const ready: Promise<void>[] = [];
    this.threads = Array.from({ length: size }, () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { autocannonPath, batchMs: BATCH_MS } });
      const t: Thread = { worker, last: { idle: 0, active: 0, utilization: 0 }, current: null, handler: null };
      ready.push(
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`load worker thread not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
          worker.once('error', (err) => {
            clearTimeout(timer);
            reject(err);
          });
          worker.on('message', (m: WorkerMessage) => {
            if (m.type === 'ready') {
              clearTimeout(timer);
              resolve();
            } else t.handler?.(m);
          });
        }),
      );
      // After start-up, a thread that fails reports to the step that runs on it.
      worker.on('error', (err) => t.handler?.({ type: 'error', message: err.message }));
      return t;
    });
    this.readyPromise = Promise.all(ready).then(() => undefined);
    this.readyPromise.catch(() => undefined);
  }

  /** Resolves once every thread has loaded autocannon. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  startRun(run: DriverRun, sink: ClosedLoopSink, onError: (message: string) => void): ClosedLoopDriver {
    const used = splitConnections(run.connections, this.threads.length).map((connections, i) => ({ connections, t: this.threads[i] as Thread }));
    /** Threads whose connections have not all closed yet, and threads whose autocannon has not ended yet. */
    const unclosed = new InFlightTracker();
    const running = new InFlightTracker();
    const mainBusy = elapsedUtilization();
    for (const { connections, t } of used) {
      unclosed.add();
      running.add();
      t.handler = (m) => {
        if (m.type === 'batch') {
          replay(m, sink);
          t.current = m.elu;
        } else if (m.type === 'closed') unclosed.done();
        else if (m.type === 'ended') running.done();
        else if (m.type === 'error') onError(m.message);
      };
      t.worker.postMessage({ cmd: 'run', target: run.target, connections, maxSeconds: run.maxSeconds });
    }
    return {
      stopSending() {
        for (const { t } of used) t.worker.postMessage({ cmd: 'stop' });
      },
      async drained(timeoutMs) {
        await unclosed.drain(timeoutMs);
      },
      async destroy() {
        for (const { t } of used) t.worker.postMessage({ cmd: 'destroy' });
        await running.drain(2_000);
        for (const { t } of used) t.handler = null;
      },
      busy() {
        let max = mainBusy();
        for (const { t } of used) {
          const cur = t.current;
          if (!cur) continue;
          const active = cur.active - t.last.active;
          const idle = cur.idle - t.last.idle;
          if (active + idle > 0) max = Math.max(max, active / (active + idle));
          t.last = cur;
        }
        return max;
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate().catch(() => 0)));
  }
}
