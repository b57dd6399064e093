// Samples every configured runtime signal on its own timer, next to the load.
// Nothing here is awaited by the load loop: each sample has a timeout, a tick
// that finds the signal's previous sample still pending records a gap instead
// of piling up a second request, and a hanging endpoint only delays its own
// signal. Values are recorded with the run clock (`now`, ms since run start)
// at the moment the response arrived.
import { createSampler as defaultCreateSampler } from './registry.js';
import { CounterPrimingError, type RuntimeSamplerInstance, type RuntimeSignalConfig, type SamplerOptions } from './types.js';
import type { RuntimeSample, SamplerHealth } from '../types.js';

export const PENDING_GAP = 'previous sample still pending';
export const STOPPED_GAP = 'sampler stopped';

export interface SamplingLoopOptions {
  signals: RuntimeSignalConfig[];
  /** Time between two samples of one signal, ms (> 0). */
  intervalMs: number;
  /** Per-sample timeout, ms (> 0). */
  timeoutMs: number;
  /** Base for path endpoints. */
  targetUrl: string;
  /** Run clock: ms since the run started. */
  now: () => number;
  /** Passed to every sampler factory (HTTP dispatcher, clock, body limit). */
  samplerOptions?: SamplerOptions;
  /** Builds the sampler of one signal. Default: the registry's createSampler (tests may inject fakes). */
  createSampler?: (signal: RuntimeSignalConfig, targetUrl: string, options?: SamplerOptions) => RuntimeSamplerInstance;
}

export type SampleListener = (sample: RuntimeSample) => void;

interface SignalState {
  readonly name: string;
  readonly sampler: RuntimeSamplerInstance;
  readonly samples: RuntimeSample[];
  timer?: NodeJS.Timeout;
  /** Index of the next tick on the grid. */
  tickIndex: number;
  pending?: Promise<RuntimeSample>;
  controller?: AbortController;
  successes: number;
  gaps: number;
  lastError?: string;
}

export class SamplingLoop {
  private readonly states: SignalState[];
  private readonly all: RuntimeSample[] = [];
  private readonly listeners = new Set<SampleListener>();
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private startedAt: number | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;

