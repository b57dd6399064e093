// Shared by every engine: cuts a step into windows, one HDR histogram per
// window, and emits each window once, complete, as it closes (the rules that
// make a window are stats/window-builder.ts's, shared with the k6 assembler).
// A measured window with fewer than minRequests outcomes is extended to the
// next boundary; the step's warm-up is cut into its own windows, reported but
// never evaluated; the step's tail is a window of its own.
//
// Per-request identity: every event takes an optional last argument, the
// index of the request in the scenario's request list (opts.requests). With
// several requests each window and the step also carry byRequest, built from
// one RequestTally per name; with none or one the tallies do not exist and
// the hot path is what it always was (one field check per event).
import type { ErrorCounts, LivenessSink, Step, StepStats, WindowStats } from '../types.js';
import { createHistogram, percentiles, p99Ms, recordMs, type Histogram } from '../stats/latency-histogram.js';
import {
  buildWindow,
  createRequestTally,
  mayClose,
  mergeRequestTally,
  requestBreakdown,
  resetRequestTally,
  windowSeconds,
  type RequestTally,
} from '../stats/window-builder.js';

export interface StepRecorderOptions {
  step: Step;
  windowMs: number;
  minRequests: number;
  /** Run clock: ms since the run started. */
  now: () => number;
  onWindow: (w: WindowStats) => void;
  nextWindowIndex: () => number;
  /** Which statuses count as success is the engine's business: it passes ok=false with a kind. */
  tickMs?: number;
  /** Fraction of the time since its last call the generator was busy (0..1); read once per window into generatorBusy. */
  busy?: () => number;
  /** Also record a time-to-first-message series (server-streaming calls). */
  firstMessage?: boolean;
  /** Told of every response and transport failure (StepContext.liveness): required, so every engine feeds the watchdog. */
  liveness: LivenessSink;
  /** Names of the scenario's requests, in order: events' `req` indexes into it. Absent or one name: no breakdown, no cost. */
  requests?: readonly string[];
  /**
   * Fed by other threads: windows close only when mergeThrough() says every load thread's slice up to a
   * boundary is in (no timer, no per-request events on this thread).
   */
  external?: boolean;
}

/** What a load thread recorded between two window boundaries (threads/window-slices.ts), ready to merge. */
export interface MergedSlice {
  scheduled: number;
  sent: number;
  completed: number;
  ok: number;
  transportErrors: number;
  capHits: number;
  errors: ErrorCounts;
  errorTotal: number;
  /** Highest in-flight count (over all threads) the thread saw during the slice. */
  maxInFlight: number;
  /** Integral of the thread's in-flight count over the slice, request-ms. */
  inFlightArea: number;
  latency: Histogram;
  lag: Histogram;
  /** The thread (0-based) and its own send-lag p99 over the slice, ms. */
  thread: number;
  lagP99: number;
  /** Time to first message (server streams), when any arrived in the slice. */
  first?: Histogram;
  errorExample?: string;
  /** Several requests: the thread's tally of each request over the slice, by index. */
  byRequest?: RequestTally[];
}

/** The first window boundary strictly after t: every windowMs from the step start, the warm-up's end, then every windowMs from it. */
export function windowBoundaryAfter(t: number, stepStart: number, warmupEnd: number, windowMs: number): number {
  const base = t < warmupEnd ? stepStart : warmupEnd;
  // The small epsilon keeps t = a boundary (up to float error) from mapping to itself.
  let b = base + (Math.floor((t - base) / windowMs + 1e-9) + 1) * windowMs;
  if (t < warmupEnd) b = Math.min(b, warmupEnd);
  return b > t ? b : t + windowMs;
}

/** Per-request tallies of the current window and of the step (warm-up excluded). */
interface ByRequest {
  names: readonly string[];
  window: RequestTally[];
  step: RequestTally[];
}

interface Counters {
  scheduled: number;
  sent: number;
  completed: number;
  ok: number;
  errors: ErrorCounts;
  errorTotal: number;
  transportErrors: number;
  capHits: number;
  maxInFlight: number;
}

const zero = (): Counters => ({ scheduled: 0, sent: 0, completed: 0, ok: 0, errors: {}, errorTotal: 0, transportErrors: 0, capHits: 0, maxInFlight: 0 });

