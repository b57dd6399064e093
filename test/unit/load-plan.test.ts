import { describe, expect, it } from 'vitest';
import { effectiveWindowMs, rampLoads, refineStepsNeeded } from '../../src/load/ramp-plan.js';
import { gap, nextMidpoint } from '../../src/load/bisection.js';
import { poissonPacer, uniformPacer } from '../../src/load/rate-schedule.js';

describe('rampLoads', () => {
  const cases = [
    { name: 'geometric x1.5 ends exactly at end', start: 100, end: 500, growth: { factor: 1.5 }, want: [150, 225, 338, 500] },
    { name: 'linear steps', start: 100, end: 400, growth: { step: 100 }, want: [200, 300, 400] },
    { name: 'end equal to start: no ramp', start: 100, end: 100, growth: { factor: 1.5 }, want: [] },
    { name: 'end just above start', start: 100, end: 120, growth: { factor: 1.5 }, want: [120] },
  ];
  for (const c of cases) it(c.name, () => expect(rampLoads(c.start, c.end, c.growth)).toEqual(c.want));
});

describe('bisection', () => {
  const cases = [
    { name: '50% gap gives the midpoint', lp: 100, fb: 150, res: 0.05, want: 125 },
    { name: 'gap within resolution stops', lp: 100, fb: 104, res: 0.05, want: null },
    { name: 'gap exactly at resolution stops', lp: 100, fb: 105, res: 0.05, want: null },
    { name: 'inverted bounds stop', lp: 150, fb: 100, res: 0.05, want: null },
  ];
  for (const c of cases) it(c.name, () => expect(nextMidpoint(c.lp, c.fb, c.res)).toBe(c.want));
  it('gap is relative to lastPass', () => expect(gap(200, 250)).toBe(0.25));
  it('x1.5 growth needs 4 bisections to reach 5%', () => expect(refineStepsNeeded({ factor: 1.5 }, 100, 0.05, 10)).toBe(4));
});

describe('pacers', () => {
  it('uniform: 1000 req/s leaves every 1 ms from 0', () => {
    const p = uniformPacer(1000);
    expect([p.next(), p.next(), p.next()]).toEqual([0, 1, 2]);
  });
  it('poisson: seeded, mean gap close to 1000/rate', () => {
    const a = poissonPacer(500, 42);
    const b = poissonPacer(500, 42);
    let last = 0;
    for (let i = 0; i < 10_000; i++) {
      last = a.next();
      expect(b.next()).toBe(last);
    }
    expect(last / 9_999).toBeGreaterThan(1.9);
    expect(last / 9_999).toBeLessThan(2.1);
  });
});

describe('effectiveWindowMs', () => {
  it('keeps the window when it has enough requests', () => expect(effectiveWindowMs(300, 1000, 200)).toBe(1000));
  it('extends to whole windows when it has too few', () => expect(effectiveWindowMs(100, 1000, 200)).toBe(2000));
  it('rounds up', () => expect(effectiveWindowMs(150, 1000, 200)).toBe(2000));
});
