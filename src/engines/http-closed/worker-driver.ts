// Closed loop spread over worker threads (load.workers > 0): a pool of
// threads that lives for the whole run (started and loaded before the first
// step's clock starts); for each step every thread runs its own autocannon
// on a share of the connections and streams its events back in small
// batches (load-worker.ts, a typed module started by
// threads/module-worker.ts). autocannon's own `workers` option is not
// used: it forwards no per-response events to the main thread (only
// per-sample counts), and its stop() closes the worker's port before the
// result is sent, so neither per-window latency nor a prompt stop could be
// had from it.
import type { Worker } from 'node:worker_threads';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { splitProportionally, type ClosedLoopDriver, type ClosedLoopSink } from './closed-loop-driver.js';
import type { DriverRun } from './main-thread-driver.js';
import { elapsedUtilization } from './main-thread-driver.js';
import { InFlightTracker } from '../in-flight-tracker.js';
import { startModuleWorker } from '../threads/module-worker.js';
import { EVENT, type Batch, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';

const BATCH_MS = 10;
// Generous: a thread started from source (tsx) compiles its modules first, on a machine that may be busy.
const READY_TIMEOUT_MS = 30_000;
const LOAD_WORKER = new URL('./load-worker.js', import.meta.url);
type WorkerMessage = FromWorker;

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
      const init: WorkerInit = { batchMs: BATCH_MS };
      const worker = startModuleWorker(LOAD_WORKER, import.meta.url, { workerData: init });
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
    const split = splitConnections(run.connections, this.threads.length);
    const budgets = splitProportionally(run.maxRequests, split);
    // A thread whose share of the budget is 0 sits the step out.
    const used = split
      .map((connections, i) => ({ connections, maxRequests: budgets[i] as number, t: this.threads[i] as Thread }))
      .filter((u) => u.maxRequests > 0);
    /** Threads whose connections have not all closed yet, and threads whose autocannon has not ended yet. */
    const unclosed = new InFlightTracker();
    const running = new InFlightTracker();
    const mainBusy = elapsedUtilization();
    const send = (t: Thread, m: ToWorker) => t.worker.postMessage(m);
    for (const { connections, maxRequests, t } of used) {
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
      send(t, { cmd: 'run', target: run.target, connections, maxSeconds: run.maxSeconds, maxRequests });
    }
    return {
      stopSending() {
        for (const { t } of used) send(t, { cmd: 'stop' });
      },
      async drained(timeoutMs) {
        await unclosed.drain(timeoutMs);
      },
      async destroy() {
        for (const { t } of used) send(t, { cmd: 'destroy' });
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
