// The interleaved A/B gate's decision (docs/method.md section 7). Pure: paired critical points in,
// a verdict out.
//
//   l_i = ln(head_i / base_i),  R = exp(mean l),  [L, U] = exp(mean l +- t(0.975, n-1) * se)
//   BLOCK        if R <= 1 - maxDrop and U < 1   (a drop at least maxDrop, and surely a drop)
//   PASS         if L > 1 - maxDrop              (surely no drop as large as maxDrop)
//   INCONCLUSIVE otherwise (the caller adds pairs up to maxPairs, see shouldAddPair)
//
// PASS and BLOCK cannot both hold, since L <= R. Working on log ratios makes the pair the unit:
// machine drift that slows both runs of a pair cancels, and a ratio and its inverse are symmetric.
//
// Resolution: a run's critical point is its last passing load; the true one lies in
// [lastPass, firstBreach), i.e. up to (1 + resolution) higher. The ramp and bisection are
// deterministic, so on a quiet machine every run of a side lands on the very same load and the
// t-interval collapses to a point while each side still hides a bias of up to its resolution,
// which averaging cannot remove. When pairs carry their runs' resolutions, [L, U] is widened to
// [L / (1 + r_base), U * (1 + r_head)] (geometric means over pairs): it then covers where the
// true ratio can be, not only where the quantized one was measured.
import { meanConfidenceInterval, tQuantile80, tQuantile975 } from '../stats/t-interval.js';
import type { PairOrder } from './pair-order.js';
import { percent } from '../format/numbers.js';

export type GateVerdict = 'PASS' | 'BLOCK' | 'INCONCLUSIVE';

/** Critical points of one interleaved pair of runs, same unit. */
export interface GatePair {
  base: number;
  head: number;
  order: PairOrder;
  /** (firstBreach - lastPass) / lastPass of the base run: its true critical point is at most this much higher. */
  baseResolution?: number;
  /** Same for the head run. */
  headResolution?: number;
}

export interface GateDecision {
  verdict: GateVerdict;
  /** Number of pairs. */
  n: number;
  /** R = exp(mean of ln(head/base)): the geometric mean ratio head/base. NaN with no pair. */
  ratio: number;
  /** 95% t-interval of the ratio, widened by the runs' resolutions (see `widening`). NaN with fewer than 2 pairs. */
  lower: number;
  upper: number;
  /** Factors applied to the t-interval for the runs' resolutions: 1 / (1 + r_base) and 1 + r_head (1 and 1 without resolutions). */
  widening: { lower: number; upper: number };
  /** Largest tolerated drop, as a fraction (0.15 = 15%). */
  maxDrop: number;
  /** 1 - maxDrop: the ratio at or below which a drop is too large. */
  threshold: number;
  /** Sample standard deviation of the log ratios: the per-pair noise. NaN with fewer than 2 pairs. */
  sdLog: number;
  /** Minimal detectable effect at this noise and n (see minimalDetectableEffect). NaN below 2 pairs. */
  mde: number;
  pairs: GatePair[];
  /** One human sentence. */
  reason: string;
}

/** Default number of pairs run before the first decision, and the most a gate will run. */
export const DEFAULT_PAIRS = 5;
export const DEFAULT_MAX_PAIRS = 10;

/**
 * Minimal detectable effect: the smallest true drop (fraction) that the gate flags as a sure drop
 * (upper bound U < 1) with 80% probability, given the observed sd of the log ratios and n pairs.
 *
 *   mde = 1 - exp(-(t(0.975, n-1) + t(0.80, n-1)) * sd / sqrt(n))
 *
 * Why: U < 1 means mean(l) < -t975 * se. If the true log ratio is -d, the observed mean is -d plus
 * noise of standard error se, so it falls below -t975 * se in 80% of gates when
 * d = (t975 + t80) * se: the standard two-sided sample-size formula, with t quantiles in place of
 * z because sd is estimated from the same n pairs. It gives ~8% at n = 5 with 5% per-pair noise
 * (docs/method.md). The alternative 1 - exp(-2 * t975 * se) asks for ~97.5% power: needlessly
 * pessimistic. By symmetry, the same margin is what a head needs above the 1 - maxDrop floor to
 * PASS with 80% probability. A BLOCK also needs R <= 1 - maxDrop, so the smallest drop a gate can
 * block is max(maxDrop, mde). With `headResolution` r, U is widened by (1 + r), so a drop must
 * also clear that: mde = 1 - exp(-margin) / (1 + r).
 */
export function minimalDetectableEffect(sd: number, n: number, headResolution = 0): number {
  if (!Number.isInteger(n) || n < 2 || !Number.isFinite(sd) || sd < 0) return Number.NaN;
  const df = n - 1;
  const margin = (tQuantile975(df) + tQuantile80(df)) * (sd / Math.sqrt(n));
  return 1 - Math.exp(-margin) / (1 + headResolution);
}

