import { describe, expect, it } from 'vitest';
import { plateauBreach, requiredGain } from '../../src/detector/plateau.js';

const cfg = { enabled: true, minGain: 0.05, minEfficiency: 0.5 };
const plain = { ...cfg, minEfficiency: 0 };

describe('plateauBreach: throughput stopped growing while latency grew', () => {
  const cases = [
    { name: 'doubling connections doubles throughput: pass', ref: [4, 400, 10], cur: [8, 790, 10.1], c: cfg, breach: false },
    { name: 'flat throughput, latency doubles: breach', ref: [8, 800, 10], cur: [16, 805, 19.9], c: cfg, breach: true },
    { name: 'across the knee, +17% for 2x connections: breach', ref: [8, 687, 11.6], cur: [16, 802, 20], c: cfg, breach: true },
    { name: 'same, plain minGain rule: +17% passes', ref: [8, 687, 11.6], cur: [16, 802, 20], c: plain, breach: false },
    { name: 'throughput falls (retrograde): breach', ref: [4, 450, 8.9], cur: [8, 380, 21], c: cfg, breach: true },
    { name: 'flat throughput but flat latency (client did not add load): no breach', ref: [8, 800, 10], cur: [16, 800, 10.2], c: cfg, breach: false },
    { name: 'close refinement step, unsaturated (+3% for +3%): pass', ref: [64, 6400, 10], cur: [66, 6590, 10.02], c: cfg, breach: false },
    { name: 'close refinement step, saturated: breach', ref: [64, 6400, 10], cur: [66, 6410, 10.3], c: cfg, breach: true },
    { name: 'disabled', ref: [8, 800, 10], cur: [16, 800, 20], c: { ...cfg, enabled: false }, breach: false },
    { name: 'load not above the reference', ref: [8, 800, 10], cur: [8, 700, 12], c: cfg, breach: false },
    { name: 'no throughput at the reference', ref: [8, 0, 10], cur: [16, 0, 12], c: cfg, breach: false },
  ];
  for (const t of cases) {
    it(t.name, () => {
      const [rl, rx, rr] = t.ref as [number, number, number];
      const [cl, cx, cr] = t.cur as [number, number, number];
      const b = plateauBreach({ load: rl, throughput: rx, meanLatencyMs: rr }, { load: cl, throughput: cx, meanLatencyMs: cr }, t.c);
      expect(b !== null).toBe(t.breach);
      if (b) {
        expect(b.signal).toBe('plateau');
        expect(b.values).toEqual([cx]);
        expect(b.reason).toContain(`at ${cl} connections`);
      }
    });
  }
  it('required gains: half the ideal gain for a doubling, minGain capped at half the ideal for close steps', () => {
    expect(requiredGain({ load: 8, throughput: 1, meanLatencyMs: 1 }, { load: 16, throughput: 1, meanLatencyMs: 1 }, cfg)).toEqual({
      throughput: 0.5,
      latency: 0.05,
      ideal: 1,
    });
    const close = requiredGain({ load: 100, throughput: 1, meanLatencyMs: 1 }, { load: 104, throughput: 1, meanLatencyMs: 1 }, plain);
    expect(close.throughput).toBeCloseTo(0.02, 9);
    expect(close.latency).toBeCloseTo(0.02, 9);
  });
});
