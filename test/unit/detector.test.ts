import { describe, expect, it } from 'vitest';
import { learnBaseline } from '../../src/detector/baseline.js';
import { evaluateWindow, generatorIssue, newStepState, rising } from '../../src/detector/evaluate.js';
import type { DetectConfig } from '../../src/detector/signals.js';
import type { WindowStats } from '../../src/types.js';
import { win } from '../helpers/windows.js';

const cfg: DetectConfig = {
  k: 3,
  confirm: 2,
  p99: { enabled: true, minRatio: 2, sigmaFloor: 0.02 },
  errors: { enabled: true, maxRate: 0.01 },
  throughput: { enabled: true, minRatio: 0.95 },
  generator: { maxSendLag: 5, minSendRatio: 0.98 },
  arrival: 'uniform',
  runtime: [{ name: 'goroutines', enabled: true, minRatio: 1.5, rising: true, sigmaFloor: 1, direction: 'up' }],
};

// 20 baseline windows: p99 9.5..10.5 ms, goroutines ~100.
const baseWindows = Array.from({ length: 20 }, (_, i) => win({ phase: 'baseline', p99: 9.5 + (i % 5) * 0.25, runtime: { goroutines: 98 + (i % 5) } }));
const baseline = learnBaseline(baseWindows, cfg, 500, 'req/s');

function run(windows: WindowStats[], c: DetectConfig = cfg) {
  let state = newStepState();
  const verdicts = windows.map((w) => {
    const v = evaluateWindow(baseline, w, c, state);
    state = v.state;
    return v;
  });
  return verdicts;
}

describe('learnBaseline', () => {
  it('p99 median in ms and a threshold at least 2x', () => {
    const b = baseline.signals.p99!;
    expect(b.medianValue).toBeCloseTo(10, 5);
    expect(b.threshold).toBeCloseTo(20, 5); // practical floor dominates a tight baseline
    expect(baseline.windows).toBe(20);
  });
  it('ignores warm-up and sparse windows', () => {
    const b = learnBaseline([...baseWindows, win({ warmup: true, p99: 500 }), win({ sparse: true, p99: 500 })], cfg, 500, 'req/s');
    expect(b.windows).toBe(20);
    expect(b.signals.p99!.medianValue).toBeCloseTo(10, 5);
  });
});

describe('evaluateWindow: breach rules', () => {
  const cases: { name: string; windows: Partial<WindowStats>[]; confirmed: string[]; breachingLast: string[] }[] = [
    { name: 'steady windows pass', windows: [{}, {}, {}], confirmed: [], breachingLast: [] },
    { name: 'p99 at 2.5x for 2 windows confirms', windows: [{ p99: 25 }, { p99: 25 }], confirmed: ['p99'], breachingLast: ['p99'] },
    { name: 'one p99 spike does not confirm', windows: [{ p99: 25 }, {}, { p99: 25 }], confirmed: [], breachingLast: ['p99'] },
    { name: 'p99 at 1.8x: robust test passes, practical floor does not', windows: [{ p99: 18 }, { p99: 18 }, { p99: 18 }], confirmed: [], breachingLast: [] },
    { name: 'error rate 2% confirms', windows: [{ errorRate: 0.02 }, { errorRate: 0.02 }], confirmed: ['errors'], breachingLast: ['errors'] },
    { name: 'error rate 0.5% is under the 1% floor', windows: [{ errorRate: 0.005 }, { errorRate: 0.005 }], confirmed: [], breachingLast: [] },
    {
      name: 'achieved 90% of offered confirms throughput',
      windows: [{ achievedRate: 450 }, { achievedRate: 450 }],
      confirmed: ['throughput'],
      breachingLast: ['throughput'],
    },
    { name: 'achieved 97% of offered passes', windows: [{ achievedRate: 485 }, { achievedRate: 485 }], confirmed: [], breachingLast: [] },
    {
      name: 'goroutines 1.6x and rising confirm',
      windows: [
        { tEnd: 1000, runtime: { goroutines: 150 } },
        { tEnd: 2000, runtime: { goroutines: 160 } },
        { tEnd: 3000, runtime: { goroutines: 175 } },
      ],
      confirmed: ['goroutines'],
      breachingLast: ['goroutines'],
    },
    {
      name: 'goroutines high with jitter only do not confirm',
      windows: [
        { tEnd: 1000, runtime: { goroutines: 170 } },
        { tEnd: 2000, runtime: { goroutines: 171 } },
        { tEnd: 3000, runtime: { goroutines: 172 } },
      ],
      confirmed: [],
      breachingLast: [],
    },
    {
      name: 'goroutines high but flat do not confirm',
      windows: [
        { tEnd: 1000, runtime: { goroutines: 170 } },
        { tEnd: 2000, runtime: { goroutines: 170 } },
        { tEnd: 3000, runtime: { goroutines: 170 } },
      ],
      confirmed: [],
      breachingLast: [],
    },
    {
      name: 'a gap in a runtime signal neither confirms nor resets',
      windows: [{ p99: 25 }, { p99: NaN, completed: 0 }, { p99: 25 }],
      confirmed: ['p99'],
      breachingLast: ['p99'],
    },
    {
      name: 'sparse windows are not evaluated',
      windows: [
        { p99: 25, sparse: true },
        { p99: 25, sparse: true },
      ],
      confirmed: [],
      breachingLast: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdicts = run(c.windows.map((w) => win(w)));
      const confirmed = [...new Set(verdicts.flatMap((v) => v.confirmed.map((b) => b.signal)))];
      expect(confirmed).toEqual(c.confirmed);
      expect(verdicts[verdicts.length - 1]!.breaching).toEqual(c.breachingLast);
    });
  }

  it('a confirmed breach names values, baseline median and threshold', () => {
    const v = run([win({ p99: 30 }), win({ p99: 40 })]).pop()!;
    const b = v.confirmed[0]!;
    expect(b.values[0]).toBeCloseTo(30, 9);
    expect(b.values[1]).toBeCloseTo(40, 9);
    expect(b.baselineMedian).toBeCloseTo(10, 5);
    expect(b.threshold).toBeCloseTo(20, 5);
    expect(b.reason).toMatch(/^p99 30 ms, 40 ms > threshold 20 ms/);
  });

  it('confirm: 1 stops on the first breaching window', () => {
    const v = run([win({ p99: 30 })], { ...cfg, confirm: 1 });
    expect(v[0]!.confirmed.map((b) => b.signal)).toEqual(['p99']);
  });
});

