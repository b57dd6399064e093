// The paced open-loop HTTP engine on N load threads (load.workers >= 2; one
// thread is http-open-engine.ts, unchanged). The main thread runs no
// request: it starts the step on every thread with the same window grid and
// time origin, merges the threads' window slices into one StepRecorder
// (threads/window-slices.ts), feeds the watchdog from their liveness
// reports, and stops them all at once: a shared flag every thread reads
// before each send, plus a message that wakes a sleeping one.
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { Engine, Step, StepContext, StepStats } from '../../types.js';
import { EngineStopError } from '../../errors.js';
import { StepRecorder } from '../step-recorder.js';
import { httpPreflight } from '../http-preflight.js';
import { ConnectionCounter, createHttpDispatcher } from '../http-dispatcher.js';
import { ThreadPool } from '../threads/thread-pool.js';
import { SliceMerger, replayLiveness } from '../threads/window-slices.js';
import type { HttpOpenConfig } from './http-open-engine.js';
import { SHARED, SHARED_BYTES, SHARED_INTS, type FromOpenWorker, type OpenWorkerInit, type ToOpenWorker } from './open-worker-protocol.js';

const OPEN_WORKER = new URL('./open-worker.js', import.meta.url);
/** How often a thread reports liveness and checks its window boundaries, ms. */
const THREAD_TICK_MS = 20;
/** Beyond the step's plan and drain, how long the threads may take to report their last slice before that is an error, ms. */
const HANG_SLACK_MS = 5_000;

/** When an aborted step stopped (run clock, ms), per thread. */
export interface ThreadsStopTiming {
  abortAt: number;
  /** Each thread's last request (null: it sent none). */
  lastSentAt: (number | null)[];
  /** Latest request any thread sent after the abort, minus abortAt; 0 when none left after it. */
  stopLagMs: number;
}

export class HttpOpenThreadsEngine implements Engine {
  readonly name = 'http-open';
  private readonly origin: string;
  private readonly requestPath: string;
  private pool: ThreadPool<ToOpenWorker, FromOpenWorker> | null = null;
  /** Timing of the most recent aborted step (tests and benchmarks). */
  lastStop: ThreadsStopTiming | null = null;

  constructor(
    private readonly cfg: HttpOpenConfig,
    private readonly threads: number,
  ) {
    const url = new URL(cfg.url);
    this.origin = url.origin;
    this.requestPath = `${url.pathname.replace(/\/$/, '')}${cfg.path}`;
  }

  describe(): string {
    const { cfg } = this;
    return `open-loop HTTP ${cfg.method} ${this.origin}${this.requestPath} (undici on ${this.threads} load threads, ${cfg.arrival} arrivals, ${cfg.pacing} pacing, max ${cfg.maxInFlight} in flight)`;
  }

  private threadPool(): ThreadPool<ToOpenWorker, FromOpenWorker> {
    const { cfg } = this;
    this.pool ??= new ThreadPool<ToOpenWorker, FromOpenWorker>({
      module: OPEN_WORKER,
      callerUrl: import.meta.url,
      size: this.threads,
      label: 'load worker thread',
      init: (thread): OpenWorkerInit => ({
        thread,
        threads: this.threads,
        origin: this.origin,
        method: cfg.method,
        path: this.requestPath,
        headers: cfg.headers,
        body: cfg.body,
        timeoutMs: cfg.timeoutMs,
        ...(cfg.okStatus ? { okStatus: cfg.okStatus } : {}),
        ...(cfg.check ? { check: cfg.check } : {}),
        drainTimeoutMs: cfg.drainTimeoutMs,
        maxInFlight: cfg.maxInFlight,
        pacing: cfg.pacing,
        tickMs: THREAD_TICK_MS,
        version: cfg.version,
        streams: cfg.streams,
        tls: cfg.tls,
      }),
    });
    return this.pool;
  }

  /** Checks the target answers, then starts the threads so the first step's clock does not wait for them. */
  async preflight(timeoutMs: number): Promise<void> {
    const { cfg } = this;
    // Over a dispatcher built as each thread builds its own (HTTP version, TLS), so the check covers the connections the run uses.
    const counter = new ConnectionCounter(cfg.version ?? '1.1');
    const pool = createHttpDispatcher(
      { origin: this.origin, connections: 1, timeoutMs: cfg.timeoutMs, version: cfg.version, streams: cfg.streams, tls: cfg.tls },
      counter,
    );
    try {
      await httpPreflight(
        { origin: this.origin, path: this.requestPath, method: cfg.method as Dispatcher.HttpMethod, headers: cfg.headers, body: cfg.body },
        timeoutMs,
        pool,
        cfg.version === '2' ? () => counter.negotiated() : undefined,
      );
    } finally {
      counter.stop();
      await pool.destroy().catch(() => undefined);
    }
    await this.threadPool().ready();
  }

