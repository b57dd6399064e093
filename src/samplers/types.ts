// The runtime-sampler contract. A sampler reads one number (one signal) from
// one endpoint of the target; the SamplingLoop runs every sampler on its own
// timer next to the load. Samplers never decide: values go to the detector.
//
// The config types here are the fully defaulted output of runtimeSchema
// (schema.ts, the one home of defaults); RuntimeConfigInput is what users write.
import type { Dispatcher } from 'undici';

/** Endpoint kinds, one folder each under src/samplers/. */
export type SamplerKind = 'pprof-goroutine' | 'expvar' | 'prometheus' | 'json';

/** Evidence profiles that can be saved at the breach. */
export type CaptureKind = 'goroutine' | 'heap';

/**
 * Where a signal is read, normalised from the user's `{ pprof: ... }` /
 * `{ expvar: ..., field }` / `{ prometheus: ..., metric, labels }` / `{ json: ..., field }`.
 * `endpoint` is a path resolved against the target url (origin-relative when it
 * starts with "/") or a full http(s) URL.
 */
export type SignalSource =
  | { kind: 'pprof-goroutine'; endpoint: string }
  | { kind: 'expvar'; endpoint: string; field: string }
  | { kind: 'prometheus'; endpoint: string; metric: string; labels: Record<string, string> }
  | { kind: 'json'; endpoint: string; field: string };

/** How the detector treats a runtime signal (fully defaulted). */
export interface SignalDetect {
  /** Practical floor: value >= minRatio x baseline median ('up'), or <= median / minRatio ('down'). */
  minRatio: number;
  /** Also require a positive slope (negative for 'down') inside the constant-load step. */
  rising: boolean;
  /** true: the signal can stop the run; false: charted and reported only. */
  enabled: boolean;
  direction: 'up' | 'down';
}

/** One configured runtime signal (fully defaulted). */
export interface RuntimeSignalConfig {
  /** Unique name: the column in runtime.csv and the key in WindowStats.runtime. */
  name: string;
  source: SignalSource;
  detect: SignalDetect;
}

/** The scenario's `runtime` block (fully defaulted). */
export interface RuntimeConfig {
  /** Time between two samples of one signal, ms. */
  interval: number;
  /** Per-sample timeout, ms. */
  timeout: number;
  signals: RuntimeSignalConfig[];
  /** Profiles saved at the breach. */
  capture: CaptureKind[];
}

/** A ready sampler for one configured signal. */
export interface RuntimeSamplerInstance {
  /** The signal name. */
  readonly name: string;
  readonly kind: SamplerKind;
  /** Resolved URL it reads. */
  readonly url: string;
  /**
   * Reads the signal once. Rejects with an Error whose message is a short
   * reason ("HTTP 500", "timeout after 500ms", "field memstats.Foo is missing").
   * When `signal` aborts, rejects with the abort reason if it is an Error.
   */
  sample(signal: AbortSignal): Promise<number>;
}

/** Options shared by every sampler factory. */
export interface SamplerOptions {
  /** HTTP dispatcher. Default: one keep-alive Agent shared by all samplers, separate from the load engine's. */
  dispatcher?: Dispatcher;
  /** Clock for counter rates, ms (monotonic). Default performance.now. */
  clock?: () => number;
  /** Largest response body read, bytes. Default 16 MiB. */
  maxBytes?: number;
}

export type SamplerFactory = (signal: RuntimeSignalConfig, targetUrl: string, options?: SamplerOptions) => RuntimeSamplerInstance;

/**
 * Thrown by a counter-based sampler on its first reading: a rate needs two
 * samples. Recorded as a gap with reason "counter: first sample", but not
 * counted as a failure in SamplerHealth.
 */
export class CounterPrimingError extends Error {
  constructor() {
    super('counter: first sample');
    this.name = 'CounterPrimingError';
  }
}
