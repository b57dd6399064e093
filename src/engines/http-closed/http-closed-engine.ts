// Closed-loop HTTP engine on autocannon: a step is a number of connections,
// each sending its next request the moment the last one answered. Latency
// is autocannon's responseTime (no intended send time exists in a closed
// loop, so send lag is 0); every response goes into the shared StepRecorder,
// one HDR histogram per window. A step stops at once on abort: each
// connection closes after its in-flight response instead of sending again.
import type { Dispatcher } from 'undici';
import type { Engine, Step, StepContext, StepStats, WindowStats } from '../../types.js';
import { StepRecorder } from '../step-recorder.js';
import { httpPreflight } from '../http-preflight.js';
import { statusKind, transportErrorKind } from '../http-open/http-open-engine.js';
import type { ClosedLoopDriver, ClosedLoopSink, ClosedLoopTarget } from './closed-loop-driver.js';
import { startMainThreadDriver } from './main-thread-driver.js';
import { LoadWorkerPool } from './worker-driver.js';
import type { HttpRequestConfig } from '../http-request.js';
import { HttpRequestSource, type HttpSourceConfig } from '../../requests/source.js';
import { RequestFeed, sendCounter } from './request-feed.js';

/** The request (http-request.ts) and how the closed loop sends it. */
export interface HttpClosedConfig extends HttpRequestConfig {
  /** HTTP/1.1 requests each connection keeps in flight. */
  pipelining: number;
  /** Worker threads sharing the connections; 0 = main thread. */
  workers: number;
  windowMs: number;
  minRequests: number;
  /** A request mix, data file or placeholders (src/requests/): plain config; null or absent = the one request above. */
  requests?: HttpSourceConfig | null;
  /** A step whose windows are sparse (slow target, few connections) runs up to this many times its planned length to fill them. Default 3. */
  maxStretch?: number;
}

/** When an aborted step stopped (run clock, ms). */
export interface StopTiming {
  abortAt: number;
  /** The last request that left after the abort, or null when none did. */
  lastSentAt: number | null;
  /** Requests that left after the abort. */
  sentAfterAbort: number;
  /** lastSentAt - abortAt, 0 when nothing left after the abort. */
  stopLagMs: number;
}

export class HttpClosedEngine implements Engine {
  readonly name = 'http-closed';
  private readonly origin: string;
  private readonly requestPath: string;
  /** Timing of the most recent aborted step (for tests and benchmarks). */
  lastStop: StopTiming | null = null;
  /** Worker threads (load.workers > 0), started once and ready before the first step's clock starts. */
  private pool: LoadWorkerPool | null = null;
  /** The mix's source (names, success statuses, the preflight's request); null without a mix. */
  private readonly source: HttpRequestSource | null;
  /** The run's send sequence number, across steps and threads: what the mix picks and fills by. */
  private readonly counter: Uint32Array | null;
  /** The main thread's feed (built once: the data rows are read once). */
  private feed: RequestFeed | null = null;

  constructor(private readonly cfg: HttpClosedConfig) {
    const url = new URL(cfg.url);
    this.origin = url.origin;
    this.requestPath = `${url.pathname.replace(/\/$/, '')}${cfg.path}`;
    this.source = cfg.requests ? new HttpRequestSource(cfg.requests) : null;
    this.counter = cfg.requests ? sendCounter() : null;
  }

  describe(): string {
    const threads = this.cfg.workers > 0 ? `${this.cfg.workers} worker threads` : 'main thread';
    const src = this.source;
    const what =
      src && src.names.length > 1
        ? `a mix of ${src.names.length} requests (${src.names.join(', ')}) at ${this.origin}`
        : `${src ? src.describe(0) : `${this.cfg.method} ${this.requestPath}`} at ${this.origin}`;
    return `closed-loop HTTP ${what} (autocannon, pipelining ${this.cfg.pipelining}, ${threads})`;
  }

  private isOk(status: number, req: number): boolean {
    if (this.source) return this.source.isOk(req, status);
    return this.cfg.okStatus ? this.cfg.okStatus.includes(status) : status < 400;
  }

  /** Checks the target answers, and starts the worker threads (if any) so the first step's clock does not wait for them. */
  async preflight(timeoutMs: number): Promise<void> {
    // With a mix, the preflight sends the first request as send 0 would carry it (it takes no sequence number).
    const first = this.source?.options(0, 0);
    await httpPreflight(
      first
        ? {
            origin: this.origin,
            path: first.path,
            method: first.method,
            headers: first.headers as Record<string, string>,
            body: (first.body as string | undefined) ?? null,
          }
        : { origin: this.origin, path: this.requestPath, method: this.cfg.method as Dispatcher.HttpMethod, headers: this.cfg.headers, body: this.cfg.body },
      timeoutMs,
    );
    await this.threads()?.ready();
  }

  private threads(): LoadWorkerPool | null {
    if (this.cfg.workers > 0) this.pool ??= new LoadWorkerPool(this.cfg.workers, { requests: this.cfg.requests ?? null, counter: this.counter });
    return this.pool;
  }

