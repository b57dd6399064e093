// The schedule split over load threads (load.workers >= 2): every thread's part together is exactly the
// single-thread schedule (count and intended times), uniform by i mod N, Poisson by seeded thinning
// (each part still a Poisson stream), and the step's budget holds over all threads.
import { describe, expect, it } from 'vitest';
import { createPacer, poissonOwner, threadPacer } from '../../src/load/rate-schedule.js';

/** Every request of a schedule before durationMs: [global index, intended offset]. */
function single(kind: 'uniform' | 'poisson', rate: number, seed: number, durationMs: number, maxRequests: number): [number, number][] {
  const p = createPacer(kind, rate, seed);
  const out: [number, number][] = [];
  for (let t = p.next(); t < durationMs && out.length < maxRequests; t = p.next()) out.push([out.length, t]);
  return out;
}

function split(kind: 'uniform' | 'poisson', rate: number, seed: number, durationMs: number, maxRequests: number, threads: number): [number, number][][] {
  return Array.from({ length: threads }, (_, k) => {
    const p = threadPacer(kind, rate, seed, k, threads, maxRequests);
    const out: [number, number][] = [];
    for (let t = p.next(); t < durationMs; t = p.next()) out.push([p.index, t]);
    return out;
  });
}

describe('threadPacer', () => {
  const cases = [
    { kind: 'uniform' as const, rate: 7_919, threads: 2, maxRequests: Infinity },
    { kind: 'uniform' as const, rate: 1_000, threads: 3, maxRequests: 1_234 },
    { kind: 'uniform' as const, rate: 333, threads: 4, maxRequests: Infinity },
    { kind: 'poisson' as const, rate: 5_000, threads: 2, maxRequests: Infinity },
    { kind: 'poisson' as const, rate: 2_000, threads: 3, maxRequests: 777 },
    { kind: 'uniform' as const, rate: 1_000, threads: 1, maxRequests: Infinity },
    { kind: 'poisson' as const, rate: 1_000, threads: 1, maxRequests: Infinity },
  ];
  for (const c of cases) {
    it(`${c.kind} ${c.rate} req/s over ${c.threads} threads, budget ${c.maxRequests}: the union is the single-thread schedule`, () => {
      const want = single(c.kind, c.rate, 42, 1_000, c.maxRequests);
      const parts = split(c.kind, c.rate, 42, 1_000, c.maxRequests, c.threads);
      const union = parts.flat().sort((a, b) => a[0] - b[0]);
      expect(union.length).toBe(want.length);
      // Same global sequence numbers and bit-identical intended times.
      expect(union).toEqual(want);
      // Each part in time order.
      for (const p of parts) for (let i = 1; i < p.length; i++) expect(p[i]![1]).toBeGreaterThanOrEqual(p[i - 1]![1]);
      if (c.kind === 'uniform') parts.forEach((p, k) => p.forEach(([i]) => expect(i % c.threads).toBe(k)));
    });
  }

  it('a Poisson part is a Poisson stream of rate / N: gap mean and coefficient of variation ~1', () => {
    const rate = 4_000;
    const parts = split('poisson', rate, 7, 20_000, Infinity, 2);
    for (const p of parts) {
      const gaps = p.slice(1).map((x, i) => x[1] - p[i]![1]);
      const mean = gaps.reduce((a, g) => a + g, 0) / gaps.length;
      const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
      // ~40,000 gaps: the mean's standard error is 0.5%, the CV's about as small.
      expect(mean).toBeGreaterThan((2000 / rate) * 0.97);
      expect(mean).toBeLessThan((2000 / rate) * 1.03);
      expect(sd / mean).toBeGreaterThan(0.95);
      expect(sd / mean).toBeLessThan(1.05);
    }
  });

  it('poissonOwner is a pure function of (seed, i), spread evenly', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[poissonOwner(3, i, 3)]!++;
    for (const n of counts) expect(Math.abs(n - 10_000)).toBeLessThan(500);
    expect(poissonOwner(3, 17, 3)).toBe(poissonOwner(3, 17, 3));
    const other = Array.from({ length: 100 }, (_, i) => poissonOwner(4, i, 3));
    expect(other).not.toEqual(Array.from({ length: 100 }, (_, i) => poissonOwner(3, i, 3)));
  });
});
