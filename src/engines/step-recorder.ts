// Shared by every engine: cuts a step into windows, one HDR histogram per
// window, and emits WindowStats as each window closes. Windows with fewer
// than minRequests outcomes (responses, transport failures, and requests the
// in-flight cap refused: a hanging target yields only those) are extended to
// the next boundary; the step's warm-up is cut into its own windows, reported
// but never evaluated.
import type { ErrorCounts, LivenessSink, Step, StepStats, WindowStats } from '../types.js';
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
  /** Told of every response and transport failure (StepContext.liveness). */
  liveness?: LivenessSink;
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
  /** The last closed window's histograms and ok count, kept so a send-less tail can be folded into it. */
  private prev: { latency: Histogram; lag: Histogram; ok: number; transport: number; capHits: number; window: WindowStats; durS: number } | null = null;
  private readonly stepLatency: Histogram = createHistogram();
  private readonly stepLag: Histogram = createHistogram();
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
    this.timer = setInterval(() => this.tick(), opts.tickMs ?? 20);
    this.timer.unref?.();
  }

  /** Run-clock time the step started. */
  get startedAt(): number {
    return this.stepStart;
  }

  /** The first window boundary strictly after t. (Fix from main, 5283e0c: float error made boundaryAfter(boundary) return itself, an infinite loop in tick().) */
  private boundaryAfter(t: number): number {
    const { windowMs } = this.opts;
    const base = t < this.warmupEnd ? this.stepStart : this.warmupEnd;
    let b = base + (Math.floor((t - base) / windowMs + 1e-9) + 1) * windowMs;
    if (t < this.warmupEnd) b = Math.min(b, this.warmupEnd);
    return b > t ? b : t + windowMs;
  }

  scheduled(at: number): void {
    this.at(at);
    this.c.scheduled++;
  }

  /** Closes due windows before an event at run-clock time `at` is counted, so every event lands in the window it belongs to. */
  private at(t: number): void {
    if (t >= this.nextBoundary) this.tick(t);
  }

  /** A request left at run-clock time `at`; lagMs = actual - intended send time. */
  sent(lagMs: number, at: number): void {
    this.at(at);
    this.c.sent++;
    recordMs(this.lag, lagMs);
    if (++this.inFlight > this.c.maxInFlight) this.c.maxInFlight = this.inFlight;
  }

  /** A response arrived at `at`. latencyMs from the intended send time (open loop). ok=false counts it as an error of errorKind. */
  response(latencyMs: number, ok: boolean, at: number, errorKind?: string): void {
    this.at(at);
    this.opts.liveness?.response(at);
    this.inFlight--;
    this.c.completed++;
    recordMs(this.latency, latencyMs);
    if (ok) this.c.ok++;
    else this.error(errorKind ?? 'error');
  }

  /** A request failed without a response (timeout, connection, deadline...) at `at`. */
  failed(kind: string, at: number): void {
    this.at(at);
    this.opts.liveness?.failed(kind, at);
    this.inFlight--;
    this.c.transportErrors++;
    this.error(kind);
  }

  /** A scheduled request was not sent at `at` because the in-flight cap was reached. */
  capHit(at: number): void {
    this.at(at);
    this.c.capHits++;
    this.error('in-flight-cap');
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
      if (inWarmup || this.outcomes() >= this.opts.minRequests) this.close(this.nextBoundary);
      this.nextBoundary = this.boundaryAfter(this.nextBoundary);
    }
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
      sparse: !warmup && this.outcomes() < this.opts.minRequests,
      runtime: {},
    };
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
    // Swap histograms: the closed window's stay readable until the next close.
    const spare = this.prev ?? { latency: createHistogram(), lag: createHistogram() };
    this.prev = { latency: this.latency, lag: this.lag, ok: this.c.ok, transport: this.c.transportErrors, capHits: this.c.capHits, window: w, durS };
    this.latency = spare.latency;
    this.lag = spare.lag;
    this.latency.reset();
    this.lag.reset();
    this.c = zero();
    this.c.maxInFlight = this.inFlight;
    this.windowStart = tEnd;
    this.opts.onWindow(w);
  }

  /**
   * After the schedule stopped, what is left is only the completions of requests
   * sent in the last window: fold them into that window (its rates stay per second
   * of sending) instead of reporting a tail window with a meaningless rate.
   */
  private foldTail(tEnd: number): boolean {
    const p = this.prev;
    if (!p || this.c.sent > 0 || this.c.capHits > 0 || p.window.warmup !== (this.windowStart < this.warmupEnd)) return false;
    const w = p.window;
    p.latency.add(this.latency);
    const ok = p.ok + this.c.ok;
    const transport = p.transport + this.c.transportErrors;
    const pc = percentiles(p.latency);
    w.tEnd = tEnd;
    w.completed += this.c.completed;
    for (const [k, v] of Object.entries(this.c.errors)) w.errors[k] = (w.errors[k] ?? 0) + v;
    w.errorTotal += this.c.errorTotal;
    const attempts = w.completed + transport + p.capHits;
    w.errorRate = attempts === 0 ? 0 : w.errorTotal / attempts;
    w.achievedRate = ok / p.durS;
    Object.assign(w, { p50: pc.p50, p90: pc.p90, p99: pc.p99, max: pc.max, mean: pc.mean });
    w.sparse = !w.warmup && w.completed + transport + p.capHits < this.opts.minRequests;
    if (!w.warmup) {
      this.stepLatency.add(this.latency);
      const s = this.step;
      s.completed += this.c.completed;
      s.ok += this.c.ok;
      s.errorTotal += this.c.errorTotal;
      s.transportErrors += this.c.transportErrors;
      for (const [k, v] of Object.entries(this.c.errors)) s.errors[k] = (s.errors[k] ?? 0) + v;
    }
    return true;
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
      // A tail with sends is a window of its own (marked sparse if small); a send-less tail folds into the last window.
      if (!this.foldTail(t) && (t > this.windowStart || this.c.completed + this.c.transportErrors + this.c.sent > 0)) this.close(t);
    }
    const p = percentiles(this.stepLatency);
    const measuredMs = Math.max(1, (this.sendEnd ?? t) - Math.max(this.warmupEnd, this.stepStart));
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
      aborted,
      elapsedMs: t - this.stepStart,
    };
  }
}
