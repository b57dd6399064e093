import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideGate, minimalDetectableEffect, shouldAddPair, type GatePair, type GateVerdict } from '../../src/compare/gate-decision.js';

/** Pairs with base 1000 and head 1000 * ratio, alternating order. */
function pairsOf(ratios: number[], base = 1000): GatePair[] {
  return ratios.map((r, i) => ({ base, head: base * r, order: i % 2 === 0 ? 'base-first' : 'head-first' }));
}

/** Two pairs whose log ratios are m - a and m + a: mean m, se a, U = exp(m + 12.706 a). */
function twoPairs(m: number, a: number): GatePair[] {
  return [
    { base: 1000, head: 1000 * Math.exp(m - a), order: 'base-first' },
    { base: 1000, head: 1000 * Math.exp(m + a), order: 'head-first' },
  ];
}

describe('decideGate: verdicts', () => {
  const cases: [string, GatePair[], number, GateVerdict, RegExp][] = [
    ['clear PASS: no change, low noise', pairsOf([1.01, 0.99, 1.0, 1.02, 0.98]), 0.15, 'PASS', /above the 85\.0% floor/],
    ['PASS: a 5% drop is tolerated at maxDrop 15%', pairsOf([0.95, 0.96, 0.94, 0.95, 0.95]), 0.15, 'PASS', /^PASS/],
    ['A/A with identical runs', pairsOf([1, 1, 1, 1, 1]), 0.15, 'PASS', /^PASS/],
    ['clear BLOCK: 30% drop', pairsOf([0.7, 0.72, 0.68, 0.71, 0.69]), 0.15, 'BLOCK', /drop of 30\.\d% reaches/],
    ['INCONCLUSIVE: interval spans the floor', pairsOf([0.8, 0.95, 0.85, 0.9, 0.88]), 0.15, 'INCONCLUSIVE', /spans the 85\.0% floor/],
    ['INCONCLUSIVE: big drop but too noisy', pairsOf([0.5, 1.1, 0.6, 1.05, 0.7]), 0.15, 'INCONCLUSIVE', /still reaches 100%/],
    ['PASS: a sure 12% drop, surely within maxDrop 15%', pairsOf([0.88, 0.9, 0.86, 0.89, 0.87]), 0.15, 'PASS', /^PASS/],
    [
      'INCONCLUSIVE: a 14% drop, close to the floor',
      pairsOf([0.84, 0.88, 0.85, 0.87, 0.86]),
      0.15,
      'INCONCLUSIVE',
      /spans the 85\.0% floor .*\(a drop is sure, its size is not\)/,
    ],
    ['PASS: improvement', pairsOf([1.3, 1.25, 1.35, 1.28, 1.32]), 0.15, 'PASS', /^PASS/],
  ];
  it.each(cases)('%s', (_name, pairs, maxDrop, verdict, reason) => {
    const d = decideGate(pairs, maxDrop);
    expect(d.verdict).toBe(verdict);
    expect(d.reason).toMatch(reason);
    expect(d.n).toBe(pairs.length);
    expect(d.lower).toBeLessThanOrEqual(d.ratio);
    expect(d.ratio).toBeLessThanOrEqual(d.upper);
    expect(d.threshold).toBeCloseTo(1 - maxDrop, 12);
  });

  it('ratio is the geometric mean of head/base', () => {
    const d = decideGate(pairsOf([0.5, 2]), 0.15);
    expect(d.ratio).toBeCloseTo(1, 12);
  });

  it('swapping base and head inverts the ratio and the interval', () => {
    const pairs = pairsOf([0.8, 0.95, 0.85, 0.9, 0.88]);
    const d = decideGate(pairs, 0.15);
    const s = decideGate(
      pairs.map((p) => ({ ...p, base: p.head, head: p.base })),
      0.15,
    );
    expect(s.ratio).toBeCloseTo(1 / d.ratio, 12);
    expect(s.lower).toBeCloseTo(1 / d.upper, 12);
    expect(s.upper).toBeCloseTo(1 / d.lower, 12);
  });

  it('copies the pairs', () => {
    const pairs = pairsOf([1, 1]);
    const d = decideGate(pairs, 0.15);
    (pairs[0] as GatePair).head = 1;
    expect(d.pairs[0]?.head).toBe(1000);
  });
});

