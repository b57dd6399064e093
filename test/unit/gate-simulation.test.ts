// Seeded simulation of the interleaved A/B gate (method.md section 7): does the t-interval on
// paired log ratios keep its promises at n = 5 pairs?
// Model per pair i: a drift d_i ~ N(0, 10%) shared by both runs of the pair (the machine's state
// at that moment, which pairing cancels), and independent log-normal noise per run.
// "5% per pair" = sd of ln(head_i / base_i) is 0.05 (per-run sd 0.05 / sqrt 2), method.md's
// definition; a stricter variant gives each run 5% (the pair's ratio then has 7.1%).
import { describe, expect, it } from 'vitest';
import { decideGate, shouldAddPair, type GatePair } from '../../src/compare/gate-decision.js';
import { mulberry32, pairOrders } from '../../src/compare/pair-order.js';

const SEED = 20240501;
const GATES = 1000;
const MAX_DROP = 0.15;

function normal(rand: () => number): number {
  let u = 0;
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

interface Figures {
  coverage: number;
  block: number;
  pass: number;
  inconclusive: number;
  meanPairs: number;
}

function simulate(opts: { trueRatio: number; runSd: number; sequential: boolean; seed: number }): Figures {
  const rand = mulberry32(opts.seed);
  let cover = 0;
  let block = 0;
  let pass = 0;
  let pairsRun = 0;
  for (let g = 0; g < GATES; g++) {
    const orders = pairOrders(10, Math.floor(rand() * 2 ** 32));
    const pairs: GatePair[] = [];
    const addPair = (): void => {
      const drift = 0.1 * normal(rand);
      const base = 1000 * Math.exp(drift + opts.runSd * normal(rand));
      const head = 1000 * opts.trueRatio * Math.exp(drift + opts.runSd * normal(rand));
      pairs.push({ base, head, order: orders[pairs.length] ?? 'base-first' });
    };
    for (let i = 0; i < 5; i++) addPair();
    let d = decideGate(pairs, MAX_DROP);
    while (opts.sequential && shouldAddPair(d, 10)) {
      addPair();
      d = decideGate(pairs, MAX_DROP);
    }
    pairsRun += d.n;
    if (d.lower <= opts.trueRatio && opts.trueRatio <= d.upper) cover++;
    if (d.verdict === 'BLOCK') block++;
    if (d.verdict === 'PASS') pass++;
  }
  return {
    coverage: cover / GATES,
    block: block / GATES,
    pass: pass / GATES,
    inconclusive: (GATES - block - pass) / GATES,
    meanPairs: pairsRun / GATES,
  };
}

function show(name: string, f: Figures): void {
  const p = (x: number): string => `${(x * 100).toFixed(1)}%`;
  console.log(`${name}: coverage ${p(f.coverage)}, BLOCK ${p(f.block)}, PASS ${p(f.pass)}, INCONCLUSIVE ${p(f.inconclusive)}, mean pairs ${f.meanPairs.toFixed(2)}`);
}

describe.each([
  ['5% per pair (per-run sd 3.5%)', 0.05 / Math.SQRT2],
  ['5% per run (per-pair sd 7.1%)', 0.05],
])('gate simulation, %s, 1000 gates at n = 5, seed 20240501', (name, runSd) => {
  const aa = simulate({ trueRatio: 1, runSd, sequential: false, seed: SEED });
  const drop20 = simulate({ trueRatio: 0.8, runSd, sequential: false, seed: SEED + 1 });
  const drop10 = simulate({ trueRatio: 0.9, runSd, sequential: false, seed: SEED + 2 });
  show(`${name}, A/A`, aa);
  show(`${name}, true 20% drop`, drop20);
  show(`${name}, true 10% drop`, drop10);

  it('the 95% interval covers the true ratio in 93-97% of gates', () => {
    for (const f of [aa, drop20, drop10]) {
      expect(f.coverage).toBeGreaterThanOrEqual(0.93);
      expect(f.coverage).toBeLessThanOrEqual(0.97);
    }
  });
  it('A/A (true ratio 1, maxDrop 15%): false BLOCK <= 1%', () => {
    expect(aa.block).toBeLessThanOrEqual(0.01);
  });
  it('a true 20% drop is BLOCKed in >= 95% of gates', () => {
    expect(drop20.block).toBeGreaterThanOrEqual(0.95);
  });
  it('a true 10% drop (within maxDrop) is rarely BLOCKed', () => {
    expect(drop10.block).toBeLessThanOrEqual(0.05);
  });
});

describe('gate simulation with added pairs (5, then up to 10 while INCONCLUSIVE), 5% per run', () => {
  const runSd = 0.05;
  const aa = simulate({ trueRatio: 1, runSd, sequential: true, seed: SEED + 3 });
  const drop20 = simulate({ trueRatio: 0.8, runSd, sequential: true, seed: SEED + 4 });
  show('sequential, A/A', aa);
  show('sequential, true 20% drop', drop20);

  it('looking again after each added pair keeps A/A false BLOCK <= 1%', () => {
    expect(aa.block).toBeLessThanOrEqual(0.01);
    expect(aa.pass).toBeGreaterThanOrEqual(0.99);
  });
  it('and a true 20% drop is BLOCKed in >= 95%', () => {
    expect(drop20.block).toBeGreaterThanOrEqual(0.95);
  });
});