export class StepRecorder {
  private readonly opts: StepRecorderOptions;
  private readonly stepStart: number;
  private readonly warmupEnd: number;
  private windowStart: number;
  private nextBoundary: number;
  private c: Counters = zero();
  private latency: Histogram = createHistogram();
  private lag: Histogram = createHistogram();
  private readonly stepLatency: Histogram = createHistogram();
  private readonly stepLag: Histogram = createHistogram();
  /** Time to first message (streams), per window and per step; absent unless opts.firstMessage. */
  private readonly first: { window: Histogram; step: Histogram } | undefined;
  private readonly step: Counters = zero();
  private readonly windows: WindowStats[] = [];
  private inFlight = 0;
  /** Integral of inFlight over time since inFlightSince (request-ms), for the window's time-averaged in-flight. */
  private inFlightArea = 0;
  private inFlightSince: number;
  private inFlightAt: number;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private example: string | undefined;
  private sendEnd: number | undefined;
  /** Several requests only; undefined keeps every event's extra work to one check. */
  private readonly per: ByRequest | undefined;
  /** External feed: the thread with the highest send-lag p99 of the current window. */
  private laggard: { thread: number; p99: number } | null = null;

  constructor(opts: StepRecorderOptions) {
    this.opts = opts;
    const names = opts.requests;
    if (names !== undefined && names.length > 1)
      this.per = { names, window: names.map(() => createRequestTally()), step: names.map(() => createRequestTally()) };
    this.stepStart = opts.now();
    this.warmupEnd = this.stepStart + opts.step.warmupMs;
    this.windowStart = this.stepStart;
    this.inFlightSince = this.inFlightAt = this.stepStart;
    this.nextBoundary = this.boundaryAfter(this.stepStart);
    if (opts.firstMessage) this.first = { window: createHistogram(), step: createHistogram() };
    if (!opts.external) {
      this.timer = setInterval(() => this.tick(), opts.tickMs ?? 20);
      this.timer.unref?.();
    }
  }

  /** Run-clock time the step started. */
  get startedAt(): number {
    return this.stepStart;
  }

  /** The first window boundary strictly after t (boundaries: every windowMs from the step start, the warm-up's end, then every windowMs from it). */
  private boundaryAfter(t: number): number {
    return windowBoundaryAfter(t, this.stepStart, this.warmupEnd, this.opts.windowMs);
  }

  scheduled(at: number): void {
    this.at(at);
    this.c.scheduled++;
  }

  /** Closes due windows before an event at run-clock time `at` is counted, so every event lands in the window it belongs to. */
  private at(t: number): void {
    if (t >= this.nextBoundary) this.tick(t);
  }

  /** Adds inFlight x elapsed time to the area before inFlight changes. */
  private advance(t: number): void {
    if (t <= this.inFlightAt) return;
    this.inFlightArea += this.inFlight * (t - this.inFlightAt);
    this.inFlightAt = t;
  }

  /**
   * A request left at run-clock time `at`; lagMs = actual - intended send time (undefined in a closed loop, which has no intended time: send lag reads 0).
   * `req`: the request's index in opts.requests (default 0), as in every event below.
   */
  sent(lagMs: number | undefined, at: number, req?: number): void {
    this.at(at);
    this.advance(at);
    this.c.sent++;
    if (lagMs !== undefined) recordMs(this.lag, lagMs);
    if (++this.inFlight > this.c.maxInFlight) this.c.maxInFlight = this.inFlight;
    if (this.per !== undefined) this.tally(req).sent++;
  }

  /** A response arrived at `at`. latencyMs from the intended send time (open loop). ok=false counts it as an error of errorKind. */
  response(latencyMs: number, ok: boolean, at: number, errorKind?: string, req?: number): void {
    this.at(at);
    this.advance(at);
    this.opts.liveness.response(at);
    this.inFlight--;
    this.c.completed++;
    recordMs(this.latency, latencyMs);
    if (ok) this.c.ok++;
    else this.error(errorKind ?? 'error');
    if (this.per !== undefined) {
      const t = this.tally(req);
      t.completed++;
      recordMs(t.latency, latencyMs);
      if (ok) t.ok++;
      else tallyError(t, errorKind ?? 'error');
    }
  }

  /** The current window's tally of request `req` (several requests only). */
  private tally(req: number | undefined): RequestTally {
    const t = (this.per as ByRequest).window[req ?? 0];
    if (t === undefined) throw new RangeError(`request index ${req} is outside the scenario's ${(this.per as ByRequest).names.length} requests`);
    return t;
  }

  /** The first message of a stream arrived, latencyMs after the intended send time. */
  firstMessage(latencyMs: number): void {
    if (this.first) recordMs(this.first.window, latencyMs);
  }

  /** A request failed without a response (timeout, connection, deadline...) at `at`. */
  failed(kind: string, at: number, req?: number): void {
    this.at(at);
    this.advance(at);
    this.opts.liveness.failed(kind, at);
    this.inFlight--;
    this.c.transportErrors++;
    this.error(kind);
    if (this.per !== undefined) {
      const t = this.tally(req);
      t.transport++;
      tallyError(t, kind);
    }
  }

