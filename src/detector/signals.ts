// Signal definitions: how each stop signal reads a window, its statistic,
// direction and practical floor. Pure.
import type { WindowStats } from '../types.js';

export interface DetectConfig {
  k: number;
  confirm: number;
  /** request: judge that request's p99 (WindowStats.byRequest) instead of the totals' (detect.p99.request). */
  p99: { enabled: boolean; minRatio: number; sigmaFloor: number; request?: string };
  errors: { enabled: boolean; maxRate: number };
  throughput: { enabled: boolean; minRatio: number };
  generator: { maxSendLag: number; minSendRatio: number; maxBusy?: number };
  /** Closed loop (concurrency): no offered rate, so no achieved/offered signal and no send-ratio check. Default rate. */
  loadMode?: 'rate' | 'concurrency';
  /** Poisson arrivals: a window's count varies by chance; the send-ratio check allows for it. */
  arrival: 'uniform' | 'poisson';
  /** Latency series the p99 signal reads: the response (end of stream; default) or a stream's first message. */
  latencySeries?: 'response' | 'first-message';
  runtime: RuntimeSignalDetect[];
}

export interface RuntimeSignalDetect {
  name: string;
  enabled: boolean;
  /** Practical floor: value >= minRatio x baseline median. */
  minRatio: number;
  /** Also require a rising value inside the constant-load step. */
  rising: boolean;
  /** Floor of sigma (1 for counts). */
  sigmaFloor: number;
  /** 'up' breaches on a rise (default), 'down' on a fall to median / minRatio. */
  direction: 'up' | 'down';
}

export interface SignalSpec {
  name: string;
  statistic: 'log-p99' | 'ratio' | 'rate' | 'value';
  direction: 'up' | 'down';
  sigmaFloor: number;
  /** The statistic of a window, or undefined when the window has nothing to say. */
  read(w: WindowStats): number | undefined;
  /** Converts the statistic back to the natural unit. */
  natural(x: number): number;
  /** Practical floor in the natural unit, given the baseline median (natural). */
  practical(baselineMedian: number): number;
  /** Rising requirement (runtime counts): the value keeps moving in the breach direction inside the step. */
  rising: boolean;
  /** Name shown in breach reasons when it differs from name, e.g. "p99 (first message)". */
  label?: string;
  /** Practical floor compares strictly (error rate > 1%) rather than inclusively (p99 >= 2x). */
  strict: boolean;
  unit: string;
}

const finite = (x: number): number | undefined => (Number.isFinite(x) ? x : undefined);

/** Which p99 the p99 signal reads: the response's or a stream's first message, of all requests or of one request name. */
export interface JudgedSeries {
  series?: 'response' | 'first-message';
  /** detect.p99.request: that request's p99 (byRequest), not the totals'. */
  request?: string;
}

/** The raw p99 the signal starts from, or undefined when the window has none (no response of the judged request). */
function p99Of(w: Pick<WindowStats, 'p99' | 'completed' | 'firstMessage' | 'byRequest'>, j: JudgedSeries): number | undefined {
  if (j.request !== undefined) {
    const q = w.byRequest?.[j.request];
    return q !== undefined && q.completed > 0 ? q.p99 : undefined;
  }
  return j.series === 'first-message' ? w.firstMessage?.p99 : w.completed > 0 ? w.p99 : undefined;
}

/**
 * The latency the p99 signal compares with its threshold for one window, ms: the window's p99 (or its
 * request's, detect.p99.request) net of its send-lag p99 (floored at 1% of the p99), or undefined when
 * the window has no latency to judge. The send lag is the window's: the generator's delay falls on
 * every request it sends alike. Exported so the reports draw exactly what was judged.
 */
export function judgedP99(
  w: Pick<WindowStats, 'p99' | 'completed' | 'sendLagP99' | 'firstMessage' | 'byRequest'>,
  judged: JudgedSeries = {},
): number | undefined {
  const p99 = p99Of(w, judged);
  if (p99 === undefined || !(p99 > 0)) return undefined;
  const lag = Number.isFinite(w.sendLagP99) && w.sendLagP99 > 0 ? w.sendLagP99 : 0; // k6 windows have no send lag (NaN)
  return Math.max(p99 - lag, p99 * 0.01);
}

export function signalSpecs(cfg: DetectConfig): SignalSpec[] {
  const specs: SignalSpec[] = [];
  if (cfg.p99.enabled) {
    const request = cfg.p99.request;
    const first = request === undefined && cfg.latencySeries === 'first-message';
    const judged: JudgedSeries = request !== undefined ? { request } : { series: first ? 'first-message' : 'response' };
    specs.push({
      name: 'p99',
      ...(request !== undefined ? { label: `p99 of ${request}` } : first ? { label: 'p99 (first message)' } : {}),
      statistic: 'log-p99',
      direction: 'up',
      sigmaFloor: cfg.p99.sigmaFloor,
      // Net of the window's send-lag p99: latency is measured from the intended send time, so the
      // generator's own delay (a stall of this process, another process taking the core) is part of
      // every latency; subtracted, a hiccup of the generator cannot pass for the target's breach.
      // In an open loop the target cannot delay a send, so what is left is the target's.
      read: (w) => {
        const v = judgedP99(w, judged);
        return v === undefined ? undefined : finite(Math.log(v));
      },
      natural: Math.exp,
      practical: (m) => cfg.p99.minRatio * m,
      rising: false,
      strict: false,
      unit: 'ms',
    });
  }
  if (cfg.errors.enabled) {
    specs.push({
      name: 'errors',
      statistic: 'rate',
      direction: 'up',
      sigmaFloor: 0.001,
      read: (w) => w.errorRate,
      natural: (x) => x,
      practical: () => cfg.errors.maxRate,
      rising: false,
      strict: true,
      unit: 'ratio',
    });
  }
  if (cfg.throughput.enabled && cfg.loadMode !== 'concurrency') {
    specs.push({
      name: 'throughput',
      statistic: 'ratio',
      direction: 'down',
      sigmaFloor: 0.01,
      read: (w) => (w.offered > 0 ? w.achievedRate / w.offered : undefined),
      natural: (x) => x,
      practical: () => cfg.throughput.minRatio,
      rising: false,
      strict: true,
      unit: 'achieved/offered',
    });
  }
  for (const r of cfg.runtime) {
    if (!r.enabled) continue;
    specs.push({
      name: r.name,
      statistic: 'value',
      direction: r.direction,
      sigmaFloor: r.sigmaFloor,
      read: (w) => {
        const v = w.runtime[r.name];
        return v === null || v === undefined ? undefined : finite(v);
      },
      natural: (x) => x,
      practical: (m) => (r.direction === 'down' ? m / r.minRatio : r.minRatio * m),
      rising: r.rising,
      strict: false,
      unit: '',
    });
  }
  return specs;
}