describe('decideGate: boundaries', () => {
  const t1 = 12.706; // t(0.975, df 1): two pairs
  const cases: [string, GatePair[], number, GateVerdict][] = [
    ['R exactly at the floor, no noise: BLOCK (R <= 1 - maxDrop)', pairsOf([0.85, 0.85, 0.85]), 0.15, 'BLOCK'],
    ['R exactly at a binary floor 0.75: BLOCK', pairsOf([0.75, 0.75, 0.75, 0.75]), 0.25, 'BLOCK'],
    ['R a hair above the floor, no noise: L > floor, PASS', pairsOf([0.8500001, 0.8500001]), 0.15, 'PASS'],
    ['R a hair below the floor, no noise: BLOCK', pairsOf([0.8499999, 0.8499999]), 0.15, 'BLOCK'],
    ['U just below 1 with R under the floor: BLOCK', twoPairs(Math.log(0.8), (-Math.log(0.8) / t1) * (1 - 1e-6)), 0.15, 'BLOCK'],
    ['U just above 1 with R under the floor: INCONCLUSIVE', twoPairs(Math.log(0.8), (-Math.log(0.8) / t1) * (1 + 1e-6)), 0.15, 'INCONCLUSIVE'],
    ['L just above the floor: PASS', twoPairs(Math.log(0.95), ((Math.log(0.95) - Math.log(0.85)) / t1) * (1 - 1e-6)), 0.15, 'PASS'],
    ['L just below the floor: INCONCLUSIVE', twoPairs(Math.log(0.95), ((Math.log(0.95) - Math.log(0.85)) / t1) * (1 + 1e-6)), 0.15, 'INCONCLUSIVE'],
  ];
  it.each(cases)('%s', (_name, pairs, maxDrop, verdict) => {
    expect(decideGate(pairs, maxDrop).verdict).toBe(verdict);
  });

  it('one pair: INCONCLUSIVE with no interval', () => {
    const d = decideGate(pairsOf([0.5]), 0.15);
    expect(d).toMatchObject({ verdict: 'INCONCLUSIVE', n: 1, ratio: 0.5 });
    expect(d.lower).toBeNaN();
    expect(d.upper).toBeNaN();
    expect(d.mde).toBeNaN();
    expect(d.reason).toMatch(/at least 2 pairs/);
  });

  it('no pair: INCONCLUSIVE', () => {
    const d = decideGate([], 0.15);
    expect(d.verdict).toBe('INCONCLUSIVE');
    expect(d.ratio).toBeNaN();
  });
});

describe('decideGate: invalid input', () => {
  it.each([
    ['maxDrop 0', pairsOf([1, 1]), 0, /maxDrop/],
    ['maxDrop 1', pairsOf([1, 1]), 1, /maxDrop/],
    ['maxDrop as a percent', pairsOf([1, 1]), 15, /maxDrop/],
    ['maxDrop NaN', pairsOf([1, 1]), Number.NaN, /maxDrop/],
    ['zero base', [{ base: 0, head: 1, order: 'base-first' }] as GatePair[], 0.15, /pairs\.0\.base/],
    ['negative head', pairsOf([1, -1]), 0.15, /pairs\.1\.head/],
    ['NaN head', [{ base: 1, head: Number.NaN, order: 'head-first' }] as GatePair[], 0.15, /pairs\.0\.head/],
  ])('%s throws', (_name, pairs, maxDrop, msg) => {
    expect(() => decideGate(pairs, maxDrop)).toThrow(msg);
  });
});

