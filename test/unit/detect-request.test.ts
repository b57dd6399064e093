// detect.p99.request: the named request's p99 is the one judged, its baseline
// learned on it too; the totals' p99 is judged otherwise. Controller tables on
// scripted windows (test/helpers/scripted-search.ts), no sockets.
import { describe, expect, it } from 'vitest';
import { drive, scriptedScenario } from '../helpers/scripted-search.js';
import type { RequestStats, WindowStats } from '../../src/types.js';
import { judgedP99 } from '../../src/detector/signals.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/errors.js';

const KNEE = 1000;

function q(completed: number, p99: number): RequestStats {
  return {
    count: completed,
    sent: completed,
    completed,
    errors: {},
    errorTotal: 0,
    errorRate: 0,
    achievedRate: completed,
    p50: p99 / 2,
    p90: p99,
    p99,
    max: p99,
    mean: p99 / 2,
  };
}

/**
 * A rare slow request (0.5% of the sends) whose p99 goes 20 -> 200 ms from KNEE up, inside a mix
 * whose total p99 the fast request sets (10 ms, flat): the totals cannot see the slow request's knee.
 */
const rareSlow = (load: number, _a: number, i: number): Partial<WindowStats> => ({
  byRequest: { fast: q(load, 10 + (i % 3) * 0.3), slow: q(Math.max(1, Math.round(load / 200)), (load >= KNEE ? 200 : 20) + (i % 3) * 0.5) },
});

/** The reverse: the fast request breaks at KNEE and drags the totals with it; the slow one stays flat. */
const fastBreaks = (load: number, _a: number, i: number): Partial<WindowStats> => ({
  ...(load >= KNEE ? { p99: 60 } : {}),
  byRequest: { fast: q(load, load >= KNEE ? 60 : 10 + (i % 3) * 0.3), slow: q(Math.round(load / 200), 20 + (i % 3) * 0.5) },
});

/** The scripted scenario with a two-request list (the mix itself is the request source's; the controller reads the names). */
function withRequest(request?: string): Scenario {
  const s = scriptedScenario();
  return {
    ...s,
    requests: [{ name: 'fast' }, { name: 'slow' }],
    detect: { ...s.detect, p99: { ...s.detect.p99, ...(request ? { request } : {}) } },
  } as Scenario;
}

describe('detect.p99.request', () => {
  const cases = [
    {
      name: 'totals judged by default: a rare request breaking is not seen',
      shape: rareSlow,
      request: undefined,
      baseline: 10.3,
      stop: 'completed',
      lastPass: 2000,
    },
    { name: 'the rare request gates: its knee is the critical point', shape: rareSlow, request: 'slow', baseline: 20.5, stop: 'breach', lastPass: 990 },
    {
      name: 'the totals breaking on another request do not stop a run gated on a flat one',
      shape: fastBreaks,
      request: 'slow',
      baseline: 20.5,
      stop: 'completed',
      lastPass: 2000,
    },
    { name: 'the same run judged on its totals breaks at the knee', shape: fastBreaks, request: undefined, baseline: 10.3, stop: 'breach', lastPass: 990 },
  ];
  for (const c of cases)
    it(c.name, () => {
      const t = drive(withRequest(c.request), c.shape);
      expect(t.controller.baseline!.signals.p99!.medianValue).toBeCloseTo(c.baseline, 0);
      expect(t.stop).toMatchObject({ reason: c.stop, lastPass: c.lastPass });
      if (c.stop === 'breach' && c.request) expect(t.stop.detail).toMatch(/p99 of slow \d/);
    });

  it('a window without a response of the judged request has nothing to say (not a zero, not the totals)', () => {
    const w = { p99: 10, completed: 100, sendLagP99: 1, byRequest: { a: q(100, 10), b: q(0, NaN) } };
    expect(judgedP99(w, { request: 'b' })).toBeUndefined();
    expect(judgedP99(w, { request: 'a' })).toBeCloseTo(9, 9);
    expect(judgedP99({ ...w, byRequest: undefined }, { request: 'a' })).toBeUndefined();
  });

  it("names one of the scenario's requests: one clear problem before any load", () => {
    const problems = (data: Record<string, unknown>) => {
      try {
        resolveScenario({ name: 'x', target: { url: 'http://127.0.0.1:1' }, ...data });
        return [];
      } catch (err) {
        if (err instanceof ScenarioError) return err.problems;
        throw err;
      }
    };
    expect(problems({ detect: { p99: { request: 'checkout' } } })).toEqual([
      'detect.p99.request: no request named "checkout" (the scenario has no requests: list), got "checkout"',
    ]);
  });
});
