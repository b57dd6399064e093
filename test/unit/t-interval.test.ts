import { describe, expect, it } from 'vitest';
import { meanConfidenceInterval, tQuantile80, tQuantile975 } from '../../src/stats/t-interval.js';

describe('tQuantile975: table rows', () => {
  const cases: [string, number, number][] = [
    ['df 1', 1, 12.706],
    ['df 2', 2, 4.303],
    ['df 4', 4, 2.776],
    ['df 5', 5, 2.571],
    ['df 9', 9, 2.262],
    ['df 10', 10, 2.228],
    ['df 20', 20, 2.086],
    ['df 30', 30, 2.042],
    ['df 40', 40, 2.021],
    ['df 60', 60, 2.0],
    ['df 120', 120, 1.98],
    ['df infinity', Infinity, 1.96],
  ];
  it.each(cases)('%s', (_name, df, q) => {
    expect(tQuantile975(df)).toBeCloseTo(q, 3);
  });

  it('large df tends to the normal 1.960', () => {
    expect(tQuantile975(1e6)).toBeCloseTo(1.96, 3);
    expect(tQuantile975(1e12)).toBeCloseTo(1.96, 6);
  });
});

describe('tQuantile975: interpolation in 1/df between rows (exact values from scipy)', () => {
  const cases: [string, number, number][] = [
    ['df 35', 35, 2.0301],
    ['df 45', 45, 2.0141],
    ['df 50', 50, 2.0086],
    ['df 80', 80, 1.9901],
    ['df 100', 100, 1.984],
    ['df 200', 200, 1.9719],
    ['df 500', 500, 1.9647],
    ['df 1000', 1000, 1.9623],
  ];
  it.each(cases)('%s within 0.001', (_name, df, exact) => {
    expect(Math.abs(tQuantile975(df) - exact)).toBeLessThan(0.001);
  });

  it('is monotone decreasing in df', () => {
    let prev = Infinity;
    for (let df = 1; df <= 2000; df += 0.5) {
      const q = tQuantile975(df);
      expect(q).toBeLessThanOrEqual(prev);
      prev = q;
    }
  });
});

describe('tQuantile80', () => {
  const cases: [string, number, number][] = [
    ['df 1', 1, 1.376],
    ['df 4', 4, 0.941],
    ['df 9', 9, 0.883],
    ['df 30', 30, 0.854],
    ['df 80 (interpolated)', 80, 0.8461],
    ['df infinity', Infinity, 0.842],
  ];
  it.each(cases)('%s', (_name, df, q) => {
    expect(Math.abs(tQuantile80(df) - q)).toBeLessThan(0.0006);
  });
});

describe('tQuantile975: invalid df', () => {
  it.each([
    ['zero', 0],
    ['below 1', 0.5],
    ['negative', -3],
    ['NaN', Number.NaN],
  ])('%s throws RangeError', (_name, df) => {
    expect(() => tQuantile975(df)).toThrow(RangeError);
  });
});

describe('meanConfidenceInterval', () => {
  it('matches a hand computation (scipy: lower 9.78356)', () => {
    const ci = meanConfidenceInterval([9.8, 10.2, 10.4, 9.9, 10.1]);
    expect(ci.n).toBe(5);
    expect(ci.df).toBe(4);
    expect(ci.mean).toBeCloseTo(10.08, 10);
    expect(ci.sd).toBeCloseTo(0.2387467277, 9);
    expect(ci.se).toBeCloseTo(0.2387467277 / Math.sqrt(5), 9);
    expect(ci.lower).toBeCloseTo(9.78356, 4);
    expect(ci.upper).toBeCloseTo(10.08 + (10.08 - 9.78356), 4);
  });

  it('two values use df 1 (t = 12.706)', () => {
    const ci = meanConfidenceInterval([1, 3]);
    // sd = sqrt(2), se = 1
    expect(ci.upper - ci.mean).toBeCloseTo(12.706, 6);
  });

  it('identical values give a zero-width interval', () => {
    const ci = meanConfidenceInterval([2, 2, 2]);
    expect(ci).toMatchObject({ mean: 2, sd: 0, se: 0, lower: 2, upper: 2 });
  });

  it.each([
    ['no values', [] as number[]],
    ['one value', [1]],
    ['a NaN', [1, Number.NaN, 2]],
    ['an Infinity', [1, Infinity]],
  ])('rejects %s', (_name, values) => {
    expect(() => meanConfidenceInterval(values)).toThrow(RangeError);
  });

  it('rejects levels other than 0.95', () => {
    expect(() => meanConfidenceInterval([1, 2, 3], 0.9)).toThrow(/only level 0.95/);
  });
});
