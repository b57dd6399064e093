// Paced open-loop HTTP engine on undici. Latency is measured from the
// intended send time, so a stalled server cannot hide its stall behind a
// waiting client (coordinated omission). In-flight is capped: at the cap a
// scheduled request is not sent and counts as an 'in-flight-cap' error
// against the target.
import { STATUS_CODES } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import type { Engine, Step, StepContext, StepStats } from '../../types.js';
import { StepRecorder } from '../step-recorder.js';
import { httpPreflight, type PreflightRequest } from '../http-preflight.js';
import { ConnectionCounter, createHttpDispatcher, type HttpConnectionReport, type HttpDispatcherConfig } from '../http-dispatcher.js';
import { runPacing, type PacingMode } from '../pacing.js';
import { createPacer } from '../../load/rate-schedule.js';
import { InFlightTracker } from '../in-flight-tracker.js';
import type { HttpRequestConfig } from '../http-request.js';
import { BodyBuffer, CHECK_FAILED, CheckSampler, checkBody, type ResponseCheckConfig } from '../response-check.js';
import { HttpRequestSource, type HttpSourceConfig } from '../../requests/source.js';

/** The request (http-request.ts) and how the open loop paces it. */
export interface HttpOpenConfig extends HttpRequestConfig, Pick<HttpDispatcherConfig, 'version' | 'streams' | 'tls'> {
  method: Dispatcher.HttpMethod;
  maxInFlight: number;
  arrival: 'uniform' | 'poisson';
  /** How the pacing loop waits between sends (load.pacing). */
  pacing: PacingMode;
  /** Seeds poisson arrivals and, with requests, the mix and its random values (load.seed). */
  seed: number;
  /** The request mix / templated requests (src/requests/); null: every send is the one request above, prepared once. */
  requests?: HttpSourceConfig | null;
  windowMs: number;
  minRequests: number;
}

const TRANSPORT: Record<string, string> = {
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  ECONNREFUSED: 'connection',
  ECONNRESET: 'connection',
  EPIPE: 'connection',
  UND_ERR_SOCKET: 'connection',
  UND_ERR_CLOSED: 'connection',
  UND_ERR_DESTROYED: 'connection',
  ENOTFOUND: 'connection',
  EHOSTUNREACH: 'connection',
  EADDRNOTAVAIL: 'connection',
};

export function transportErrorKind(err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  return (code && TRANSPORT[code]) ?? 'other';
}

export function statusKind(status: number): string {
  return `http-${Math.floor(status / 100)}xx`;
}

/** Where a response handler records outcomes: the step's recorder, or a load thread's (threads/window-slices.ts). */
export type OutcomeRecorder = Pick<StepRecorder, 'response' | 'failed' | 'wantsErrorExample' | 'errorExample'>;

/**
 * One request's handler on undici's dispatch API: no promise, no body stream
 * (the body is read and dropped chunk by chunk), so a response costs the
 * generator as little event-loop time as undici allows. Exactly one of
 * onResponseEnd / onResponseError settles it.
 */
export class ResponseTap implements Dispatcher.DispatchHandler {
  protected status = 0;
  constructor(
    protected readonly intendedAt: number,
    protected readonly recorder: OutcomeRecorder,
    protected readonly now: () => number,
    protected readonly isOk: (status: number, req: number) => boolean,
    protected readonly settle: () => void,
    /** Index of the request in the scenario's list (0 without a mix). */
    protected readonly req = 0,
  ) {}

  // undici tells a new-style handler by this method: it must exist.
  onRequestStart(): void {}

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(_c: Dispatcher.DispatchController, _chunk: Buffer): void {}

  onResponseEnd(): void {
    const ok = this.isOk(this.status, this.req);
    const doneAt = this.now();
    this.recorder.response(doneAt - this.intendedAt, ok, doneAt, ok ? undefined : statusKind(this.status), this.req);
    if (!ok && this.recorder.wantsErrorExample) this.recorder.errorExample(`HTTP ${this.status} ${STATUS_CODES[this.status] ?? ''}`.trimEnd());
    this.settle();
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.recorder.failed(transportErrorKind(err), this.now(), this.req);
    if (this.recorder.wantsErrorExample) this.recorder.errorExample(`${(err as { code?: string }).code ?? err.name}: ${err.message}`);
    this.settle();
  }
}

