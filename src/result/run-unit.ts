import type { LoadUnit, RunResult } from '../types.js';

/** The unit a run's loads are in (req/s or connections), from what it recorded; undefined for a run with no step. */
export function runUnit(r: Pick<RunResult, 'criticalPoint' | 'baseline' | 'steps'>): LoadUnit | undefined {
  return r.criticalPoint?.unit ?? r.baseline?.unit ?? r.steps[0]?.unit;
}
