// Learns the robust baseline of every signal from the baseline windows.
import type { Baseline, LoadUnit, SignalBaseline, WindowStats } from '../types.js';
import { robustSpread } from '../stats/robust.js';
import type { DetectConfig, SignalSpec } from './signals.js';
import { signalSpecs } from './signals.js';

/** Windows that count: not warm-up, not sparse. */
export function evaluable(w: WindowStats): boolean {
  return !w.warmup && !w.sparse;
}

export function learnSignal(spec: SignalSpec, windows: WindowStats[], k: number): SignalBaseline | null {
  const values = windows
    .filter(evaluable)
    .map(spec.read)
    .filter((v): v is number => v !== undefined);
  if (values.length === 0) return null;
  const { median, sigma } = robustSpread(values, spec.sigmaFloor);
  const robustThreshold = spec.direction === 'up' ? median + k * sigma : median - k * sigma;
  const medianValue = spec.natural(median);
  const practicalThreshold = spec.practical(medianValue);
  const robustNatural = spec.natural(robustThreshold);
  const threshold = spec.direction === 'up' ? Math.max(robustNatural, practicalThreshold) : Math.min(robustNatural, practicalThreshold);
  return {
    signal: spec.name,
    statistic: spec.statistic,
    direction: spec.direction,
    median,
    sigma,
    robustThreshold,
    practicalThreshold,
    threshold,
    medianValue,
    windows: values.length,
  };
}

export function learnBaseline(windows: WindowStats[], cfg: DetectConfig, load: number, unit: LoadUnit): Baseline {
  const signals: Record<string, SignalBaseline> = {};
  for (const spec of signalSpecs(cfg)) {
    const b = learnSignal(spec, windows, cfg.k);
    if (b) signals[spec.name] = b;
  }
  return { load, unit, windows: windows.filter(evaluable).length, signals };
}
