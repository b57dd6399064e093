// Which charts a run gets, and what goes on them, read from the RunResult:
// latency against offered load with the baseline band and the critical point,
// latency and rates over time with step boundaries, error rates by kind, and
// one chart per runtime signal with its baseline band and threshold.
// Reporters never compute statistics: every figure is the runner's; the only
// derivations are unit conversions and the band median -/+ k*sigma (the robust
// threshold mirrored around the median).
import type { RunResult, WindowStats } from '../../types.js';
import { fmtNum, fmtSignal } from '../headline.js';
import type { ChartSpec, Point, Rule, Series } from './svg-chart.js';
import {
  baselineMarks,
  COLORS,
  confirmOf,
  CORE_SIGNALS,
  evaluated,
  hasSendLag,
  judgedOf,
  judgedRequestOf,
  judgedSeriesOf,
  mid,
  overTime,
  secs,
  timeMarks,
  wantsLog,
} from './chart-marks.js';

export { bandOf, COLORS } from './chart-marks.js';

/** Legend names of what the detector judged (the browser test looks for them). */
export const JUDGED_P99 = 'judged p99 (p99 \u2212 send lag)';
export const SEND_LAG = 'send lag p99';

/**
 * The sentence that says what the p99 signal compared, so a passing step whose
 * raw p99 is above the threshold line is not read as a missed breach. Null
 * when the run has no p99 threshold.
 */
export function judgedNote(r: RunResult): string | null {
  const b = r.baseline?.signals.p99;
  if (!b) return null;
  const n = confirmOf(r);
  const inARow = n === null ? 'consecutive windows' : n === 1 ? 'a single window' : `${n} consecutive windows`;
  const request = judgedRequestOf(r);
  const stream =
    request !== undefined ? ` of the request ${request} (detect.p99.request)` : judgedSeriesOf(r) === 'first-message' ? ' to the first message' : '';
  if (!hasSendLag(r)) {
    return `The detector compares each window's p99${stream} (the judged p99: this engine recorded no send lag to subtract) with the threshold ${fmtSignal('p99', b.threshold)} and calls a breach after ${inARow} above it, so a step's p99 above the threshold line on a passing step never had ${inARow} above it.`;
  }
  return `The detector compares each window's judged p99${stream}, its p99 minus its send-lag p99 (the generator's own delay, which latency measured from the intended send time includes), with the threshold ${fmtSignal('p99', b.threshold)} and calls a breach after ${inARow} above it, so raw p99 above the threshold line on a passing step is send lag, or fewer than ${inARow} in a row, not a missed breach.`;
}

/**
 * Each window that confirmed a breach of `signal`, at the value the detector
 * recorded for it (the values the breach sentence quotes), scaled to the chart's y unit.
 */
function breachMarks(r: RunResult, signal: string, x: (w: WindowStats) => number, toY: (v: number) => number = (v) => v): Series | null {
  const byIndex = new Map(r.windows.map((w) => [w.index, w]));
  const points: Point[] = [];
  const tips: string[] = [];
  for (const b of r.steps.flatMap((s) => s.breaches.filter((x) => x.signal === signal))) {
    b.windowIndexes.forEach((i, k) => {
      const w = byIndex.get(i);
      const v = b.values[k];
      if (!w || v === undefined) return;
      points.push([x(w), toY(v)]);
      tips.push(`window ${i}: ${signal === 'p99' ? 'judged p99' : signal} ${fmtSignal(signal, v)} past the threshold ${fmtSignal(signal, b.threshold)}`);
    });
  }
  return points.length > 0 ? { name: `${signal} breach (confirming windows)`, color: COLORS.breach, style: 'dots', radius: 5, points, tips } : null;
}