describe('minimalDetectableEffect', () => {
  it('is about 8% at n = 5 with 5% per-pair noise (docs/method.md)', () => {
    // (2.776 + 0.941) * 0.05 / sqrt(5) = 0.08312; 1 - exp(-0.08312) = 0.0798
    expect(minimalDetectableEffect(0.05, 5)).toBeCloseTo(0.0798, 4);
  });
  it.each([
    ['no noise', 0, 5, 0],
    ['n = 10', 0.05, 10, 1 - Math.exp((-(2.262 + 0.883) * 0.05) / Math.sqrt(10))],
    ['n = 2', 0.05, 2, 1 - Math.exp((-(12.706 + 1.376) * 0.05) / Math.sqrt(2))],
  ])('%s', (_name, sd, n, expected) => {
    expect(minimalDetectableEffect(sd, n)).toBeCloseTo(expected, 10);
  });
  it('shrinks as pairs are added', () => {
    for (let n = 2; n < 30; n++) {
      expect(minimalDetectableEffect(0.05, n + 1)).toBeLessThan(minimalDetectableEffect(0.05, n));
    }
  });
  it.each([
    ['n = 1', 0.05, 1],
    ['n = 0', 0.05, 0],
    ['negative sd', -0.1, 5],
    ['NaN sd', Number.NaN, 5],
  ])('%s is NaN', (_name, sd, n) => {
    expect(minimalDetectableEffect(sd, n)).toBeNaN();
  });
  it('the decision carries the mde of its own noise', () => {
    const d = decideGate(pairsOf([0.8, 0.95, 0.85, 0.9, 0.88]), 0.15);
    expect(d.mde).toBeCloseTo(minimalDetectableEffect(d.sdLog, 5), 12);
    expect(d.reason).toContain(`${(d.mde * 100).toFixed(1)}%`);
  });
});

describe('shouldAddPair', () => {
  it.each([
    ['INCONCLUSIVE at 5 of 10', 'INCONCLUSIVE', 5, 10, true],
    ['INCONCLUSIVE at 9 of 10', 'INCONCLUSIVE', 9, 10, true],
    ['INCONCLUSIVE at 10 of 10: stop, report', 'INCONCLUSIVE', 10, 10, false],
    ['PASS: stop', 'PASS', 5, 10, false],
    ['BLOCK: stop', 'BLOCK', 5, 10, false],
    ['INCONCLUSIVE with one pair', 'INCONCLUSIVE', 1, 10, true],
  ] as [string, GateVerdict, number, number, boolean][])('%s', (_name, verdict, n, maxPairs, expected) => {
    expect(shouldAddPair({ verdict, n }, maxPairs)).toBe(expected);
  });
  it('defaults to 10 pairs', () => {
    expect(shouldAddPair({ verdict: 'INCONCLUSIVE', n: 9 })).toBe(true);
    expect(shouldAddPair({ verdict: 'INCONCLUSIVE', n: 10 })).toBe(false);
  });
});