  private mainFeed(): RequestFeed | undefined {
    if (this.cfg.requests && this.counter) this.feed ??= new RequestFeed(this.cfg.requests, this.counter);
    return this.feed ?? undefined;
  }

  async runStep(step: Step, ctx: StepContext): Promise<StepStats> {
    const { cfg } = this;
    const stretch = cfg.maxStretch ?? 3;
    const pool = this.threads();
    await pool?.ready();
    let driver: ClosedLoopDriver | null = null;
    let measured = 0;
    /** Re-checks whether the step is over; set while the step waits (no polling timer). */
    let wake = () => undefined as void;
    const onWindow = (w: WindowStats) => {
      if (!w.warmup && !w.sparse) measured++;
      ctx.onWindow(w);
      wake();
    };
    const recorder = new StepRecorder({
      step,
      windowMs: cfg.windowMs,
      minRequests: cfg.minRequests,
      now: ctx.now,
      onWindow,
      nextWindowIndex: ctx.nextWindowIndex,
      liveness: ctx.liveness,
      busy: () => driver?.busy() ?? 0,
      ...(this.source ? { requests: this.source.names } : {}),
    });
    let sent = 0;
    /** Only watched once sending was told to stop: the last request that still left, and how many. */
    let lastSentAt = -Infinity;
    let sentAfterAbort = 0;
    let stopped = false;
    let driverError: string | null = null;
    const sink: ClosedLoopSink = {
      sent: (agoMs = 0, req) => {
        const at = ctx.now() - agoMs;
        // A closed loop schedules each request as it sends it.
        recorder.scheduled(at);
        recorder.sent(undefined, at, req);
        if (stopped) {
          if (at >= (abortAt ?? Infinity)) {
            lastSentAt = Math.max(lastSentAt, at);
            sentAfterAbort++;
          }
        }
        // The driver holds the budget exactly (RequestBudget); spending it ends the step.
        if (++sent >= step.maxRequests) stopSending();
      },
      response: (status, ms, req) => {
        const ok = this.isOk(status, req);
        recorder.response(ms, ok, ctx.now(), ok ? undefined : statusKind(status), req);
      },
      failed: (code, req) => recorder.failed(code === 'TIMEOUT' ? 'timeout' : transportErrorKind({ code }), ctx.now(), req),
      abandoned: (n) => recorder.abandoned(n, ctx.now()),
    };
    const stopSending = () => {
      if (stopped) return;
      stopped = true;
      driver?.stopSending();
      recorder.sendingStopped();
      wake();
    };

    const target: ClosedLoopTarget = {
      url: `${this.origin}${this.requestPath}`,
      method: cfg.method,
      headers: cfg.headers,
      body: cfg.body,
      timeoutS: cfg.timeoutMs / 1000,
      pipelining: cfg.pipelining,
    };
    const planned = step.warmupMs + step.durationMs;
    const run = {
      target,
      connections: Math.max(1, Math.round(step.load)),
      maxRequests: step.maxRequests,
      maxSeconds: Math.ceil((step.warmupMs + step.durationMs * stretch + cfg.drainTimeoutMs) / 1000) + 10,
    };
    const onError = (m: string) => {
      driverError ??= m;
      wake();
    };
    let abortAt: number | null = null;
    const onAbort = () => {
      abortAt = ctx.now();
      stopSending();
    };
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (step.maxRequests <= 0) stopSending();
    if (!stopped) driver = pool ? pool.startRun(run, sink, onError) : startMainThreadDriver({ ...run, feed: this.mainFeed() }, sink, onError);

    // Run for the planned length, longer (bounded) until the planned number of full windows closed.
    const wantWindows = Math.max(1, Math.floor(step.durationMs / cfg.windowMs));
    const longest = step.warmupMs + step.durationMs * stretch;
    await new Promise<void>((resolve) => {
      const elapsed = () => ctx.now() - recorder.startedAt;
      const timers = [setTimeout(() => wake(), planned - elapsed()), setTimeout(() => wake(), longest - elapsed())];
      const check = () => {
        const t = elapsed();
        const enough = t >= planned && (measured >= wantWindows || t >= longest);
        if (stopped || enough || (driverError !== null && sent === 0)) {
          for (const timer of timers) clearTimeout(timer);
          wake = () => undefined;
          resolve();
        }
      };
      wake = check;
      check();
    });
    ctx.signal.removeEventListener('abort', onAbort);
    stopSending();
    if (driver) {
      await driver.drained(cfg.drainTimeoutMs);
      await driver.destroy();
    }
    if (abortAt !== null) {
      const after = lastSentAt > -Infinity;
      this.lastStop = { abortAt, lastSentAt: after ? lastSentAt : null, sentAfterAbort, stopLagMs: after ? lastSentAt - abortAt : 0 };
    }
    if (driverError !== null && sent === 0) {
      recorder.finish(true);
      throw new Error(`autocannon could not run the step: ${driverError}`);
    }
    return recorder.finish(abortAt !== null);
  }

  async close(): Promise<void> {
    // Each step owns its autocannon instance(s) and closes them; only the worker threads outlive a step.
    await this.pool?.close();
    this.pool = null;
  }
}
