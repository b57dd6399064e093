// Breach rules (docs/method.md section 4), pure: a window breaches a signal when
// the robust test AND the practical floor both hold (and, for rising
// signals, the value keeps rising inside the constant-load step); a breach is
// confirmed after `confirm` consecutive breaching windows within one step.
import { linearRegression } from 'simple-statistics';
import type { Baseline, SignalBreach, WindowStats } from '../types.js';
import { evaluable } from './baseline.js';
import { signalSpecs, type DetectConfig, type SignalSpec } from './signals.js';
import { figure } from '../format/numbers.js';

export interface StepDetectorState {
  /** Consecutive breaching windows per signal: values and window indexes. */
  runs: Record<string, { values: number[]; windows: number[] }>;
  /** (t, value) of every evaluable window of the step per runtime signal, for the rising test. */
  history: Record<string, [number, number][]>;
  generatorRun: { windows: number[]; reasons: string[] };
}

export function newStepState(): StepDetectorState {
  return { runs: {}, history: {}, generatorRun: { windows: [], reasons: [] } };
}

export interface WindowVerdict {
  /** Signals breaching in this window (unconfirmed). */
  breaching: string[];
  /** Confirmed breaches (consecutive windows reached confirm). */
  confirmed: SignalBreach[];
  /** Non-null when the generator fell behind for `confirm` consecutive windows. */
  generatorLimited: string | null;
  /** Why this window alone looks generator-limited, if it does. */
  generatorIssue: string | null;
  state: StepDetectorState;
}

export function describeBreach(spec: SignalSpec, b: Baseline['signals'][string], values: number[]): string {
  const shown = values.map((v) => (spec.name === 'p99' ? `${figure(v)} ms` : spec.unit === 'ratio' ? `${(v * 100).toFixed(2)}%` : figure(v))).join(', ');
  const thr = spec.name === 'p99' ? `${figure(b.threshold)} ms` : spec.unit === 'ratio' ? `${(b.threshold * 100).toFixed(2)}%` : figure(b.threshold);
  const base = spec.name === 'p99' ? `${figure(b.medianValue)} ms` : spec.unit === 'ratio' ? `${(b.medianValue * 100).toFixed(2)}%` : figure(b.medianValue);
  const cmp = spec.direction === 'up' ? '>' : '<';
  return `${spec.label ?? spec.name} ${shown} ${cmp} threshold ${thr} (baseline median ${base}) in ${values.length} consecutive windows`;
}

/** Does one window's value breach one signal? (both rules; rising checked by the caller) */
export function breaches(spec: SignalSpec, b: Baseline['signals'][string], stat: number): boolean {
  const value = spec.natural(stat);
  if (spec.direction === 'up') {
    const robust = stat > b.robustThreshold;
    const practical = spec.strict ? value > b.practicalThreshold : value >= b.practicalThreshold;
    return robust && practical;
  }
  const robust = stat < b.robustThreshold;
  const practical = spec.strict ? value < b.practicalThreshold : value <= b.practicalThreshold;
  return robust && practical;
}

/**
 * The step's values so far keep rising: positive least-squares slope, and the
 * fitted rise over the step's span is at least minRise (so a flat count with
 * jitter, such as connections kept open after an earlier step, is not "rising").
 */
export function rising(points: [number, number][], minRise = 0): boolean {
  if (points.length < 2) return false;
  const { m } = linearRegression(points);
  const span = (points[points.length - 1] as [number, number])[0] - (points[0] as [number, number])[0];
  return m > 0 && m * span >= minRise;
}

export function generatorIssue(w: WindowStats, cfg: DetectConfig): string | null {
  if (w.warmup || w.capHits > 0) return null;
  if (w.sendLagP99 > cfg.generator.maxSendLag) {
    const thread = w.sendLagThread !== undefined ? ` (load thread ${w.sendLagThread})` : '';
    return `send lag p99 ${figure(w.sendLagP99)} ms${thread} > ${cfg.generator.maxSendLag} ms`;
  }
  const maxBusy = cfg.generator.maxBusy;
  if (maxBusy !== undefined && w.generatorBusy !== undefined && w.generatorBusy > maxBusy) {
    return `generator event loop busy ${(w.generatorBusy * 100).toFixed(0)}% of the window > ${(maxBusy * 100).toFixed(0)}%`;
  }
  // A closed loop has no schedule to fall behind: it sends when responses come back.
  if (cfg.loadMode === 'concurrency') return null;
  const durS = w.sendRate > 0 ? w.sent / w.sendRate : (w.tEnd - w.tStart) / 1000;
  const expected = w.offered * durS;
  if (expected < 20) return null;
  const slack = Math.max((1 - cfg.generator.minSendRatio) * expected, cfg.arrival === 'poisson' ? 3 * Math.sqrt(expected) : 0);
  if (w.sent < expected - slack)
    return `sent ${w.sent} of ${Math.round(expected)} scheduled (${((w.sent / expected) * 100).toFixed(1)}%) below the in-flight cap`;
  return null;
}

export function evaluateWindow(baseline: Baseline, w: WindowStats, cfg: DetectConfig, prev: StepDetectorState): WindowVerdict {
  const state: StepDetectorState = { runs: { ...prev.runs }, history: { ...prev.history }, generatorRun: prev.generatorRun };
  const verdict: WindowVerdict = { breaching: [], confirmed: [], generatorLimited: null, generatorIssue: null, state };
  if (!evaluable(w)) return verdict;

  const gen = generatorIssue(w, cfg);
  verdict.generatorIssue = gen;
  state.generatorRun = gen ? { windows: [...prev.generatorRun.windows, w.index], reasons: [...prev.generatorRun.reasons, gen] } : { windows: [], reasons: [] };
  if (state.generatorRun.windows.length >= cfg.confirm) verdict.generatorLimited = state.generatorRun.reasons.join('; ');

  for (const spec of signalSpecs(cfg)) {
    const b = baseline.signals[spec.name];
    const stat = spec.read(w);
    if (!b || stat === undefined) continue; // a gap neither confirms nor resets
    let hit = breaches(spec, b, stat);
    if (spec.rising) {
      const points: [number, number][] = [...(state.history[spec.name] ?? []), [w.tEnd, stat]];
      state.history[spec.name] = points;
      // The queue-growth signature: still moving by more than 2 sigma inside the constant-load step.
      const minRise = 2 * b.sigma;
      hit =
        hit &&
        (spec.direction === 'up'
          ? rising(points, minRise)
          : rising(
              points.map(([t, v]) => [t, -v]),
              minRise,
            ));
    }
    if (!hit) {
      state.runs[spec.name] = { values: [], windows: [] };
      continue;
    }
    const run = state.runs[spec.name] ?? { values: [], windows: [] };
    const next = { values: [...run.values, spec.natural(stat)], windows: [...run.windows, w.index] };
    state.runs[spec.name] = next;
    verdict.breaching.push(spec.name);
    if (next.values.length >= cfg.confirm) {
      const values = next.values.slice(-cfg.confirm);
      verdict.confirmed.push({
        signal: spec.name,
        values,
        windowIndexes: next.windows.slice(-cfg.confirm),
        baselineMedian: b.medianValue,
        sigma: b.sigma,
        threshold: b.threshold,
        reason: describeBreach(spec, b, values),
      });
    }
  }
  return verdict;
}