/** A sampled request (http.check): its body is kept and checked; a successful status whose body fails counts as 'check-failed'. */
export class CheckedTap extends ResponseTap {
  private readonly body = new BodyBuffer();
  constructor(
    intendedAt: number,
    recorder: OutcomeRecorder,
    now: () => number,
    isOk: (status: number, req: number) => boolean,
    settle: () => void,
    private readonly check: ResponseCheckConfig,
    req = 0,
  ) {
    super(intendedAt, recorder, now, isOk, settle, req);
  }

  override onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.body.add(chunk);
  }

  override onResponseEnd(): void {
    if (!this.isOk(this.status, this.req)) return super.onResponseEnd();
    const failure = checkBody(this.check, this.body.text());
    if (failure === null) return super.onResponseEnd();
    const doneAt = this.now();
    this.recorder.response(doneAt - this.intendedAt, false, doneAt, CHECK_FAILED, this.req);
    if (this.recorder.wantsErrorExample) this.recorder.errorExample(`HTTP ${this.status}, check failed: ${failure}`);
    this.settle();
  }
}

/** What the engine sends, in words: the one request, or the mix's names, at the origin. */
export function requestWords(cfg: HttpOpenConfig, src: HttpRequestSource | null, origin: string, requestPath: string): string {
  return src && src.names.length > 1
    ? `a mix of ${src.names.length} requests (${src.names.join(', ')}) at ${origin}`
    : `${src ? src.describe(0) : `${cfg.method} ${requestPath}`} at ${origin}`;
}

/** The preflight's request: with a mix, the first request as send 0 would carry it (the preflight takes no send number). */
export function preflightRequest(cfg: HttpOpenConfig, src: HttpRequestSource | null, origin: string, requestPath: string): PreflightRequest {
  const first = src?.options(0, 0);
  return first
    ? { origin, path: first.path, method: first.method, headers: first.headers as Record<string, string>, body: (first.body as string | undefined) ?? null }
    : { origin, path: requestPath, method: cfg.method, headers: cfg.headers, body: cfg.body };
}

export class HttpOpenEngine implements Engine {
  readonly name = 'http-open';
  private pool: Pool;
  /** Pools of earlier steps still closing (their in-flight requests finishing): close() destroys them too. */
  private readonly retiring = new Set<Pool>();
  private inFlight = 0;
  private readonly origin: string;
  private readonly requestPath: string;
  private readonly counter: ConnectionCounter;
  private readonly source: HttpRequestSource | null;
  /** The run's send sequence number (scheduled requests, across steps): what the request source picks and fills by. */
  private seq = 0;

  constructor(private readonly cfg: HttpOpenConfig) {
    this.counter = new ConnectionCounter(cfg.version ?? '1.1');
    const url = new URL(cfg.url);
    this.origin = url.origin;
    const basePath = url.pathname.replace(/\/$/, '');
    this.requestPath = `${basePath}${cfg.path}`;
    this.source = cfg.requests ? new HttpRequestSource(cfg.requests) : null;
    this.pool = this.newPool();
  }

  private newPool(): Pool {
    const { cfg } = this;
    return createHttpDispatcher(
      { origin: this.origin, connections: cfg.maxInFlight, timeoutMs: cfg.timeoutMs, version: cfg.version, streams: cfg.streams, tls: cfg.tls },
      this.counter,
    );
  }

