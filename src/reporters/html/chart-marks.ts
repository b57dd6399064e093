// Shared pieces of the report's charts: colours, the baseline band and
// threshold of a signal, step boundaries and the warm-up region over time,
// and the points-over-time helper that breaks lines between steps.
// Derivations are unit conversions and the band median -/+ k*sigma only.
import type { RunResult, SignalBaseline, WindowStats } from '../../types.js';
import { judgedP99 } from '../../detector/signals.js';
import { fmtNum, fmtSignal, phaseLabels } from '../headline.js';
import type { Band, Point, Rule } from './svg-chart.js';

export const COLORS = {
  p50: '#2b6cb0',
  p99: '#dd6b20',
  judged: '#1a202c',
  sendLag: '#805ad5',
  windowP99: 'rgba(221,107,32,0.35)',
  band: 'rgba(56,161,105,0.16)',
  median: '#2f855a',
  threshold: '#c53030',
  critical: '#2f855a',
  breach: '#c53030',
  offered: '#4a5568',
  achieved: '#2b6cb0',
  sendRate: '#805ad5',
  step: '#a0aec0',
  warmup: 'rgba(160,174,192,0.22)',
  runtime: '#6b46c1',
  kinds: ['#c53030', '#d69e2e', '#805ad5', '#319795', '#b83280', '#4a5568', '#2c7a7b', '#9c4221'],
};

export const CORE_SIGNALS = new Set(['p99', 'errors', 'throughput']);

/**
 * Natural-unit band [median - k*sigma, median + k*sigma] of a baseline signal,
 * cut at 0: every signal critpoint watches (latency, rates, ratios, counts) is non-negative.
 */
export function bandOf(b: SignalBaseline): [number, number] {
  const lo = 2 * b.median - b.robustThreshold;
  const hi = b.robustThreshold;
  const natural = b.statistic === 'log-p99' ? Math.exp : (x: number) => Math.max(0, x);
  return lo <= hi ? [natural(lo), natural(hi)] : [natural(hi), natural(lo)];
}

export const secs = (ms: number) => ms / 1000;
export const mid = (w: WindowStats) => secs((w.tStart + w.tEnd) / 2);
export const evaluated = (w: WindowStats) => !w.warmup && !w.sparse;

/** Points over time, with a break (null) between steps so a drain gap is not drawn as data. */
export function overTime(windows: WindowStats[], read: (w: WindowStats) => number | null): Point[] {
  const pts: Point[] = [];
  let step = -1;
  for (const w of windows) {
    if (w.stepIndex !== step && pts.length > 0) pts.push([mid(w), null]);
    step = w.stepIndex;
    pts.push([mid(w), read(w)]);
  }
  return pts;
}

/** A value of the resolved scenario the run recorded (RunResult.scenario is kept as written). */
function scenarioValue(r: RunResult, path: string[]): unknown {
  let v: unknown = r.scenario;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** detect.confirm of the run: consecutive breaching windows that make a breach. */
export function confirmOf(r: RunResult): number | null {
  const v = scenarioValue(r, ['detect', 'confirm']);
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null;
}

/** Which latency the p99 signal read: a gRPC stream may stop on its first message (grpc.stopLatency). */
export function judgedSeriesOf(r: RunResult): 'response' | 'first-message' {
  return scenarioValue(r, ['grpc', 'stopLatency']) === 'first-message' ? 'first-message' : 'response';
}

/** detect.p99.request of the run: the request whose p99 was judged (undefined: all requests'). */
export function judgedRequestOf(r: RunResult): string | undefined {
  const v = scenarioValue(r, ['detect', 'p99', 'request']);
  return typeof v === 'string' ? v : undefined;
}

/** The p99 the detector compared with the threshold for a window (its p99, or its judged request's, net of its send lag), by the detector's own function. */
export function judgedOf(r: RunResult): (w: WindowStats) => number | null {
  const request = judgedRequestOf(r);
  const judged = request !== undefined ? { request } : { series: judgedSeriesOf(r) };
  return (w) => judgedP99(w, judged) ?? null;
}

/** The engine recorded a send lag (open loop; a closed loop's is 0, k6 records none). */
export const hasSendLag = (r: RunResult) =>
  r.windows.some((w) => Number.isFinite(w.sendLagP99) && w.sendLagP99 > 0) ||
  r.steps.some((s) => Number.isFinite(s.stats.sendLagP99) && s.stats.sendLagP99 > 0);

/**
 * Step boundaries (first window's start of each step) and the warm-up region.
 * Labels read `#step load` (and the phase when it is a recheck or a repeat);
 * when they crowd, breaching steps, the critical point's step and rechecks keep theirs first.
 */
export function timeMarks(r: RunResult): { vRules: Rule[]; vBands: Band[] } {
  const vRules: Rule[] = [];
  const vBands: Band[] = [];
  const seen = new Set<number>();
  const phases = phaseLabels(r);
  for (const w of r.windows) {
    if (seen.has(w.stepIndex)) continue;
    seen.add(w.stepIndex);
    const step = r.steps.find((s) => s.index === w.stepIndex);
    const phase = phases.get(w.stepIndex);
    const named = phase !== undefined && phase !== step?.phase ? ` ${phase}` : '';
    const cp = step !== undefined && r.criticalPoint?.value === step.load && step.outcome === 'pass';
    const priority = step?.outcome === 'breach' || cp ? 3 : named ? 2 : step?.phase === 'baseline' ? 1 : 0;
    vRules.push({ at: secs(w.tStart), label: `#${w.stepIndex}${step ? ` ${fmtNum(step.load, 4)}` : ''}${named}`, color: COLORS.step, dashed: true, priority });
  }
  const warm = r.windows.filter((w) => w.warmup);
  if (warm.length > 0)
    vBands.push({
      from: secs(Math.min(...warm.map((w) => w.tStart))),
      to: secs(Math.max(...warm.map((w) => w.tEnd))),
      label: 'warm-up (discarded)',
      color: COLORS.warmup,
    });
  return { vRules, vBands };
}

export function baselineMarks(b: SignalBaseline | undefined, label: string, toY: (v: number) => number = (v) => v): { hBands: Band[]; hRules: Rule[] } {
  if (!b) return { hBands: [], hRules: [] };
  const [lo, hi] = bandOf(b);
  return {
    hBands: [{ from: toY(lo), to: toY(hi), label: `baseline band ${label} (median \u00b1 k\u00b7sigma)`, color: COLORS.band }],
    hRules: [
      { at: toY(b.medianValue), label: `baseline median ${fmtSignal(b.signal, b.medianValue)}`, color: COLORS.median, dashed: true },
      { at: toY(b.threshold), label: `threshold ${fmtSignal(b.signal, b.threshold)}`, color: COLORS.threshold },
    ],
  };
}

/** Log scale when the values span more than a factor of 10 (a knee makes p99 explode). */
export function wantsLog(values: (number | null)[]): boolean {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x) && x > 0);
  return v.length > 1 && Math.max(...v) / Math.min(...v) > 10;
}
