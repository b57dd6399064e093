import { describe, expect, it } from 'vitest';
import { decideBaselineGate, DEFAULT_ASSUMED_NOISE } from '../../src/compare/baseline-gate.js';
import type { GateVerdict } from '../../src/compare/gate-decision.js';

const side = (criticalPoint: number, resolution: number | null = null) => ({ criticalPoint, resolution });

describe('decideBaselineGate: verdicts', () => {
  // [name, base, head, noise, verdict]
  const cases: [string, number, number, number, GateVerdict][] = [
    ['same critical point, 5% noise: PASS', 1000, 1000, 0.05, 'PASS'],
    ['a 25% drop at 5% noise: BLOCK', 1000, 750, 0.05, 'BLOCK'],
    ['a 16% drop at 5% noise: U = 0.84 x 1.103 = 0.93 < 1: BLOCK', 1000, 840, 0.05, 'BLOCK'],
    ['a 10% drop at 5% noise: interval 81.8-99.0% spans the floor: INCONCLUSIVE', 1000, 900, 0.05, 'INCONCLUSIVE'],
    ['a 20% drop at 15% noise: U = 0.8 x 1.342 >= 1: INCONCLUSIVE', 1000, 800, 0.15, 'INCONCLUSIVE'],
    ['a 10% drop with no noise: PASS', 1000, 900, 0, 'PASS'],
    ['improvement: PASS', 1000, 1300, 0.05, 'PASS'],
  ];
  it.each(cases)('%s', (_name, base, head, noise, verdict) => {
    const d = decideBaselineGate(side(base), side(head), 0.15, noise);
    expect(d.verdict).toBe(verdict);
    expect(d.n).toBe(1);
    expect(d.ratio).toBeCloseTo(head / base, 12);
    expect(d.lower).toBeCloseTo((head / base) * Math.exp(-1.96 * noise), 12);
    expect(d.upper).toBeCloseTo((head / base) * Math.exp(1.96 * noise), 12);
    expect(d.sdLog).toBe(noise);
    expect(d.reason).toMatch(new RegExp(`^${verdict}: `));
    expect(d.reason).toMatch(/weaker than interleaved pairs/);
  });

  it('defaults to 5% assumed noise', () => {
    expect(DEFAULT_ASSUMED_NOISE).toBe(0.05);
    expect(decideBaselineGate(side(1000), side(900), 0.15).sdLog).toBe(0.05);
  });

  it('widens by the resolutions: a 14% drop with 4% resolutions and no noise is INCONCLUSIVE, not PASS', () => {
    const plain = decideBaselineGate(side(1000), side(860), 0.15, 0);
    const bracketed = decideBaselineGate(side(1000, 0.04), side(860, 0.04), 0.15, 0);
    expect(plain.verdict).toBe('PASS');
    expect(bracketed.verdict).toBe('INCONCLUSIVE');
    expect(bracketed.lower).toBeCloseTo(0.86 / 1.04, 12);
    expect(bracketed.upper).toBeCloseTo(0.86 * 1.04, 12);
    expect(bracketed.pairs[0]).toMatchObject({ base: 1000, head: 860, baseResolution: 0.04, headResolution: 0.04 });
  });

  it('the minimal detectable effect follows the assumed noise', () => {
    expect(decideBaselineGate(side(1000), side(1000), 0.15, 0.05).mde).toBeCloseTo(1 - Math.exp(-(1.96 + 0.842) * 0.05), 12);
    expect(decideBaselineGate(side(1000), side(1000), 0.15, 0).mde).toBe(0);
  });
});

describe('decideBaselineGate: invalid input', () => {
  it.each([
    ['maxDrop 0', () => decideBaselineGate(side(1000), side(900), 0), /^maxDrop: must be a fraction/],
    ['maxDrop 15 (not a fraction)', () => decideBaselineGate(side(1000), side(900), 15), /^maxDrop: .*got 15$/],
    ['negative noise', () => decideBaselineGate(side(1000), side(900), 0.15, -0.1), /^noise: .*got -0\.1$/],
    ['zero base', () => decideBaselineGate(side(0), side(900), 0.15), /^base\.criticalPoint: must be a positive number, got 0$/],
    ['NaN head', () => decideBaselineGate(side(1000), side(Number.NaN), 0.15), /^head\.criticalPoint: /],
    ['negative resolution', () => decideBaselineGate(side(1000, -1), side(900), 0.15), /^base\.resolution: /],
  ])('%s', (_name, fn, msg) => {
    expect(fn).toThrow(msg);
  });
});
