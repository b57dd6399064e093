// Window-level rules in a closed loop: no achieved/offered signal (there is
// no offered rate), no send-ratio check, and a busy generator event loop
// makes a window generator-limited.
import { describe, expect, it } from 'vitest';
import { learnBaseline } from '../../src/detector/baseline.js';
import { evaluateWindow, generatorIssue, newStepState } from '../../src/detector/evaluate.js';
import type { DetectConfig } from '../../src/detector/signals.js';
import { win } from '../helpers/windows.js';

const closed: DetectConfig = {
  k: 3,
  confirm: 2,
  p99: { enabled: true, minRatio: 2, sigmaFloor: 0.02 },
  errors: { enabled: true, maxRate: 0.01 },
  throughput: { enabled: true, minRatio: 0.95 },
  generator: { maxSendLag: 5, minSendRatio: 0.98, maxBusy: 0.9 },
  loadMode: 'concurrency',
  arrival: 'uniform',
  runtime: [],
};

// 8 connections answering 800/s: offered is a connection count, achieved a rate.
const closedWin = (over = {}) =>
  win({ offered: 8, scheduled: 0, sent: 800, completed: 800, sendRate: 800, achievedRate: 800, sendLagP99: 0, generatorBusy: 0.2, ...over });
const base = Array.from({ length: 20 }, (_, i) => closedWin({ phase: 'baseline', p99: 9.5 + (i % 5) * 0.25 }));

describe('closed-loop detection', () => {
  it('learns no throughput baseline (achieved/offered means nothing for connections)', () => {
    const b = learnBaseline(base, closed, 8, 'connections');
    expect(Object.keys(b.signals).sort()).toEqual(['errors', 'p99']);
    expect(Object.keys(learnBaseline(base, { ...closed, loadMode: 'rate' }, 8, 'req/s').signals)).toContain('throughput');
  });
  const cases = [
    { name: 'few sends per connection is not a generator shortfall', over: { sent: 3, completed: 3, achievedRate: 3 }, issue: null },
    { name: 'busy event loop 95% > 90%', over: { generatorBusy: 0.95 }, issue: 'generator event loop busy 95% of the window > 90%' },
    { name: 'busy 85% is fine', over: { generatorBusy: 0.85 }, issue: null },
    { name: 'warm-up windows are not judged', over: { generatorBusy: 1, warmup: true }, issue: null },
  ];
  for (const c of cases) it(c.name, () => expect(generatorIssue(closedWin(c.over), closed)).toBe(c.issue));
  it('rate mode still checks the send ratio', () => {
    expect(generatorIssue(win({ offered: 500, sent: 400, sendRate: 400 }), { ...closed, loadMode: 'rate' })).toMatch(/^sent 400 of 500 scheduled/);
  });
  it('two busy windows in a row make the step generator-limited', () => {
    const b = learnBaseline(base, closed, 8, 'connections');
    let state = newStepState();
    const verdicts = [closedWin({ generatorBusy: 0.97 }), closedWin({ generatorBusy: 0.99 })].map((w) => {
      const v = evaluateWindow(b, w, closed, state);
      state = v.state;
      return v;
    });
    expect(verdicts[0]!.generatorLimited).toBeNull();
    expect(verdicts[1]!.generatorLimited).toMatch(/generator event loop busy 97%.*; generator event loop busy 99%/);
  });
});