  /**
   * Each step ends by retiring its connection pool (the next step gets a fresh one):
   * connections opened during an overloaded step (one per request in flight) would
   * otherwise stay open and weigh on the target (idle connections, goroutines)
   * through later steps. Retiring them at the end of the step, not at the start of
   * the next, lets the target's goroutine count fall back during the drain between
   * steps instead of holding it up until load.drainTimeout.
   */
  private freshPool(): void {
    const old = this.pool;
    this.pool = this.newPool();
    this.retiring.add(old);
    const kill = setTimeout(() => void old.destroy().catch(() => undefined), this.cfg.drainTimeoutMs);
    kill.unref();
    void old
      .close()
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(kill);
        this.retiring.delete(old);
      });
  }

  describe(): string {
    const version =
      this.cfg.version === '2' ? `HTTP/2${this.origin.startsWith('http:') ? ' (h2c)' : ''}, up to ${this.cfg.streams} streams per connection` : 'HTTP/1.1';
    return `open-loop HTTP ${requestWords(this.cfg, this.source, this.origin, this.requestPath)} (undici, ${version}, ${this.cfg.arrival} arrivals, ${this.cfg.pacing} pacing, max ${this.cfg.maxInFlight} in flight)`;
  }

  private isOk(status: number, req: number): boolean {
    if (this.source) return this.source.isOk(req, status);
    return this.cfg.okStatus ? this.cfg.okStatus.includes(status) : status < 400;
  }

  async preflight(timeoutMs: number): Promise<void> {
    await httpPreflight(
      preflightRequest(this.cfg, this.source, this.origin, this.requestPath),
      timeoutMs,
      this.pool,
      this.cfg.version === '2' ? () => this.counter.negotiated() : undefined,
    );
  }

  /** The connections the run opened, the protocol they spoke and the most streams one carried. */
  connectionReport(): HttpConnectionReport {
    return this.counter.report();
  }

  async runStep(step: Step, ctx: StepContext): Promise<StepStats> {
    const { cfg } = this;
    const pool = this.pool;
    const recorder = new StepRecorder({
      step,
      windowMs: cfg.windowMs,
      minRequests: cfg.minRequests,
      now: ctx.now,
      onWindow: ctx.onWindow,
      nextWindowIndex: ctx.nextWindowIndex,
      liveness: ctx.liveness,
      ...(this.source ? { requests: this.source.names } : {}),
    });
    const pending = new InFlightTracker();
    const settle = () => {
      this.inFlight--;
      pending.done();
    };
    const options: Dispatcher.DispatchOptions = {
      origin: this.origin,
      method: cfg.method,
      path: this.requestPath,
      headers: cfg.headers,
      body: cfg.body ?? undefined,
    };
    const isOk = (status: number, req: number) => this.isOk(status, req);
    const done = () => settle();
    const check = cfg.check;
    const sampler = check ? new CheckSampler(check.every) : undefined;
    const src = this.source;
    const send = src
      ? (intendedAt: number) => {
          // Send i carries the request the source picks for i, its placeholders filled for i (a request refused at the cap skips its i).
          const i = this.seq++;
          const req = src.pick(i);
          const sentAt = ctx.now();
          recorder.scheduled(sentAt);
          if (this.inFlight >= cfg.maxInFlight) {
            recorder.capHit(sentAt, req);
            return;
          }
          recorder.sent(sentAt - intendedAt, sentAt, req);
          this.inFlight++;
          pending.add();
          pool.dispatch(
            src.options(req, i),
            sampler !== undefined && sampler.next()
              ? new CheckedTap(intendedAt, recorder, ctx.now, isOk, done, check as ResponseCheckConfig, req)
              : new ResponseTap(intendedAt, recorder, ctx.now, isOk, done, req),
          );
        }
      : (intendedAt: number) => {
          const sentAt = ctx.now();
          recorder.scheduled(sentAt);
          if (this.inFlight >= cfg.maxInFlight) {
            recorder.capHit(sentAt);
            return;
          }
          recorder.sent(sentAt - intendedAt, sentAt);
          this.inFlight++;
          pending.add();
          pool.dispatch(
            options,
            sampler !== undefined && sampler.next()
              ? new CheckedTap(intendedAt, recorder, ctx.now, isOk, done, check as ResponseCheckConfig)
              : new ResponseTap(intendedAt, recorder, ctx.now, isOk, done),
          );
        };

    const aborted = await runPacing({
      pacer: createPacer(cfg.arrival, step.load, cfg.seed + step.index),
      startAt: recorder.startedAt,
      durationMs: step.warmupMs + step.durationMs,
      now: ctx.now,
      signal: ctx.signal,
      send,
      maxRequests: step.maxRequests,
      mode: cfg.pacing,
    });
    recorder.sendingStopped();
    await pending.drain(cfg.drainTimeoutMs);
    this.freshPool();
    return recorder.finish(aborted);
  }

  /** Destroys every connection, the current pool's and those of earlier steps still closing: a run leaves no socket open. */
  async close(): Promise<void> {
    const pools = [this.pool, ...this.retiring];
    this.retiring.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
    this.counter.stop();
  }
}