  /** Requests the generator itself gave up when it stopped (closed loop: pipelined behind the last response): no longer in flight, counted nowhere. */
  abandoned(n: number, at: number): void {
    this.at(at);
    this.advance(at);
    this.inFlight = Math.max(0, this.inFlight - n);
  }

  /** A scheduled request was not sent at `at` because the in-flight cap was reached. */
  capHit(at: number, req?: number): void {
    this.at(at);
    this.c.capHits++;
    this.error('in-flight-cap');
    if (this.per !== undefined) {
      const t = this.tally(req);
      t.capHits++;
      tallyError(t, 'in-flight-cap');
    }
  }

  /** Adds a load thread's slice to the current window (external feed). Its events all precede the boundary the next mergeThrough() names. */
  merge(x: MergedSlice): void {
    const c = this.c;
    c.scheduled += x.scheduled;
    c.sent += x.sent;
    c.completed += x.completed;
    c.ok += x.ok;
    c.transportErrors += x.transportErrors;
    c.capHits += x.capHits;
    c.errorTotal += x.errorTotal;
    for (const k in x.errors) c.errors[k] = (c.errors[k] ?? 0) + (x.errors[k] as number);
    if (x.maxInFlight > c.maxInFlight) c.maxInFlight = x.maxInFlight;
    this.inFlightArea += x.inFlightArea;
    this.latency.add(x.latency);
    this.lag.add(x.lag);
    if (x.first && this.first) this.first.window.add(x.first);
    if (x.sent > 0 && (this.laggard === null || x.lagP99 > this.laggard.p99)) this.laggard = { thread: x.thread, p99: x.lagP99 };
    if (x.errorExample !== undefined) this.errorExample(x.errorExample);
    if (this.per !== undefined && x.byRequest !== undefined) {
      const window = this.per.window;
      x.byRequest.forEach((t, i) => mergeRequestTally(window[i] as RequestTally, t));
    }
  }

  /**
   * Every load thread's slice up to run-clock time t is merged (external feed): `inFlight` requests are in
   * flight over all threads at t. Closes the windows that end by t, as tick() does for events on this thread.
   */
  mergeThrough(t: number, inFlight: number): void {
    this.inFlight = inFlight;
    if (t > this.inFlightAt) this.inFlightAt = t;
    this.tick(t);
  }

  /** True until the step's first failed request has been described (engines check it before building the text). */
  get wantsErrorExample(): boolean {
    return this.example === undefined;
  }

  /** The step's first failed request as the engine saw it (e.g. "HTTP 403 Forbidden"): kept once, reported with the step. */
  errorExample(text: string): void {
    this.example ??= text;
  }

  private error(kind: string): void {
    this.c.errors[kind] = (this.c.errors[kind] ?? 0) + 1;
    this.c.errorTotal++;
  }

  /** Requests of the current window with an outcome: answered, failed, or refused at the in-flight cap. */
  private outcomes(): number {
    return this.c.completed + this.c.transportErrors + this.c.capHits;
  }

  get currentInFlight(): number {
    return this.inFlight;
  }

  /** Closes the current window if its boundary passed and it has enough responses. */
  tick(now?: number): void {
    if (this.finished) return;
    const t = now ?? this.opts.now();
    // Every boundary passed since the last call, in order (warm-up windows end exactly at the warm-up's end).
    while (t >= this.nextBoundary) {
      const inWarmup = this.windowStart < this.warmupEnd;
      if (inWarmup || mayClose({ completed: this.c.completed, transport: this.c.transportErrors, capHits: this.c.capHits }, this.opts.minRequests))
        this.close(this.nextBoundary);
      this.nextBoundary = this.boundaryAfter(this.nextBoundary);
    }
  }

  /** Adds the current window's counters and histograms to the step's totals (warm-up windows never are). */
  private addToStep(maxInFlight: number): void {
    this.stepLatency.add(this.latency);
    this.stepLag.add(this.lag);
    const s = this.step;
    s.scheduled += this.c.scheduled;
    s.sent += this.c.sent;
    s.completed += this.c.completed;
    s.ok += this.c.ok;
    s.errorTotal += this.c.errorTotal;
    s.transportErrors += this.c.transportErrors;
    s.capHits += this.c.capHits;
    s.maxInFlight = Math.max(s.maxInFlight, maxInFlight);
    for (const [k, v] of Object.entries(this.c.errors)) s.errors[k] = (s.errors[k] ?? 0) + v;
    if (this.per !== undefined) this.per.window.forEach((t, i) => mergeRequestTally(this.per!.step[i] as RequestTally, t));
  }

