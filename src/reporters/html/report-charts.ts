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
import { baselineMarks, COLORS, CORE_SIGNALS, evaluated, mid, overTime, secs, timeMarks, wantsLog } from './chart-marks.js';

export { bandOf, COLORS } from './chart-marks.js';

const breachWindowIndexes = (r: RunResult) => new Set(r.steps.flatMap((s) => s.breaches.flatMap((b) => b.windowIndexes)));

export function latencyVsLoad(r: RunResult): ChartSpec {
  const unit = r.baseline?.unit ?? r.steps[0]?.unit ?? 'req/s';
  const steps = [...r.steps].sort((a, b) => a.load - b.load);
  const wins = r.windows.filter(evaluated);
  const p99b = r.baseline?.signals.p99;
  const series: Series[] = [
    { name: 'p99 per window', color: COLORS.windowP99, style: 'dots', radius: 2.5, points: wins.map((w) => [w.offered, w.p99]), tips: wins.map((w) => `window ${w.index}: ${fmtNum(w.offered, 4)} ${unit}, p99 ${fmtNum(w.p99)} ms`) },
    { name: 'p50 (step)', color: COLORS.p50, style: 'both', points: steps.map((s) => [s.load, s.stats.p50]), tips: steps.map((s) => `step ${s.index} ${s.phase} ${fmtNum(s.load, 4)} ${unit}: p50 ${fmtNum(s.stats.p50)} ms`) },
    { name: 'p99 (step)', color: COLORS.p99, style: 'both', points: steps.map((s) => [s.load, s.stats.p99]), tips: steps.map((s) => `step ${s.index} ${s.phase} ${fmtNum(s.load, 4)} ${unit}: p99 ${fmtNum(s.stats.p99)} ms, ${s.outcome}`) },
  ];
  const breached = steps.filter((s) => s.outcome === 'breach');
  if (breached.length > 0) series.push({ name: 'breaching step', color: COLORS.breach, style: 'dots', radius: 5, points: breached.map((s) => [s.load, s.stats.p99]), tips: breached.map((s) => `step ${s.index}: ${s.breaches.map((b) => b.reason).join('; ')}`) });
  const marks = baselineMarks(p99b, 'p99');
  const vRules: Rule[] = [];
  const cp = r.criticalPoint;
  if (cp) {
    vRules.push({ at: cp.value, label: `critical point ${fmtNum(cp.value, 4)}`, color: COLORS.critical, anchor: 'end' });
    vRules.push({ at: cp.firstBreach, label: `first breach ${fmtNum(cp.firstBreach, 4)}`, color: COLORS.breach, dashed: true });
  }
  const log = wantsLog([...series.flatMap((s) => s.points.map((p) => p[1])), ...marks.hRules.map((h) => h.at)]);
  return {
    id: 'latency-vs-load',
    title: 'Latency against offered load',
    caption: `p50 and p99 of each step (latency from the intended send time), p99 of every evaluated window, the baseline band of p99 and its threshold${cp ? ', and the critical point' : ''}.`,
    x: { label: `offered load (${unit})` },
    y: { label: `latency (ms${log ? ', log scale' : ''})`, log },
    series,
    vRules,
    ...marks,
  };
}

export function latencyOverTime(r: RunResult): ChartSpec {
  const wins = r.windows;
  const hits = breachWindowIndexes(r);
  const breachWins = wins.filter((w) => hits.has(w.index));
  const series: Series[] = [
    { name: 'p50', color: COLORS.p50, style: 'line', points: overTime(wins, (w) => w.p50) },
    { name: 'p99', color: COLORS.p99, style: 'both', radius: 2, points: overTime(wins, (w) => w.p99) },
  ];
  if (breachWins.length > 0) series.push({ name: 'breaching window', color: COLORS.breach, style: 'dots', radius: 5, points: breachWins.map((w) => [mid(w), w.p99]), tips: breachWins.map((w) => `window ${w.index}: p99 ${fmtNum(w.p99)} ms`) });
  const marks = baselineMarks(r.baseline?.signals.p99, 'p99');
  const log = wantsLog([...series.flatMap((s) => s.points.map((p) => p[1])), ...marks.hRules.map((h) => h.at)]);
  return {
    id: 'latency-over-time',
    title: 'Latency over time',
    caption: 'p50 and p99 of every window as the detector saw them; step boundaries are labelled #step load.',
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
    caption: 'Offered load of each step, requests actually sent per second, and successful responses per second (the achieved throughput). Sparse windows (a step\'s drain tail) are left out of the rates.',
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
  return {
    id: 'errors-over-time',
    title: 'Error rate by kind over time',
    caption: kinds.length > 0 ? `Failed requests per window as a share of requests, by kind: ${kinds.join(', ')}.` : 'No request failed in any window.',
    x: { label: 'time since start (s)' },
    y: { label: 'error rate (%)' },
    series: [
      { name: 'all errors', color: COLORS.offered, style: 'both', radius: 2, points: overTime(r.windows, (w) => w.errorRate * 100) },
      ...kinds.map((k, i): Series => ({ name: k, color: COLORS.kinds[i % COLORS.kinds.length] as string, style: 'line', points: overTime(r.windows, (w) => share(w, k) * 100) })),
    ],
    hRules: b ? [{ at: b.threshold * 100, label: `threshold ${fmtSignal('errors', b.threshold)}`, color: COLORS.threshold }] : [],
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
  return {
    id: `runtime-${signal.replace(/[^A-Za-z0-9_-]/g, '_')}`,
    title: `Runtime signal: ${signal}`,
    caption: `${samples.length > 0 ? `${samples.length} samples` : 'per-window values'}${gaps > 0 ? `, ${gaps} gaps (shown as breaks)` : ''}; baseline band and threshold from the baseline step.`,
    x: { label: 'time since start (s)' },
    y: { label: signal },
    series: [{ name: signal, color: COLORS.runtime, style: 'both', radius: 2, points, tips: samples.length > 0 ? samples.map((s) => `${fmtNum(secs(s.t))} s: ${s.value === null ? `gap (${s.error ?? 'no value'})` : fmtNum(s.value, 4)}`) : undefined }],
    ...baselineMarks(r.baseline?.signals[signal], signal),
    ...timeMarks(r),
  };
}

/** Every chart of the report, in reading order. */
export function reportCharts(r: RunResult): ChartSpec[] {
  const runtime = runtimeSignals(r).map((s) => runtimeChart(r, s));
  // Without windows (a run that never measured, or a folder without windows.csv) only the step view is left.
  if (r.windows.length === 0) return [...(r.steps.length > 0 ? [latencyVsLoad(r)] : []), ...(r.runtimeSamples.length > 0 ? runtime : [])];
  return [latencyVsLoad(r), latencyOverTime(r), rateOverTime(r), errorsOverTime(r), ...runtime];
}
