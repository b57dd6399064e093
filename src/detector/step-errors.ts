// Pure: the error rate of a whole step. The window rule confirms an error breach only in
// detect.confirm consecutive windows, so errors spread over windows that never follow each other
// (1 of every 3 windows at 5%) would leave a step over detect.errors.maxRate judged a pass. After a
// step passed every window, its error rate over all its measured windows is held to the same
// threshold the windows are held to (the baseline's, at least detect.errors.maxRate).
import type { Baseline, SignalBreach, WindowStats } from '../types.js';
import type { DetectConfig } from './signals.js';

/** Outcomes of a window (responses, transport failures, cap refusals): what its errorRate divides by. */
function outcomesOf(w: WindowStats): number {
  // errorRate = errorTotal / outcomes; a window without errors had no transport failure or cap
  // refusal, so its outcomes are its responses.
  return w.errorTotal > 0 && w.errorRate > 0 ? w.errorTotal / w.errorRate : w.completed;
}

export function judgeStepErrors(windows: readonly WindowStats[], baseline: Baseline, cfg: DetectConfig): SignalBreach | null {
  const b = baseline.signals.errors;
  if (!cfg.errors.enabled || !b) return null;
  const measured = windows.filter((w) => !w.warmup);
  const errors = measured.reduce((a, w) => a + w.errorTotal, 0);
  const outcomes = measured.reduce((a, w) => a + outcomesOf(w), 0);
  if (errors === 0 || outcomes === 0) return null;
  const rate = errors / outcomes;
  const threshold = Math.max(b.threshold, cfg.errors.maxRate);
  if (!(rate > threshold)) return null;
  const breaching = measured.filter((w) => w.errorRate > threshold).length;
  return {
    signal: 'errors',
    values: [rate],
    windowIndexes: measured.map((w) => w.index),
    baselineMedian: b.medianValue,
    sigma: b.sigma,
    threshold,
    reason: `errors ${(rate * 100).toFixed(2)}% over the whole step > threshold ${(threshold * 100).toFixed(2)}% (${errors} of ${Math.round(outcomes)} requests; ${breaching} of ${measured.length} windows over it, never ${cfg.confirm} in a row)`,
  };
}