describe('decideGate: properties', () => {
  const pairArb = fc.record({
    base: fc.double({ min: 1, max: 1e5, noNaN: true }),
    head: fc.double({ min: 1, max: 1e5, noNaN: true }),
    order: fc.constantFrom('base-first' as const, 'head-first' as const),
  });
  it('the verdict follows the rule, and L <= R <= U', () => {
    fc.assert(
      fc.property(fc.array(pairArb, { minLength: 2, maxLength: 12 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (pairs, maxDrop) => {
        const d = decideGate(pairs, maxDrop);
        const eps = 1e-12;
        expect(d.lower).toBeLessThanOrEqual(d.ratio * (1 + eps));
        expect(d.ratio).toBeLessThanOrEqual(d.upper * (1 + eps));
        const block = d.ratio <= 1 - maxDrop && d.upper < 1;
        const pass = d.lower > 1 - maxDrop;
        expect(d.verdict).toBe(block ? 'BLOCK' : pass ? 'PASS' : 'INCONCLUSIVE');
      }),
      { seed: 42, numRuns: 300 },
    );
  });
  it('scaling both sides of every pair changes nothing', () => {
    fc.assert(
      fc.property(fc.array(pairArb, { minLength: 2, maxLength: 8 }), fc.double({ min: 0.1, max: 10, noNaN: true }), (pairs, k) => {
        const a = decideGate(pairs, 0.15);
        const b = decideGate(
          pairs.map((p) => ({ ...p, base: p.base * k, head: p.head * k })),
          0.15,
        );
        for (const key of ['ratio', 'lower', 'upper'] as const) {
          expect(Math.abs(b[key] / a[key] - 1)).toBeLessThan(1e-9);
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

/** Pairs with the same base and head in every pair, as a deterministic ramp gives on a quiet machine. */
function quantized(base: number, head: number, n: number, baseResolution?: number, headResolution?: number): GatePair[] {
  return Array.from({ length: n }, (_v, i) => ({
    base,
    head,
    order: i % 2 === 0 ? ('base-first' as const) : ('head-first' as const),
    ...(baseResolution === undefined ? {} : { baseResolution }),
    ...(headResolution === undefined ? {} : { headResolution }),
  }));
}

describe("decideGate: widening by the runs' resolutions", () => {
  const cases: [string, GatePair[], GateVerdict, number, number][] = [
    // Every run lands on the same bisection load: without resolutions the interval is a point.
    ['no resolutions: zero-width interval, PASS at 86.0% (true drop could be more than 15%)', quantized(977, 840, 5), 'PASS', 840 / 977, 840 / 977],
    [
      'base 3.4% / head 3.0%: the interval covers the bracket, INCONCLUSIVE',
      quantized(977, 840, 5, 0.034, 0.03),
      'INCONCLUSIVE',
      840 / 977 / 1.034,
      (840 / 977) * 1.03,
    ],
    ['A/A with identical quantized runs and 3.4% resolution still PASSes', quantized(977, 977, 5, 0.034, 0.034), 'PASS', 1 / 1.034, 1.034],
    ['1000 vs 750 capacity (977 vs 762): BLOCK survives the widening', quantized(977, 762, 3, 0.034, 0.025), 'BLOCK', 762 / 977 / 1.034, (762 / 977) * 1.025],
    [
      'a 20% drop with a coarse head (resolution 30%): U = 0.8 x 1.3 = 1.04, not surely a drop, INCONCLUSIVE',
      quantized(1000, 800, 5, 0, 0.3),
      'INCONCLUSIVE',
      0.8,
      0.8 * 1.3,
    ],
  ];
  it.each(cases)('%s', (_name, pairs, verdict, lower, upper) => {
    const d = decideGate(pairs, 0.15);
    expect(d.verdict).toBe(verdict);
    expect(d.sdLog).toBe(0);
    expect(d.lower).toBeCloseTo(lower, 12);
    expect(d.upper).toBeCloseTo(upper, 12);
    expect(d.lower).toBeLessThanOrEqual(d.ratio);
    expect(d.upper).toBeGreaterThanOrEqual(d.ratio);
  });

  it('uses the geometric mean of (1 + resolution) over pairs', () => {
    const pairs = [...quantized(1000, 700, 1, 0.02, 0.01), ...quantized(1000, 700, 1, 0.08, 0.04)];
    const d = decideGate(pairs, 0.15);
    expect(d.widening.lower).toBeCloseTo(1 / Math.sqrt(1.02 * 1.08), 12);
    expect(d.widening.upper).toBeCloseTo(Math.sqrt(1.01 * 1.04), 12);
    expect(d.reason).toMatch(/widened for the runs' resolutions 5\.0% \/ 2\.5%/);
  });

  it('without resolutions the widening is 1 and the reason does not mention it', () => {
    const d = decideGate(pairsOf([0.9, 0.92, 0.91]), 0.15);
    expect(d.widening).toEqual({ lower: 1, upper: 1 });
    expect(d.reason).not.toMatch(/widened/);
  });

  it('the minimal detectable effect includes the head resolution', () => {
    expect(minimalDetectableEffect(0, 5, 0.05)).toBeCloseTo(1 - 1 / 1.05, 12);
    expect(minimalDetectableEffect(0.05, 5, 0.05)).toBeGreaterThan(minimalDetectableEffect(0.05, 5));
  });

  it.each([
    ['negative', -0.01],
    ['NaN', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('rejects a %s resolution with its path', (_name, r) => {
    expect(() => decideGate(quantized(1000, 900, 3, r), 0.15)).toThrow(/pairs\.0\.baseResolution: must be a non-negative number/);
  });
});