export function latencyVsLoad(r: RunResult): ChartSpec {
  const unit = r.baseline?.unit ?? r.steps[0]?.unit ?? 'req/s';
  const steps = [...r.steps].sort((a, b) => a.load - b.load);
  const wins = r.windows.filter(evaluated);
  const p99b = r.baseline?.signals.p99;
  const judged = judgedOf(r);
  const lag = hasSendLag(r);
  const series: Series[] = [
    {
      name: 'p50 (step)',
      color: COLORS.p50,
      style: 'both',
      points: steps.map((s) => [s.load, s.stats.p50]),
      tips: steps.map((s) => `step ${s.index} ${s.phase} ${fmtNum(s.load, 4)} ${unit}: p50 ${fmtNum(s.stats.p50)} ms`),
    },
    {
      name: 'raw p99 (step)',
      color: COLORS.p99,
      style: 'both',
      points: steps.map((s) => [s.load, s.stats.p99]),
      tips: steps.map((s) => `step ${s.index} ${s.phase} ${fmtNum(s.load, 4)} ${unit}: p99 ${fmtNum(s.stats.p99)} ms, ${s.outcome}`),
    },
  ];
  if (lag)
    series.push({
      name: `${SEND_LAG} (step)`,
      color: COLORS.sendLag,
      style: 'both',
      dashed: true,
      radius: 2,
      points: steps.map((s) => [s.load, s.stats.sendLagP99]),
      tips: steps.map((s) => `step ${s.index} ${fmtNum(s.load, 4)} ${unit}: send lag p99 ${fmtNum(s.stats.sendLagP99)} ms`),
    });
  if (wins.length > 0) {
    series.push({
      name: `${JUDGED_P99} per window`,
      color: COLORS.judged,
      style: 'dots',
      radius: 2.5,
      points: wins.map((w) => [w.offered, judged(w)]),
      tips: wins.map(
        (w) =>
          `window ${w.index}: ${fmtNum(w.offered, 4)} ${unit}, p99 ${fmtNum(w.p99)} ms${lag ? ` \u2212 send lag ${fmtNum(w.sendLagP99)} ms` : ''} = judged ${fmtNum(judged(w))} ms`,
      ),
    });
  }
  const breach = breachMarks(r, 'p99', (w) => w.offered);
  if (breach) series.push(breach);
  const marks = baselineMarks(p99b, 'p99');
  const vRules: Rule[] = [];
  const cp = r.criticalPoint;
  if (cp) {
    vRules.push({ at: cp.value, label: `critical point ${fmtNum(cp.value, 4)}`, color: COLORS.critical, anchor: 'end' });
    vRules.push({ at: cp.firstBreach, label: `first breach ${fmtNum(cp.firstBreach, 4)}`, color: COLORS.breach, dashed: true });
  }
  const log = wantsLog([...series.filter((s) => !s.name.startsWith(SEND_LAG)).flatMap((s) => s.points.map((p) => p[1])), ...marks.hRules.map((h) => h.at)]);
  return {
    id: 'latency-vs-load',
    title: 'Latency against offered load',
    caption: `p50 and raw p99 of each step (latency from the intended send time)${lag ? ', its send-lag p99' : ''}, the judged p99 of every evaluated window, the baseline band of p99 and its threshold${cp ? ', and the critical point' : ''}.`,
    note: judgedNote(r) ?? undefined,
    x: { label: `offered load (${unit})` },
    y: { label: `latency (ms${log ? ', log scale' : ''})`, log },
    series,
    vRules,
    ...marks,
  };
}