/** Geometric mean of (1 + resolution) over pairs; 1 when no pair carries one. */
function bracketFactor(pairs: readonly GatePair[], side: 'baseResolution' | 'headResolution'): number {
  const rs = pairs.map((p) => p[side]).filter((r): r is number => r !== undefined);
  if (rs.length === 0) return 1;
  return Math.exp(rs.reduce((sum, r) => sum + Math.log1p(r), 0) / rs.length);
}

function validate(pairs: readonly GatePair[], maxDrop: number): void {
  if (!(Number.isFinite(maxDrop) && maxDrop > 0 && maxDrop < 1)) {
    throw new RangeError(`maxDrop: must be a fraction between 0 and 1 (0.15 = 15%), got ${maxDrop}`);
  }
  pairs.forEach((p, i) => {
    for (const side of ['base', 'head'] as const) {
      const v = p[side];
      if (!(Number.isFinite(v) && v > 0)) {
        throw new RangeError(`pairs.${i}.${side}: critical point must be a positive number, got ${v}`);
      }
    }
    for (const key of ['baseResolution', 'headResolution'] as const) {
      const r = p[key];
      if (r !== undefined && !(Number.isFinite(r) && r >= 0)) {
        throw new RangeError(`pairs.${i}.${key}: must be a non-negative number, got ${r}`);
      }
    }
  });
}

/** The gate's rule on a ratio and its interval (docs/method.md section 7). */
export function verdictFor(ratio: number, lower: number, upper: number, threshold: number): GateVerdict {
  if (ratio <= threshold && upper < 1) return 'BLOCK';
  if (lower > threshold) return 'PASS';
  return 'INCONCLUSIVE';
}

/** Decide the gate from the pairs run so far. Throws RangeError on invalid input. */
export function decideGate(pairs: readonly GatePair[], maxDrop: number): GateDecision {
  validate(pairs, maxDrop);
  const n = pairs.length;
  const threshold = 1 - maxDrop;
  const copy = pairs.map((p) => ({ ...p }));
  const logs = pairs.map((p) => Math.log(p.head / p.base));
  const baseBracket = bracketFactor(pairs, 'baseResolution');
  const headBracket = bracketFactor(pairs, 'headResolution');
  const widening = { lower: 1 / baseBracket, upper: headBracket };

  if (n < 2) {
    const ratio = n === 1 ? Math.exp(logs[0] as number) : Number.NaN;
    return {
      verdict: 'INCONCLUSIVE',
      n,
      ratio,
      lower: Number.NaN,
      upper: Number.NaN,
      widening,
      maxDrop,
      threshold,
      sdLog: Number.NaN,
      mde: Number.NaN,
      pairs: copy,
      reason: `INCONCLUSIVE: a confidence interval needs at least 2 pairs, and there ${n === 1 ? 'is 1' : 'are 0'}.`,
    };
  }

  const ci = meanConfidenceInterval(logs);
  const ratio = Math.exp(ci.mean);
  const lower = Math.exp(ci.lower) * widening.lower;
  const upper = Math.exp(ci.upper) * widening.upper;
  const mde = minimalDetectableEffect(ci.sd, n, headBracket - 1);
  const widened = baseBracket > 1 || headBracket > 1 ? `, widened for the runs' resolutions ${percent(baseBracket - 1)} / ${percent(headBracket - 1)}` : '';
  const where = `head/base ${percent(ratio)} (95% CI ${percent(lower)} to ${percent(upper)}${widened}) over ${n} pairs`;
  const floor = `the ${percent(threshold)} floor (max drop ${percent(maxDrop)})`;

  const verdict = verdictFor(ratio, lower, upper, threshold);
  let reason: string;
  if (verdict === 'BLOCK') {
    reason = `BLOCK: ${where}: a drop of ${percent(1 - ratio)} reaches ${floor} and the whole interval is below 100%.`;
  } else if (verdict === 'PASS') {
    reason = `PASS: ${where}: the whole interval is above ${floor}.`;
  } else {
    const why =
      ratio <= threshold
        ? `the drop reaches ${floor} but the interval still reaches 100%`
        : `the interval spans ${floor}${upper < 1 ? ' (a drop is sure, its size is not)' : ''}`;
    reason = `INCONCLUSIVE: ${where}: ${why}; at this noise ${n} pairs detect drops of ${percent(mde)} or more.`;
  }
  return { verdict, n, ratio, lower, upper, widening, maxDrop, threshold, sdLog: ci.sd, mde, pairs: copy, reason };
}

/**
 * Whether to run one more pair: only while the verdict is INCONCLUSIVE and fewer than maxPairs
 * pairs have run. The caller runs DEFAULT_PAIRS first, then decides after each added pair.
 * (Looking again after each pair is a sequential test: it lifts the false-BLOCK rate slightly
 * above a single look's; the seeded simulation in test/unit keeps it within 1% under A/A.)
 */
export function shouldAddPair(state: Pick<GateDecision, 'verdict' | 'n'>, maxPairs = DEFAULT_MAX_PAIRS): boolean {
  return state.verdict === 'INCONCLUSIVE' && state.n < maxPairs;
}
