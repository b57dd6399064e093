// Shared by every engine: cuts a step into windows, one HDR histogram per
// window, and emits WindowStats as each window closes. Windows with fewer
// than minRequests responses are extended to the next boundary; the step's
// warm-up is cut into its own windows, reported but never evaluated.
import type { ErrorCounts, Step, StepStats, WindowStats } from '../types.js';
import { createHistogram, percentiles, p99Ms, recordMs, type Histogram } from '../stats/latency-histogram.js';

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
  /** Also record a time-to-first-message series (server-streaming calls). */
  firstMessage?: boolean;
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
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private sendEnd: number | undefined;

  constructor(opts: StepRecorderOptions) {
    this.opts = opts;
    this.stepStart = opts.now();
    this.warmupEnd = this.stepStart + opts.step.warmupMs;
    this.windowStart = this.stepStart;
    this.nextBoundary = this.boundaryAfter(this.stepStart);
    if (opts.firstMessage) this.first = { window: createHistogram(), step: createHistogram() };
    this.timer = setInterval(() => this.tick(), opts.tickMs ?? 20);
    this.timer.unref?.();
  }

  /** Run-clock time the step started. */
  get startedAt(): number {
    return this.stepStart;
  }

  private boundaryAfter(t: number): number {
    const { windowMs } = this.opts;
    if (t < this.warmupEnd) return Math.min(this.warmupEnd, this.stepStart + (Math.floor((t - this.stepStart) / windowMs) + 1) * windowMs);
    return this.warmupEnd + (Math.floor((t - this.warmupEnd) / windowMs) + 1) * windowMs;
  }

  scheduled(n = 1): void {
    this.c.scheduled += n;
  }

  /** A request left; lagMs = actual - intended send time. */
  sent(lagMs: number): void {
    this.c.sent++;
    recordMs(this.lag, lagMs);
    if (++this.inFlight > this.c.maxInFlight) this.c.maxInFlight = this.inFlight;
  }

  /** A response arrived. latencyMs from the intended send time (open loop). ok=false counts it as an error of errorKind. */
  response(latencyMs: number, ok: boolean, errorKind?: string): void {
    this.inFlight--;
    this.c.completed++;
    recordMs(this.latency, latencyMs);
    if (ok) this.c.ok++;
    else this.error(errorKind ?? 'error');
  }

  /** The first message of a stream arrived, latencyMs after the intended send time. */
  firstMessage(latencyMs: number): void {
    if (this.first) recordMs(this.first.window, latencyMs);
  }

  /** A request failed without a response (timeout, connection, deadline...). */
  failed(kind: string): void {
    this.inFlight--;
    this.c.transportErrors++;
    this.error(kind);
  }

  /** A scheduled request was not sent because the in-flight cap was reached. */
  capHit(): void {
    this.c.capHits++;
    this.error('in-flight-cap');
  }

  private error(kind: string): void {
    this.c.errors[kind] = (this.c.errors[kind] ?? 0) + 1;
    this.c.errorTotal++;
  }

  get currentInFlight(): number {
    return this.inFlight;
  }

  /** Closes the current window if its boundary passed and it has enough responses. */
  tick(): void {
    if (this.finished) return;
    const t = this.opts.now();
    if (t < this.nextBoundary) return;
    const inWarmup = this.windowStart < this.warmupEnd;
    if (inWarmup || this.c.completed + this.c.transportErrors >= this.opts.minRequests) {
      this.close(this.nextBoundary);
    }
    this.nextBoundary = this.boundaryAfter(Math.max(t, this.nextBoundary));
  }

  private close(tEnd: number): void {
    const { step } = this.opts;
    const warmup = this.windowStart < this.warmupEnd;
    const rateEnd = this.sendEnd !== undefined && this.sendEnd > this.windowStart ? Math.min(tEnd, this.sendEnd) : tEnd;
    const durS = Math.max(1e-3, (rateEnd - this.windowStart) / 1000);
    const p = percentiles(this.latency);
    const attempts = this.c.completed + this.c.transportErrors + this.c.capHits;
    const w: WindowStats = {
      index: this.opts.nextWindowIndex(),
      stepIndex: step.index,
      phase: step.phase,
      warmup,
      tStart: this.windowStart,
      tEnd,
      offered: step.load,
      scheduled: this.c.scheduled,
      sent: this.c.sent,
      completed: this.c.completed,
      errors: this.c.errors,
      errorTotal: this.c.errorTotal,
      errorRate: attempts === 0 ? 0 : this.c.errorTotal / attempts,
      sendRate: this.c.sent / durS,
      achievedRate: this.c.ok / durS,
      p50: p.p50,
      p90: p.p90,
      p99: p.p99,
      max: p.max,
      mean: p.mean,
      sendLagP99: p99Ms(this.lag),
      maxInFlight: Math.max(this.c.maxInFlight, this.inFlight),
      capHits: this.c.capHits,
      sparse: !warmup && this.c.completed + this.c.transportErrors < this.opts.minRequests,
      runtime: {},
    };
    if (this.first) {
      const f = percentiles(this.first.window);
      w.firstMessage = { p50: f.p50, p99: f.p99 };
      if (!warmup) this.first.step.add(this.first.window);
      this.first.window.reset();
    }
    if (!warmup) {
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
      s.maxInFlight = Math.max(s.maxInFlight, w.maxInFlight);
      for (const [k, v] of Object.entries(this.c.errors)) s.errors[k] = (s.errors[k] ?? 0) + v;
    }
    this.windows.push(w);
    this.c = zero();
    this.c.maxInFlight = this.inFlight;
    this.latency.reset();
    this.lag.reset();
    this.windowStart = tEnd;
    this.opts.onWindow(w);
  }

  /** The schedule ended (or was aborted): rates of the last window are per second of sending, not of draining. */
  sendingStopped(): void {
    this.sendEnd ??= this.opts.now();
  }

  /** Closes the last window (it runs to the end of the drain) and returns the step's statistics. */
  finish(aborted: boolean): StepStats {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const t = this.opts.now();
    this.sendingStopped();
    if (!this.finished) {
      this.finished = true;
      // A tail too small to stand alone is still reported, marked sparse.
      if (t > this.windowStart || this.c.completed + this.c.transportErrors + this.c.sent > 0) this.close(t);
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
      aborted,
      elapsedMs: t - this.stepStart,
    };
  }
}