describe('generator-limited', () => {
  const cases: { name: string; w: Partial<WindowStats>; issue: RegExp | null }[] = [
    { name: 'on schedule', w: {}, issue: null },
    { name: 'send lag p99 over 5 ms', w: { sendLagP99: 9 }, issue: /send lag p99 9 ms > 5 ms/ },
    { name: 'sent 90% below the cap', w: { sent: 450, sendRate: 450 }, issue: /sent 450 of 500/ },
    { name: 'sent 90% because the in-flight cap was hit: the target, not the generator', w: { sent: 450, sendRate: 450, capHits: 50 }, issue: null },
    { name: 'warm-up windows are never judged', w: { sendLagP99: 50, warmup: true }, issue: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = generatorIssue(win(c.w), cfg);
      if (c.issue) expect(got).toMatch(c.issue);
      else expect(got).toBeNull();
    });
  }
  it('poisson arrivals get slack for chance', () => {
    expect(generatorIssue(win({ sent: 470, sendRate: 470 }), { ...cfg, arrival: 'poisson' })).toBeNull();
    expect(generatorIssue(win({ sent: 470, sendRate: 470 }), cfg)).not.toBeNull();
  });
  it('confirms after 2 consecutive lagging windows', () => {
    const v = run([win({ sendLagP99: 9 }), win({ sendLagP99: 9 })]);
    expect(v[0]!.generatorLimited).toBeNull();
    expect(v[1]!.generatorLimited).toMatch(/send lag/);
  });
  it("a window where the generator lagged is judged on p99 net of the lag: the generator's hiccup is not the target's breach", () => {
    // Baseline p99 ~10 ms (threshold >= 20 ms). 30 ms p99 with 25 ms of send lag: 5 ms of it is the target.
    const lagged = run([win({ p99: 30, sendLagP99: 25 }), win({ p99: 30, sendLagP99: 25 })]);
    expect(lagged.map((v) => v.breaching)).toEqual([[], []]);
    expect(lagged[1]!.confirmed).toEqual([]);
    expect(lagged[1]!.generatorLimited).toMatch(/send lag p99 25 ms/);
    // The same p99 with a generator on time is the target's breach.
    const onTime = run([win({ p99: 30, sendLagP99: 1 }), win({ p99: 30, sendLagP99: 1 })]);
    expect(onTime[1]!.confirmed.map((b) => b.signal)).toEqual(['p99']);
    // A target far past its threshold still breaches through a lagging generator: 200 ms - 25 ms.
    const broken = run([win({ p99: 200, sendLagP99: 25 }), win({ p99: 200, sendLagP99: 25 })]);
    expect(broken[1]!.confirmed.map((b) => b.signal)).toEqual(['p99']);
    expect(broken[1]!.confirmed[0]!.values[0]).toBeCloseTo(175, 0);
  });
});

describe('rising', () => {
  it('needs two points and a positive slope', () => {
    expect(rising([[0, 1]])).toBe(false);
    expect(
      rising([
        [0, 1],
        [1, 2],
      ]),
    ).toBe(true);
    expect(
      rising([
        [0, 2],
        [1, 1],
      ]),
    ).toBe(false);
  });
  it('a flat count with jitter is not rising when a minimum rise is asked', () => {
    expect(
      rising(
        [
          [0, 134],
          [1, 135],
          [2, 135],
        ],
        4,
      ),
    ).toBe(false);
    expect(
      rising(
        [
          [0, 134],
          [1, 150],
          [2, 170],
        ],
        4,
      ),
    ).toBe(true);
  });
});
