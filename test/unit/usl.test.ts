import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitUsl, uslDiagnostic, uslPeak, uslThroughput } from '../../src/stats/usl.js';
import { seededRandom } from '../../src/stats/seeded-random.js';

const curve = (p: { lambda: number; sigma: number; kappa: number }, ns: number[], noise = 0, seed = 1) => {
  const r = seededRandom(seed);
  return ns.map((n) => ({ concurrency: n, throughput: uslThroughput(n, p) * (1 + noise * (2 * r() - 1)) }));
};

describe('uslPeak', () => {
  const cases = [
    { name: 'sigma 0.05, kappa 0.05: floor(sqrt(19)) = 4', sigma: 0.05, kappa: 0.05, want: 4 },
    { name: 'sigma 0.05, kappa 0.01: floor(sqrt(95)) = 9', sigma: 0.05, kappa: 0.01, want: 9 },
    { name: 'no coherency cost: no peak', sigma: 0.1, kappa: 0, want: null },
    { name: 'at least one connection', sigma: 0.5, kappa: 0.9, want: 1 },
  ];
  for (const c of cases) it(c.name, () => expect(uslPeak(c.sigma, c.kappa)).toBe(c.want));
});

describe('fitUsl recovers known parameters', () => {
  const ns = [1, 2, 4, 6, 8, 12, 16, 32];
  const cases = [
    { name: 'contention + coherency, exact', p: { lambda: 200, sigma: 0.05, kappa: 0.05 }, noise: 0 },
    { name: 'peak at 9, 2% noise', p: { lambda: 100, sigma: 0.05, kappa: 0.01 }, noise: 0.02 },
    { name: 'mild retrograde, 2% noise', p: { lambda: 1000, sigma: 0.02, kappa: 0.002 }, noise: 0.02 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const fit = fitUsl(curve(c.p, ns, c.noise));
      expect(fit).not.toBeNull();
      const truePeak = uslPeak(c.p.sigma, c.p.kappa)!;
      expect(fit!.lambda / c.p.lambda).toBeGreaterThan(0.9);
      expect(fit!.lambda / c.p.lambda).toBeLessThan(1.1);
      expect(Math.abs(fit!.peakConcurrency! - truePeak)).toBeLessThanOrEqual(Math.max(1, truePeak * 0.15));
      expect(fit!.peakThroughput! / uslThroughput(truePeak, c.p)).toBeCloseTo(1, 1);
      expect(fit!.r2).toBeGreaterThan(0.95);
    });
  }
  it('a noise-free curve is fitted exactly for any parameters', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 10, max: 5000, noNaN: true }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.double({ min: 0.0005, max: 0.1, noNaN: true }),
        (lambda, sigma, kappa) => {
          const fit = fitUsl(curve({ lambda, sigma, kappa }, ns))!;
          expect(fit.r2).toBeGreaterThan(0.999);
          for (const n of ns) expect(uslThroughput(n, fit) / uslThroughput(n, { lambda, sigma, kappa })).toBeCloseTo(1, 2);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });
});

describe('uslDiagnostic', () => {
  it('the Go contention target measured by the lead (W=8, S=5ms, contention 0.05, coherency 0.05): a peak between 2 and 8', () => {
    // Throughput measured with autocannon at 2, 4, 6, 8, 16 connections (shared/brief), rising then falling.
    const d = uslDiagnostic([
      { concurrency: 2, throughput: 288 },
      { concurrency: 4, throughput: 409 },
      { concurrency: 6, throughput: 407 },
      { concurrency: 8, throughput: 373 },
      { concurrency: 16, throughput: 382 },
    ]);
    expect(d.status).toBe('fitted');
    expect(d.fit!.peakConcurrency).toBeGreaterThanOrEqual(3);
    expect(d.fit!.peakConcurrency).toBeLessThanOrEqual(8);
    expect(d.detail).toMatch(/^USL fit sigma .* predicted peak N\* = \d+ connections/);
  });
  it('throughput still rising at the top: not fitted, says why', () => {
    const d = uslDiagnostic(curve({ lambda: 100, sigma: 0.05, kappa: 0.0001 }, [1, 2, 4, 8, 16]));
    expect(d.status).toBe('peak-not-passed');
    expect(d.fit).toBeNull();
    expect(d.detail).toContain('16 connections');
  });
  it('fewer than 4 concurrencies: not fitted', () => {
    const d = uslDiagnostic(curve({ lambda: 100, sigma: 0.05, kappa: 0.05 }, [1, 4, 16]));
    expect(d.status).toBe('too-few-points');
  });
  it('ignores points without throughput', () => {
    const pts = [
      ...curve({ lambda: 100, sigma: 0.05, kappa: 0.05 }, [1, 2, 4, 8, 16]),
      { concurrency: 32, throughput: NaN },
      { concurrency: 64, throughput: 0 },
    ];
    expect(uslDiagnostic(pts).points).toHaveLength(5);
  });
});
