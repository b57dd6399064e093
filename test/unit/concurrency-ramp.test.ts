import { describe, expect, it } from 'vitest';
import { concurrencyMidpoint, concurrencyRampLoads, unitOf } from '../../src/load/concurrency-ramp.js';

describe('concurrencyRampLoads: whole connection counts', () => {
  const cases = [
    { name: 'default x2 from 1 to 256', start: 1, end: 256, growth: { factor: 2 }, want: [2, 4, 8, 16, 32, 64, 128, 256] },
    { name: 'x1.5 rounds and skips repeats', start: 1, end: 10, growth: { factor: 1.5 }, want: [2, 3, 5, 8, 10] },
    { name: 'x1.2 from 1 never repeats a count', start: 1, end: 4, growth: { factor: 1.2 }, want: [2, 3, 4] },
    { name: 'linear step 4', start: 2, end: 14, growth: { step: 4 }, want: [6, 10, 14] },
    { name: 'end not on the geometric grid is the last step', start: 1, end: 20, growth: { factor: 2 }, want: [2, 4, 8, 16, 20] },
    { name: 'end equal to start: no ramp', start: 4, end: 4, growth: { factor: 2 }, want: [] },
  ];
  for (const c of cases) it(c.name, () => expect(concurrencyRampLoads(c.start, c.end, c.growth)).toEqual(c.want));
});

describe('concurrencyMidpoint: integer bisection', () => {
  const cases = [
    { name: '8..16 -> 12', lp: 8, fb: 16, res: 0.05, want: 12 },
    { name: '8..10 -> 9', lp: 8, fb: 10, res: 0.05, want: 9 },
    { name: 'adjacent counts: nothing between', lp: 8, fb: 9, res: 0.05, want: null },
    { name: 'within the resolution', lp: 100, fb: 104, res: 0.05, want: null },
  ];
  for (const c of cases) it(c.name, () => expect(concurrencyMidpoint(c.lp, c.fb, c.res)).toBe(c.want));
  it('units', () => expect([unitOf('rate'), unitOf('concurrency')]).toEqual(['req/s', 'connections']));
});
