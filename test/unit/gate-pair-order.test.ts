import { describe, expect, it } from 'vitest';
import { pairOrders, runSequence, seedFromString } from '../../src/compare/pair-order.js';
import { seededRandom } from '../../src/stats/seeded-random.js';

describe('seededRandom', () => {
  it('is deterministic for a seed and in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    let sum = 0;
    let same = true;
    let inRange = true;
    for (let i = 0; i < 10_000; i++) {
      const x = a();
      same &&= x === b();
      inRange &&= x >= 0 && x < 1;
      sum += x;
    }
    expect(same).toBe(true);
    expect(inRange).toBe(true);
    expect(sum / 10_000).toBeGreaterThan(0.48);
    expect(sum / 10_000).toBeLessThan(0.52);
  });
  it('differs between seeds', () => {
    expect(seededRandom(1)()).not.toBe(seededRandom(2)());
  });
});

describe('pairOrders', () => {
  it.each([0, 1, 2, 5, 10, 11])('n = %i: length n, balanced within one', (n) => {
    const o = pairOrders(n, 7);
    expect(o).toHaveLength(n);
    const baseFirst = o.filter((x) => x === 'base-first').length;
    expect(Math.abs(baseFirst - (n - baseFirst))).toBeLessThanOrEqual(1);
  });
  it('each block of two is ABBA or BAAB', () => {
    const o = pairOrders(20, 3);
    for (let i = 0; i < 20; i += 2) expect(o[i]).not.toBe(o[i + 1]);
  });
  it('is reproducible and a prefix of a longer plan (adding pairs keeps the plan)', () => {
    expect(pairOrders(5, 99)).toEqual(pairOrders(5, 99));
    expect(pairOrders(10, 99).slice(0, 5)).toEqual(pairOrders(5, 99));
    expect(pairOrders(10, 99).slice(0, 7)).toEqual(pairOrders(7, 99));
  });
  it('randomises the block orders across seeds', () => {
    const firsts = new Set(Array.from({ length: 20 }, (_, s) => pairOrders(1, s)[0]));
    expect(firsts.size).toBe(2);
  });
  it.each([-1, 1.5, Number.NaN])('rejects n = %s', (n) => {
    expect(() => pairOrders(n, 1)).toThrow(RangeError);
  });
});

describe('runSequence', () => {
  it('expands orders into runs', () => {
    expect(runSequence(['base-first', 'head-first'])).toEqual([
      { pair: 0, side: 'base' },
      { pair: 0, side: 'head' },
      { pair: 1, side: 'head' },
      { pair: 1, side: 'base' },
    ]);
  });
});

describe('seedFromString', () => {
  it('is a stable 32-bit seed', () => {
    const s = seedFromString('3f2a9c1');
    expect(s).toBe(seedFromString('3f2a9c1'));
    expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
    expect(seedFromString('a')).not.toBe(seedFromString('b'));
  });
});