  /** Builds one sampler per signal; throws at once on a signal that cannot be resolved against targetUrl. */
  constructor(options: SamplingLoopOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${options.intervalMs}`);
    if (!(options.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${options.timeoutMs}`);
    this.intervalMs = options.intervalMs;
    this.timeoutMs = options.timeoutMs;
    this.now = options.now;
    const create = options.createSampler ?? defaultCreateSampler;
    this.states = options.signals.map((signal) => ({
      name: signal.name,
      sampler: create(signal, options.targetUrl, options.samplerOptions),
      samples: [],
      tickIndex: 0,
      successes: 0,
      gaps: 0,
    }));
  }

  /** Starts every signal's timer; the first sample of each is taken at once. */
  start(): void {
    if (this.stopped) throw new Error('SamplingLoop cannot be restarted after stop()');
    if (this.startedAt !== undefined) return;
    this.startedAt = performance.now();
    for (const state of this.states) this.tick(state);
  }

  /** Stops the timers, waits at most timeoutMs for pending samples, then aborts what is left. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  /** Every sample so far, gaps included, in order of t. */
  samples(): RuntimeSample[] {
    return this.all.slice();
  }

  /** The value of `signal` for a window: the last non-null sample with t in [tStart, tEnd), else null. */
  latestInRange(signal: string, tStart: number, tEnd: number): number | null {
    const samples = this.states.find((s) => s.name === signal)?.samples ?? [];
    for (let i = samples.length - 1; i >= 0; i--) {
      const s = samples[i] as RuntimeSample;
      if (s.t < tStart) break;
      if (s.t < tEnd && s.value !== null) return s.value;
    }
    return null;
  }

  /**
   * Per signal: ok = no gaps, gaps = some samples failed, failed = not one succeeded.
   * A counter's first sample ("counter: first sample") is counted in samples, not as a gap.
   */
  health(): SamplerHealth[] {
    return this.states.map((s) => ({
      signal: s.name,
      status: s.gaps === 0 ? 'ok' : s.successes === 0 ? 'failed' : 'gaps',
      samples: s.samples.length,
      gaps: s.gaps,
      ...(s.lastError !== undefined ? { lastError: s.lastError } : {}),
    }));
  }

  /**
   * One immediate sample of every signal (e.g. the final reading at the breach), recorded like the
   * others. A signal whose sample is already pending is not asked twice: its pending result is returned.
   * Works before start() and after stop(). Resolves within about timeoutMs.
   */
  sampleOnce(): Promise<RuntimeSample[]> {
    return Promise.all(this.states.map((s) => s.pending ?? this.runSample(s)));
  }

  /** Subscribes to every recorded sample (gaps included); returns the unsubscribe function. Listener errors are ignored. */
  onSample(listener: SampleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tick(state: SignalState): void {
    if (this.stopped || this.startedAt === undefined) return;
    if (state.pending !== undefined) {
      this.record(state, { signal: state.name, t: this.now(), value: null, latencyMs: 0, error: PENDING_GAP }, false);
    } else {
      void this.runSample(state);
    }
    // Next tick on the grid startedAt + k * interval; ticks missed while the event loop was busy are skipped.
    const elapsed = performance.now() - this.startedAt;
    state.tickIndex = Math.max(state.tickIndex + 1, Math.floor(elapsed / this.intervalMs) + 1);
    state.timer = setTimeout(() => this.tick(state), Math.max(0, state.tickIndex * this.intervalMs - elapsed));
    state.timer.unref();
  }

  private runSample(state: SignalState): Promise<RuntimeSample> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`timeout after ${formatMs(this.timeoutMs)}`)), this.timeoutMs);
    const started = performance.now();
    const finish = (value: number | null, error: string | undefined, priming: boolean): RuntimeSample => {
      clearTimeout(timer);
      if (state.pending === promise) {
        state.pending = undefined;
        state.controller = undefined;
      }
      const sample: RuntimeSample = { signal: state.name, t: this.now(), value, latencyMs: round2(performance.now() - started) };
      if (error !== undefined) sample.error = error;
      return this.record(state, sample, priming);
    };
    // Deferred by one microtask so a sampler that throws synchronously still sees `pending` set; the abort
    // settles it even if a sampler ignores its signal, so a sample never outlives its timeout.
    const promise: Promise<RuntimeSample> = Promise.resolve()
      .then(() => raceAbort(state.sampler.sample(controller.signal), controller.signal))
      .then(
        (value) => (typeof value === 'number' && Number.isFinite(value) ? finish(value, undefined, false) : finish(null, 'not a number', false)),
        (err: unknown) => {
          const reason: unknown = controller.signal.aborted ? controller.signal.reason : err;
          return finish(null, reason instanceof Error ? reason.message : String(reason), err instanceof CounterPrimingError);
        },
      );
    state.pending = promise;
    state.controller = controller;
    return promise;
  }

  private record(state: SignalState, sample: RuntimeSample, priming: boolean): RuntimeSample {
    this.all.push(sample);
    state.samples.push(sample);
    if (sample.value !== null) {
      state.successes++;
    } else if (!priming) {
      state.gaps++;
      state.lastError = sample.error;
    }
    for (const listener of this.listeners) {
      try {
        listener(sample);
      } catch {
        // A listener must never break sampling.
      }
    }
    return sample;
  }

  private async doStop(): Promise<void> {
    this.stopped = true;
    for (const state of this.states) clearTimeout(state.timer);
    const pending = (): Promise<RuntimeSample>[] => this.states.flatMap((s) => (s.pending ? [s.pending] : []));
    await settleWithin(pending(), this.timeoutMs);
    for (const state of this.states) state.controller?.abort(new Error(STOPPED_GAP));
    await settleWithin(pending(), 100);
  }
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Waits until every promise settled or ms passed, whichever is first. */
async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.allSettled(promises), deadline]);
  clearTimeout(timer);
}

function round2(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
