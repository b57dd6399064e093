// The gate against a stored baseline (`gate --baseline`): one head run against one saved base run,
// for teams that can run only one build at a time. Pure: two critical points in, a verdict out.
//
// It is weaker than interleaved pairs, and says so: one pair gives no estimate of the noise, and
// base and head ran at different times, so machine drift between them is not cancelled. The
// interval therefore rests on an *assumed* per-pair noise s (the sd of ln(head/base) an
// interleaved gate on the same machine measured: its gate.json `sdLog`; default 5%, docs/method.md's
// typical figure), and on each run's resolution bracket like decideGate:
//
//   R = head / base,  [L, U] = [R exp(-1.96 s) / (1 + r_base),  R exp(1.96 s) (1 + r_head)]
//
// then the same rule: BLOCK if R <= 1 - maxDrop and U < 1, PASS if L > 1 - maxDrop.
import { tQuantile80, tQuantile975 } from '../stats/t-interval.js';
import { verdictFor, type GateDecision } from './gate-decision.js';
import { percent } from '../format/numbers.js';

/** Per-pair noise assumed when none is given: sd of ln(head/base) of 5% (docs/method.md section 7). */
export const DEFAULT_ASSUMED_NOISE = 0.05;

/** One side's critical point and its resolution ((firstBreach - lastPass) / lastPass). */
export interface BaselineGateSide {
  criticalPoint: number;
  resolution: number | null;
}

function check(name: string, v: number, ok: boolean, what: string): void {
  if (!ok) throw new RangeError(`${name}: ${what}, got ${v}`);
}

/** Decide a one-run gate against a stored baseline. Throws RangeError on invalid input. */
export function decideBaselineGate(base: BaselineGateSide, head: BaselineGateSide, maxDrop: number, noise = DEFAULT_ASSUMED_NOISE): GateDecision {
  check('maxDrop', maxDrop, Number.isFinite(maxDrop) && maxDrop > 0 && maxDrop < 1, 'must be a fraction between 0 and 1 (0.15 = 15%)');
  check('noise', noise, Number.isFinite(noise) && noise >= 0 && noise < 1, 'must be a fraction between 0 and 1 (0.05 = 5%)');
  for (const [side, s] of [
    ['base', base],
    ['head', head],
  ] as const) {
    check(`${side}.criticalPoint`, s.criticalPoint, Number.isFinite(s.criticalPoint) && s.criticalPoint > 0, 'must be a positive number');
    const r = s.resolution ?? 0;
    check(`${side}.resolution`, r, Number.isFinite(r) && r >= 0, 'must be a non-negative number');
  }
  const rb = base.resolution ?? 0;
  const rh = head.resolution ?? 0;
  const threshold = 1 - maxDrop;
  const z = tQuantile975(Infinity);
  const ratio = head.criticalPoint / base.criticalPoint;
  const widening = { lower: 1 / (1 + rb), upper: 1 + rh };
  const lower = ratio * Math.exp(-z * noise) * widening.lower;
  const upper = ratio * Math.exp(z * noise) * widening.upper;
  const mde = 1 - Math.exp(-(z + tQuantile80(Infinity)) * noise) / (1 + rh);
  const verdict = verdictFor(ratio, lower, upper, threshold);

  const where = `head/base ${percent(ratio)} (interval ${percent(lower)} to ${percent(upper)}) from one head run against a stored baseline`;
  const floor = `the ${percent(threshold)} floor (max drop ${percent(maxDrop)})`;
  const weaker = `This is weaker than interleaved pairs: the interval assumes ${percent(noise)} per-pair noise (--noise) instead of measuring it, and drift between the baseline's run and this one is not cancelled.`;
  let why: string;
  if (verdict === 'BLOCK') why = `a drop of ${percent(1 - ratio)} reaches ${floor} and the whole interval is below 100%`;
  else if (verdict === 'PASS') why = `the whole interval is above ${floor}`;
  else
    why = `${ratio <= threshold ? `the drop reaches ${floor} but the interval still reaches 100%` : `the interval spans ${floor}`}; at this noise one run detects drops of ${percent(mde)} or more`;

  return {
    verdict,
    n: 1,
    ratio,
    lower,
    upper,
    widening,
    maxDrop,
    threshold,
    sdLog: noise,
    mde,
    pairs: [{ base: base.criticalPoint, head: head.criticalPoint, order: 'base-first', baseResolution: rb, headResolution: rh }],
    reason: `${verdict}: ${where}: ${why}. ${weaker}`,
  };
}
