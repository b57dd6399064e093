// Requests the generator's own in-flight cap (load.maxInFlight) refused are errors of kind
// 'in-flight-cap': a target that holds requests long enough to fill the cap is past its capacity, and
// the step must say so. The search judges them like any other step's errors, in the refinement as on
// the ramp: a refinement step whose error rate (cap refusals included) breaks the baseline is a
// breach, never a pass (a busy-machine run once reported 844 req/s on a 500 req/s target). Only the
// baseline's "(nearly) every request failed" check leaves them out, as requests never sent
// (search-controller.test.ts). Each case is run once with cap refusals and once with the same
// share of HTTP 5xx answers: the two searches must agree step for step.
import { describe, expect, it } from 'vitest';
import { drive, scriptedScenario, type Shape } from '../helpers/scripted-search.js';
import type { WindowStats } from '../../src/types.js';

const KNEE = 1000;
const s = scriptedScenario({ detect: { recheck: false } });

type Kind = 'in-flight-cap' | 'http-5xx';

/** A window at `load` req/s where a share of the scheduled requests failed with `kind`. */
function failing(load: number, share: number, kind: Kind): Partial<WindowStats> {
  const n = Math.round(load * share);
  const common = { errors: { [kind]: n }, errorTotal: n, errorRate: n / load, achievedRate: load - n };
  // A refusal is never sent: fewer sends and responses, and the window counts the cap hit.
  return kind === 'in-flight-cap' ? { ...common, capHits: n, sent: load - n, completed: load - n } : common;
}

/** The ramp breaches on p99 at 1350 (its first step above KNEE); refinement steps above KNEE fail `share` of their requests per `pattern` (1 = this window fails). */
function refineErrors(share: number, pattern: number[], kind: Kind): Shape {
  return (load, _attempt, i, p) => {
    if (load < KNEE) return {};
    if (p.step.phase === 'ramp') return { p99: 60 };
    return pattern[i % pattern.length] ? failing(load, share, kind) : {};
  };
}

const cases = [
  {
    name: 'every window of a refinement step over the limit: confirmed in consecutive windows',
    share: 0.1,
    pattern: [1],
    refine: [1130, 1020, 960, 990],
    outcomes: ['breach', 'breach', 'pass', 'pass'],
    criticalPoint: 990,
  },
  {
    name: 'errors spread over windows that never follow each other: the whole step is over the limit',
    share: 0.05,
    pattern: [1, 0, 0],
    refine: [1130, 1020, 960, 990],
    outcomes: ['breach', 'breach', 'pass', 'pass'],
    criticalPoint: 990,
  },
  {
    // The control: below detect.errors.maxRate (1%) they are no breach, so the bisection moves up.
    name: 'a share under detect.errors.maxRate: a pass, the bisection moves up',
    share: 0.005,
    pattern: [1],
    refine: [1130, 1240, 1300],
    outcomes: ['pass', 'pass', 'pass'],
    criticalPoint: 1300,
  },
];

describe('in-flight-cap errors during refinement are judged like any other errors', () => {
  for (const c of cases) {
    it(c.name, () => {
      const cap = drive(s, refineErrors(c.share, c.pattern, 'in-flight-cap'));
      const http = drive(s, refineErrors(c.share, c.pattern, 'http-5xx'));
      const refine = cap.steps.filter((st) => st.phase === 'refine');
      expect(refine.map((st) => st.load)).toEqual(c.refine);
      expect(refine.map((st) => st.outcome)).toEqual(c.outcomes);
      expect(cap.stop.criticalPoint?.value).toBe(c.criticalPoint);
      // Every refinement breach is an error breach, and cap refusals counted in it.
      for (const st of refine.filter((x) => x.outcome === 'breach')) {
        expect(st.breaches.map((b) => b.signal)).toContain('errors');
        expect(st.stats.errors['in-flight-cap']).toBeGreaterThan(0);
      }
      // The same search with 5xx answers instead of refusals.
      expect(cap.ramp).toEqual(http.ramp);
      expect(cap.stop.criticalPoint).toEqual(http.stop.criticalPoint);
    });
  }

  it('a refinement step cut short by a confirmed cap-error breach is not filed as a pass', () => {
    // Failing from the second window on: the judge stops the step at the confirming window.
    const t = drive(s, (load, _a, i, p) => (load < KNEE ? {} : p.step.phase === 'ramp' ? { p99: 60 } : i >= 1 ? failing(load, 0.2, 'in-flight-cap') : {}));
    const first = t.steps.find((st) => st.phase === 'refine')!;
    expect(first).toMatchObject({ load: 1130, outcome: 'breach' });
    expect(first.windowCount).toBe(3);
    expect(first.stats.aborted).toBe(true);
  });
});
