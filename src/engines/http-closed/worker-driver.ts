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
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { splitProportionally, type ClosedLoopDriver, type ClosedLoopSink } from './closed-loop-driver.js';
import type { DriverRun } from './main-thread-driver.js';
import { elapsedUtilization } from './main-thread-driver.js';
import { InFlightTracker } from '../in-flight-tracker.js';
import { ThreadPool } from '../threads/thread-pool.js';
import { EVENT, type Batch, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';

const BATCH_MS = 10;
const LOAD_WORKER = new URL('./load-worker.js', import.meta.url);

/** Feeds a worker's batch to the sink in the order its events happened, so in-flight counts stay exact. */
export function replay(m: Omit<Batch, 'type' | 'elu'>, sink: ClosedLoopSink): void {
  const ago = Math.max(0, performance.timeOrigin + performance.now() - m.lastSentAbs);
  let r = 0;
  let f = 0;
  let abandoned = 0;
  let q = 0;
  const reqs = m.reqs;
  const mixed = reqs.length > 0;
  for (const e of m.events) {
    if (e === EVENT.abandoned) {
      abandoned++;
      continue;
    }
    const req = mixed ? (reqs[q++] as number) : 0;
    if (e === EVENT.sent) sink.sent(ago, req);
    else if (e === EVENT.response) {
      sink.response(m.statuses[r] as number, m.latencies[r] as number, req);
      r++;
    } else if (e === EVENT.failure) sink.failed(m.codes[f++] ?? 'ERROR', req);
  }
  if (abandoned > 0) sink.abandoned(abandoned);
}

/** Splits n connections over w workers as evenly as possible (no worker gets none). */
export function splitConnections(n: number, w: number): number[] {
  const k = Math.max(1, Math.min(w, n));
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

/** A thread's cumulative event-loop utilization at the last busy() read, and the latest it reported. */
interface Utilization {
  last: EventLoopUtilization;
  current: EventLoopUtilization | null;
}

export class LoadWorkerPool {
  /** Started, made ready, routed and watched by the one worker mechanism (threads/thread-pool.ts). */
  private readonly pool: ThreadPool<ToWorker, FromWorker>;
  private readonly elu: Utilization[];

  constructor(size: number, mix: Pick<WorkerInit, 'requests' | 'counter'> = { requests: null, counter: null }) {
    const init: WorkerInit = { batchMs: BATCH_MS, ...mix };
    this.pool = new ThreadPool<ToWorker, FromWorker>({ module: LOAD_WORKER, callerUrl: import.meta.url, size, init: () => init, label: 'load worker thread' });
    this.elu = Array.from({ length: size }, () => ({ last: { idle: 0, active: 0, utilization: 0 }, current: null }));
  }

  /** Resolves once every thread has loaded autocannon. */
  ready(): Promise<void> {
    return this.pool.ready();
  }

  startRun(run: DriverRun, sink: ClosedLoopSink, onError: (message: string) => void): ClosedLoopDriver {
    const split = splitConnections(run.connections, this.pool.size);
    const budgets = splitProportionally(run.maxRequests, split);
    // A thread whose share of the budget is 0 sits the step out.
    const used = split.map((connections, i) => ({ connections, maxRequests: budgets[i] as number, i })).filter((u) => u.maxRequests > 0);
    /** Threads whose connections have not all closed yet, and threads whose autocannon has not ended yet. */
    const unclosed = new InFlightTracker();
    const running = new InFlightTracker();
    const mainBusy = elapsedUtilization();
    const { pool } = this;
    // A thread that dies is the step's error (and every later step's: the pool stays dead).
    pool.watchDeath(onError);
    if (pool.dead) onError(pool.dead);
    for (const { connections, maxRequests, i } of used) {
      unclosed.add();
      running.add();
      const u = this.elu[i] as Utilization;
      pool.attach(i, (m) => {
        if (m.type === 'batch') {
          replay(m, sink);
          u.current = m.elu;
        } else if (m.type === 'closed') unclosed.done();
        else if (m.type === 'ended') running.done();
        else if (m.type === 'error') onError(m.message);
      });
      pool.post(i, { cmd: 'run', target: run.target, connections, maxSeconds: run.maxSeconds, maxRequests });
    }
    const elu = this.elu;
    return {
      stopSending() {
        for (const { i } of used) pool.post(i, { cmd: 'stop' });
      },
      async drained(timeoutMs) {
        await unclosed.drain(timeoutMs);
      },
      async destroy() {
        for (const { i } of used) pool.post(i, { cmd: 'destroy' });
        await running.drain(2_000);
        for (const { i } of used) pool.attach(i, null);
        pool.watchDeath(null);
      },
      busy() {
        let max = mainBusy();
        for (const { i } of used) {
          const t = elu[i] as Utilization;
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
    await this.pool.close();
  }
}
