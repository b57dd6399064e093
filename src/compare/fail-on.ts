// `compare --fail-on`: what a comparison fails on, for CI. Pure: a spec and a Comparison in, the
// reason it fails (or null) out; the CLI turns a reason into exit code 9 (EXIT.compareFailed).
import { percent, signedPercent } from '../format/numbers.js';
import type { Comparison } from './compare-runs.js';

/**
 * regression: a measurable drop (beyond the combined resolution). any: anything but "no measurable
 * change" (an improvement, a regression, or a comparison that cannot decide). drop: a measurable
 * drop of at least this share (0.05 for `5%`).
 */
export type FailOn = { kind: 'regression' } | { kind: 'any' } | { kind: 'drop'; share: number };

/** Reads `regression`, `any` or a percentage such as `5%` / `2.5%`; a problem line otherwise. */
export function parseFailOn(text: string): { failOn: FailOn } | { problem: string } {
  const t = text.trim().toLowerCase();
  if (t === 'regression' || t === 'any') return { failOn: { kind: t } };
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (m && Number(m[1]) > 0 && Number(m[1]) < 100) return { failOn: { kind: 'drop', share: Number(m[1]) / 100 } };
  return { problem: `--fail-on: must be regression, any, or a drop between 0% and 100% such as 5%, got ${JSON.stringify(text)}` };
}

/** Why the comparison fails `f` (a sentence for the CLI's line), or null when it passes. */
export function failOnReason(c: Comparison, f: FailOn): string | null {
  // An exact shift is said with both points; a bound (a run completed its ramp) in the summary's words.
  const moved =
    c.shiftBound === 'exact' ? `the critical point moved ${signedPercent(c.shift)} (${c.base.criticalPoint} -> ${c.head.criticalPoint} ${c.unit})` : c.summary;
  switch (f.kind) {
    case 'regression':
      return c.change === 'regression' ? moved : null;
    case 'any':
      return c.change === 'no-measurable-change' ? null : c.change === 'undetermined' ? c.summary : `${c.change}, ${moved}`;
    case 'drop':
      // A measurable regression whose size reaches the threshold (at-most: the true drop is at least this one).
      return c.change === 'regression' && -c.shift >= f.share - 1e-12 ? `${moved}, a drop of at least ${percent(f.share)}` : null;
  }
}