export function latencyOverTime(r: RunResult): ChartSpec {
  const wins = r.windows;
  const judged = judgedOf(r);
  const lag = hasSendLag(r);
  const series: Series[] = [
    { name: 'p50', color: COLORS.p50, style: 'line', points: overTime(wins, (w) => w.p50) },
    { name: 'raw p99', color: COLORS.p99, style: 'line', points: overTime(wins, (w) => w.p99) },
    // Warm-up and sparse windows are drawn in the raw series but were never judged.
    { name: JUDGED_P99, color: COLORS.judged, style: 'both', radius: 2, points: overTime(wins, (w) => (evaluated(w) ? judged(w) : null)) },
  ];
  if (lag)
    series.push({
      name: SEND_LAG,
      color: COLORS.sendLag,
      style: 'line',
      dashed: true,
      points: overTime(wins, (w) => (Number.isFinite(w.sendLagP99) ? w.sendLagP99 : null)),
    });
  const breach = breachMarks(r, 'p99', mid);
  if (breach) series.push(breach);
  const marks = baselineMarks(r.baseline?.signals.p99, 'p99');
  const log = wantsLog([...series.filter((s) => s.name !== SEND_LAG).flatMap((s) => s.points.map((p) => p[1])), ...marks.hRules.map((h) => h.at)]);
  return {
    id: 'latency-over-time',
    title: 'Latency over time',
    caption: `p50, raw p99 and judged p99 of every window${lag ? ', and its send-lag p99' : ''} (warm-up windows are drawn, never judged); step boundaries are labelled #step load where there is room (every step is in the steps table).`,
    x: { label: 'time since start (s)' },
    y: { label: `latency (ms${log ? ', log scale' : ''})`, log },
    series,
    ...marks,
    ...timeMarks(r),
  };
}

export function rateOverTime(r: RunResult): ChartSpec {
  const unit = r.baseline?.unit ?? r.steps[0]?.unit ?? 'req/s';
  const offered: Point[] = [];
  let step = -1;
  for (const w of r.windows) {
    if (w.stepIndex !== step && offered.length > 0) offered.push([secs(w.tStart), null]);
    step = w.stepIndex;
    offered.push([secs(w.tStart), w.offered], [secs(w.tEnd), w.offered]);
  }
  // A step's drain tail is a short sparse window whose per-second rates mean nothing.
  const full = r.windows.filter((w) => !w.sparse);
  return {
    id: 'rate-over-time',
    title: 'Offered and achieved rate over time',
    caption:
      "Offered load of each step, requests actually sent per second, and successful responses per second (the achieved throughput). Sparse windows (a step's drain tail) are left out of the rates.",
    x: { label: 'time since start (s)' },
    y: { label: unit === 'req/s' ? 'rate (req/s)' : unit },
    series: [
      { name: `offered (${unit})`, color: COLORS.offered, style: 'line', points: offered },
      { name: 'sent/s', color: COLORS.sendRate, style: 'line', dashed: true, points: overTime(full, (w) => w.sendRate) },
      { name: 'achieved/s', color: COLORS.achieved, style: 'both', radius: 2, points: overTime(full, (w) => w.achievedRate) },
    ],
    ...timeMarks(r),
  };
}

export function errorKinds(r: RunResult): string[] {
  return [...new Set(r.windows.flatMap((w) => Object.keys(w.errors)))].sort();
}

export function errorsOverTime(r: RunResult): ChartSpec {
  const kinds = errorKinds(r);
  const share = (w: WindowStats, k: string) => (w.errorTotal > 0 ? (w.errorRate * (w.errors[k] ?? 0)) / w.errorTotal : 0);
  const b = r.baseline?.signals.errors;
  const breach = breachMarks(r, 'errors', mid, (v) => v * 100);
  return {
    id: 'errors-over-time',
    title: 'Error rate by kind over time',
    caption: kinds.length > 0 ? `Failed requests per window as a share of requests, by kind: ${kinds.join(', ')}.` : 'No request failed in any window.',
    x: { label: 'time since start (s)' },
    y: { label: 'error rate (%)' },
    series: [
      { name: 'all errors', color: COLORS.offered, style: 'both', radius: 2, points: overTime(r.windows, (w) => w.errorRate * 100) },
      ...kinds.map((k, i): Series => ({
        name: k,
        color: COLORS.kinds[i % COLORS.kinds.length] as string,
        style: 'line',
        points: overTime(r.windows, (w) => share(w, k) * 100),
      })),
      ...(breach ? [breach] : []),
    ],
    hRules: b ? [{ at: b.threshold * 100, label: `threshold ${fmtSignal('errors', b.threshold)}`, color: COLORS.threshold }] : [],
    ...timeMarks(r),
  };
}