  /**
   * Emits the current window, once, complete. The tail (what is left when the
   * schedule stops: the last sends and the completions of the drain) is a
   * window of its own; one with less than half a window of sending is too
   * short to judge: it is marked sparse, and its rates are per second of at
   * least one window, so a sliver of sends cannot show as a rate spike.
   */
  private close(tEnd: number, tail = false): void {
    const { step, windowMs, minRequests } = this.opts;
    const warmup = this.windowStart < this.warmupEnd;
    const { rateS, shortTail } = windowSeconds({ start: this.windowStart, end: tEnd, sendEnd: this.sendEnd, windowMs, tail });
    const areaEnd = Math.max(tEnd, this.inFlightAt);
    this.advance(areaEnd);
    const meanInFlight = areaEnd > this.inFlightSince ? this.inFlightArea / (areaEnd - this.inFlightSince) : this.inFlight;
    this.inFlightArea = 0;
    this.inFlightSince = areaEnd;
    const first = this.first ? percentiles(this.first.window) : null;
    const c = this.c;
    // Threads: the send lag is judged per thread and in total (a mixture's p99 is at most its worst part's), and the window names the laggard.
    const lagP99 = p99Ms(this.lag);
    const laggard = this.laggard;
    this.laggard = null;
    const w = buildWindow(
      { index: this.opts.nextWindowIndex(), step, warmup, tStart: this.windowStart, tEnd, minRequests, rateS, shortTail },
      {
        scheduled: c.scheduled,
        sent: c.sent,
        completed: c.completed,
        ok: c.ok,
        transport: c.transportErrors,
        capHits: c.capHits,
        errors: c.errors,
        errorTotal: c.errorTotal,
        maxInFlight: Math.max(c.maxInFlight, this.inFlight),
      },
      percentiles(this.latency),
      {
        sendLagP99: laggard ? Math.max(lagP99, laggard.p99) : lagP99,
        ...(laggard ? { sendLagThread: laggard.thread } : {}),
        meanInFlight,
        ...(this.opts.busy ? { generatorBusy: this.opts.busy() } : {}),
        ...(first ? { firstMessage: { p50: first.p50, p99: first.p99 } } : {}),
        ...(this.per ? { byRequest: { names: this.per.names, tallies: this.per.window } } : {}),
      },
    );
    if (this.first) {
      if (!warmup) this.first.step.add(this.first.window);
      this.first.window.reset();
    }
    if (!warmup) this.addToStep(w.maxInFlight);
    this.windows.push(w);
    this.latency.reset();
    this.lag.reset();
    if (this.per !== undefined) for (const t of this.per.window) resetRequestTally(t);
    this.c = zero();
    this.c.maxInFlight = this.inFlight;
    this.windowStart = tEnd;
    this.opts.onWindow(w);
  }

  /** The schedule ended (or was aborted): rates of the last window are per second of sending, not of draining. */
  sendingStopped(at?: number): void {
    this.sendEnd ??= at ?? this.opts.now();
  }

  /** Closes the last window (it runs to the end of the drain) and returns the step's statistics. */
  finish(aborted: boolean): StepStats {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const t = this.opts.now();
    this.sendingStopped();
    if (!this.finished) {
      this.finished = true;
      if (t > this.windowStart || this.outcomes() + this.c.sent > 0) this.close(t, true);
    }
    const p = percentiles(this.stepLatency);
    const measuredMs = Math.max(1, (this.sendEnd ?? t) - Math.max(this.warmupEnd, this.stepStart));
    const first = this.first && percentiles(this.first.step);
    return {
      step: this.opts.step,
      windows: this.windows,
      sent: this.step.sent,
      completed: this.step.completed,
      errors: this.step.errors,
      errorTotal: this.step.errorTotal,
      achievedRate: this.step.ok / (measuredMs / 1000),
      p50: p.p50,
      p90: p.p90,
      p99: p.p99,
      max: p.max,
      mean: p.mean,
      sendLagP99: p99Ms(this.stepLag),
      maxInFlight: this.step.maxInFlight,
      ...(first ? { firstMessage: { p50: first.p50, p99: first.p99 } } : {}),
      ...(this.per ? { byRequest: requestBreakdown(this.per.names, this.per.step, measuredMs / 1000) } : {}),
      ...(this.example !== undefined ? { errorExample: this.example } : {}),
      aborted,
      elapsedMs: t - this.stepStart,
      inFlightAtEnd: this.inFlight,
    };
  }
}

function tallyError(t: RequestTally, kind: string): void {
  t.errors[kind] = (t.errors[kind] ?? 0) + 1;
  t.errorTotal++;
}