  /** The load threads (tests kill one to show a death is a clear error). */
  get workers() {
    return this.pool?.workers ?? [];
  }

  async runStep(step: Step, ctx: StepContext): Promise<StepStats> {
    const { cfg, threads } = this;
    const pool = this.threadPool();
    await pool.ready();
    if (pool.dead) throw new EngineStopError(`the open-loop engine cannot run: ${pool.dead}`, 'error');
    const recorder = new StepRecorder({
      step,
      windowMs: cfg.windowMs,
      minRequests: cfg.minRequests,
      now: ctx.now,
      onWindow: ctx.onWindow,
      nextWindowIndex: ctx.nextWindowIndex,
      liveness: ctx.liveness,
      external: true,
    });
    const merger = new SliceMerger(recorder, threads);
    const shared = new SharedArrayBuffer(SHARED_BYTES);
    const ints = new Int32Array(shared, 0, SHARED_INTS);
    const stopAt = new Float64Array(shared, 8, 1);
    const lastSentAt: (number | null)[] = Array.from({ length: threads }, () => null);
    let sendEnd = -Infinity;
    let sendingStopped = 0;
    let death: string | null = null;
    const done = new Set<number>();
    let wake = () => undefined as void;
    let abortAt: number | null = null;

    const stopAll = () => {
      if (Atomics.load(ints, SHARED.stop) !== 0) return;
      stopAt[0] = ctx.now();
      Atomics.store(ints, SHARED.stop, 1);
      for (let i = 0; i < threads; i++) pool.post(i, { cmd: 'stop' });
    };
    const onAbort = () => {
      abortAt = ctx.now();
      stopAll();
    };
    for (let i = 0; i < threads; i++) {
      pool.attach(i, (m) => {
        if (m.type === 'slice') merger.add(m.slice);
        else if (m.type === 'live') replayLiveness(m.live, ctx.liveness);
        else if (m.type === 'sending-stopped') {
          lastSentAt[i] = m.lastSentAt;
          sendEnd = Math.max(sendEnd, m.at);
          if (++sendingStopped === threads) recorder.sendingStopped(sendEnd);
        }
        if (m.type === 'done') done.add(i);
        if (m.type === 'done' || m.type === 'slice') wake();
      });
    }
    // A thread died: stop the others at once, and let them drain (bounded) so the error leaves nothing in flight.
    let drainBound: NodeJS.Timeout | undefined;
    pool.watchDeath((reason) => {
      death = reason;
      stopAll();
      drainBound = setTimeout(() => {
        for (let i = 0; i < threads; i++) done.add(i);
        wake();
      }, cfg.drainTimeoutMs + 1_000);
      wake();
    });
    const grid = { stepStart: recorder.startedAt, warmupEnd: recorder.startedAt + step.warmupMs, windowMs: cfg.windowMs };
    const originAbs = performance.timeOrigin + performance.now() - ctx.now();
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    for (let i = 0; i < threads; i++)
      pool.post(i, {
        cmd: 'run',
        originAbs,
        grid,
        arrival: cfg.arrival,
        rate: step.load,
        seed: cfg.seed + step.index,
        durationMs: step.warmupMs + step.durationMs,
        maxRequests: step.maxRequests,
        shared,
      });
    // Until every thread drained and its last slice is merged, or a thread died; bounded, so a thread that hangs is an error too.
    const longestMs = step.warmupMs + step.durationMs + cfg.drainTimeoutMs + HANG_SLACK_MS;
    await new Promise<void>((resolve) => {
      const hang = setTimeout(() => {
        death ??= `load worker threads did not finish step ${step.index} within ${longestMs} ms`;
        stopAll();
        for (let i = 0; i < threads; i++) done.add(i);
        wake();
      }, longestMs);
      const settled = () => {
        for (let i = 0; i < threads; i++) if (!done.has(i) && !pool.isDead(i)) return false;
        return true;
      };
      const check = () => {
        if (merger.done || (death !== null && settled())) {
          clearTimeout(hang);
          clearTimeout(drainBound);
          wake = () => undefined;
          resolve();
        }
      };
      wake = check;
      check();
    });
    ctx.signal.removeEventListener('abort', onAbort);
    pool.watchDeath(null);
    for (let i = 0; i < threads; i++) pool.attach(i, null);
    if (death !== null) {
      recorder.finish(true);
      throw new EngineStopError(`the open-loop engine stopped in step ${step.index}: ${death}`, 'error');
    }
    if (abortAt !== null) {
      const after = lastSentAt.filter((t): t is number => t !== null && t >= (abortAt as number));
      this.lastStop = { abortAt, lastSentAt, stopLagMs: after.length ? Math.max(...after) - abortAt : 0 };
    }
    return recorder.finish(abortAt !== null);
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }
}