/** Several requests: each request's p99 over time next to the total's. Null otherwise. */
export function latencyByRequest(r: RunResult): ChartSpec | null {
  const names = [...new Set(r.windows.flatMap((w) => Object.keys(w.byRequest ?? {})))];
  if (names.length === 0) return null;
  const series: Series[] = [
    { name: 'p99 (all requests)', color: COLORS.p99, style: 'line', dashed: true, points: overTime(r.windows, (w) => w.p99) },
    ...names.map((n, i): Series => ({
      name: `p99 ${n}`,
      color: COLORS.kinds[i % COLORS.kinds.length] as string,
      style: 'both',
      radius: 2,
      points: overTime(r.windows, (w) => {
        const q = w.byRequest?.[n];
        return q && q.completed > 0 ? q.p99 : null;
      }),
    })),
  ];
  const log = wantsLog(series.flatMap((s) => s.points.map((p) => p[1])));
  return {
    id: 'latency-by-request',
    title: 'p99 per request over time',
    caption:
      "Each request's raw p99 per window (latency from the intended send time) and the p99 of all requests together; a window without a response of a request leaves a gap.",
    x: { label: 'time since start (s)' },
    y: { label: `latency (ms${log ? ', log scale' : ''})`, log },
    series,
    ...timeMarks(r),
  };
}

/** Runtime signals present anywhere in the result (samples, windows, baseline). */
export function runtimeSignals(r: RunResult): string[] {
  const names = new Set<string>();
  for (const s of r.runtimeSamples) names.add(s.signal);
  for (const w of r.windows) for (const k of Object.keys(w.runtime)) names.add(k);
  for (const k of Object.keys(r.baseline?.signals ?? {})) if (!CORE_SIGNALS.has(k)) names.add(k);
  return [...names].sort();
}

export function runtimeChart(r: RunResult, signal: string): ChartSpec {
  const samples = r.runtimeSamples.filter((s) => s.signal === signal);
  const points: Point[] = samples.length > 0 ? samples.map((s) => [secs(s.t), s.value]) : overTime(r.windows, (w) => w.runtime[signal] ?? null);
  const gaps = samples.length > 0 ? samples.filter((s) => s.value === null).length : r.windows.filter((w) => w.runtime[signal] === null).length;
  const breach = breachMarks(r, signal, mid);
  return {
    id: `runtime-${signal.replace(/[^A-Za-z0-9_-]/g, '_')}`,
    title: `Runtime signal: ${signal}`,
    caption: `${samples.length > 0 ? `${samples.length} samples` : 'per-window values'}${gaps > 0 ? `, ${gaps} gaps (shown as breaks)` : ''}; baseline band and threshold from the baseline step.`,
    x: { label: 'time since start (s)' },
    y: { label: signal },
    series: [
      {
        name: signal,
        color: COLORS.runtime,
        style: 'both',
        radius: 2,
        points,
        tips:
          samples.length > 0
            ? samples.map((s) => `${fmtNum(secs(s.t))} s: ${s.value === null ? `gap (${s.error ?? 'no value'})` : fmtNum(s.value, 4)}`)
            : undefined,
      },
      ...(breach ? [breach] : []),
    ],
    ...baselineMarks(r.baseline?.signals[signal], signal),
    ...timeMarks(r),
  };
}

/** Every chart of the report, in reading order. */
export function reportCharts(r: RunResult): ChartSpec[] {
  const runtime = runtimeSignals(r).map((s) => runtimeChart(r, s));
  // Without windows (a run that never measured, or a folder without windows.csv) only the step view is left.
  if (r.windows.length === 0) return [...(r.steps.length > 0 ? [latencyVsLoad(r)] : []), ...(r.runtimeSamples.length > 0 ? runtime : [])];
  const byRequest = latencyByRequest(r);
  return [latencyVsLoad(r), latencyOverTime(r), ...(byRequest ? [byRequest] : []), rateOverTime(r), errorsOverTime(r), ...runtime];
}
