// Every decision of the search, tested on the pure controller with a scripted
// engine (test/helpers/scripted-search.ts): windows in, steps and stop out.
// The real-load integration tests keep what needs sockets.
import { describe, expect, it } from 'vitest';
import { CAP_ABORT, SearchController, willRecheck } from '../../src/search/controller.js';
import { StepJudge, type StepStop } from '../../src/search/step-judge.js';
import { exitCodeFor, EXIT } from '../../src/errors.js';
import { drive, scriptedScenario } from '../helpers/scripted-search.js';
import type { Step, WindowStats } from '../../src/types.js';
import { win } from '../helpers/windows.js';
import { uslPeak, uslThroughput } from '../../src/stats/usl.js';
import { runDiagnostics } from '../../src/runner/diagnostics.js';

const KNEE = 1000;
/** A target whose p99 jumps to 60 ms (6x its baseline) from KNEE up. */
const knee = (load: number): Partial<WindowStats> => (load >= KNEE ? { p99: 60 } : {});
const s = scriptedScenario();
/** Caps the scenario rules would refuse before a run (the controller must hold them whatever the plan check missed). */
const capped = (load: Record<string, number>) => ({ ...s, load: { ...s.load, ...load } });

describe('baseline', () => {
  it('is learned at load.start over its windows; the ramp starts above it', () => {
    const t = drive(s, knee);
    expect(t.proposed[0]).toEqual(['baseline', 400]);
    expect(t.proposals[0]!.evaluate).toBe(false);
    expect(t.steps[0]).toMatchObject({ phase: 'baseline', outcome: 'pass', load: 400 });
    const b = t.controller.baseline!;
    expect(b.windows).toBe(10);
    expect(b.signals.p99!.medianValue).toBeCloseTo(10.3, 1);
    expect(t.proposed[1]).toEqual(['ramp', 600]);
  });

  const baselineCases = [
    {
      name: 'a lagging first attempt is repeated; the repeat is the baseline',
      retries: 1,
      lagAttempts: 1,
      outcomes: ['generator-limited', 'pass'],
      stop: 'breach',
    },
    {
      name: 'every attempt lagging stops the run generator-limited',
      retries: 1,
      lagAttempts: 2,
      outcomes: ['generator-limited', 'generator-limited'],
      stop: 'generator-limited',
    },
    { name: 'retries 0: one lagging attempt stops at once', retries: 0, lagAttempts: 1, outcomes: ['generator-limited'], stop: 'generator-limited' },
  ];
  for (const c of baselineCases) {
    it(`generator retry: ${c.name}`, () => {
      const sc = scriptedScenario({ detect: { generator: { retries: c.retries } } });
      const t = drive(sc, (load, attempt) => (load === 400 && attempt <= c.lagAttempts ? { sendLagP99: 12 } : knee(load)));
      expect(t.steps.filter((st) => st.phase === 'baseline').map((st) => st.outcome)).toEqual(c.outcomes);
      expect(t.stop.reason).toBe(c.stop);
      if (c.stop === 'generator-limited') expect(t.stop.detail).toMatch(/could not keep up even at load\.start \(400 req\/s\)/);
      if (c.outcomes.length === 2) expect(t.warnings.join('\n')).toMatch(/baseline repeated \(1 of detect\.generator\.retries 1\)/);
    });
  }

  it('a target already failing the floors at load.start breaches below the ramp: the baseline step is filed as a breach, no critical point', () => {
    const t = drive(s, () => ({ errorRate: 0.05, errorTotal: 20, errors: { 'http-5xx': 20 } }));
    expect(t.stop).toMatchObject({ reason: 'breach', criticalPoint: null, lastPass: null });
    expect(t.stop.detail).toMatch(/breaks already at load\.start \(400 req\/s\).*lower load\.start/);
    expect(t.steps).toHaveLength(1);
    expect(t.steps[0]!.outcome).toBe('breach');
  });

  it('(nearly) every request failing is baseline-failed (exit 8): it says what failed, never "lower load.start", never a pass', () => {
    const t = drive(s, (load) => ({ completed: load, achievedRate: 0, errorRate: 1, errorTotal: load, errors: { 'http-4xx': load } }));
    expect(t.stop.reason).toBe('baseline-failed');
    expect(exitCodeFor(t.stop.reason)).toBe(EXIT.baselineFailed);
    expect(EXIT.baselineFailed).toBe(8);
    expect(t.stop.detail).toMatch(/4000 of 4000 baseline requests \(100\.0%\) failed at 400 req\/s: http-4xx 4000; first error: HTTP 403 Forbidden/);
    expect(t.stop.detail).not.toMatch(/lower load\.start/);
    expect(t.steps.map((st) => st.outcome)).toEqual(['breach']);
    expect(t.steps[0]!.breaches[0]!.signal).toBe('errors');
  });

  it("requests refused by the generator's own in-flight cap are not failures of the target", () => {
    const t = drive(s, (load, _a, i) =>
      load === 400 && i < 2 ? { capHits: 300, errorTotal: 300, errorRate: 300 / 400, errors: { 'in-flight-cap': 300 } } : knee(load),
    );
    expect(t.stop.reason).not.toBe('baseline-failed');
  });

  it('a baseline with no window of detect.minRequests responses is an error', () => {
    const t = drive(s, () => ({ sparse: true }));
    expect(t.stop.reason).toBe('error');
    expect(t.stop.detail).toMatch(/no window with detect\.minRequests \(50\) responses/);
  });
});

describe('breach confirmation: detect.confirm consecutive windows', () => {
  const cases = [
    { name: 'one breaching window alone is not a breach', pattern: [0, 0, 1, 0, 0], outcome: 'pass' },
    { name: 'two separated breaching windows are not a breach', pattern: [1, 0, 1, 0, 1], outcome: 'pass' },
    { name: 'two consecutive breaching windows confirm it', pattern: [0, 1, 1, 0, 0], outcome: 'breach' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = drive(scriptedScenario({ detect: { recheck: false } }), (load, _a, i) => (load === 600 && c.pattern[i] ? { p99: 60 } : knee(load)));
      expect(t.ramp[0]).toEqual([600, c.outcome]);
    });
  }
  // Errors: windows at 5% (30 of 600 outcomes) where the pattern says so, none elsewhere.
  const errorsAt = (pattern: number[]) => (load: number, _a: number, i: number) =>
    load === 600 && pattern[i] ? { errorTotal: 30, errorRate: 0.05, errors: { 'http-5xx': 30 } } : knee(load);
  it('errors over detect.errors.maxRate spread over windows that never follow each other: the step is a breach on its totals', () => {
    const t = drive(scriptedScenario({ detect: { recheck: false } }), errorsAt([1, 0, 1, 0, 1]));
    expect(t.ramp[0]).toEqual([600, 'breach']);
    const b = t.steps[1]!.breaches[0]!;
    expect(b.signal).toBe('errors');
    expect(b.values[0]).toBeCloseTo(90 / 3000, 6);
    expect(b.reason).toMatch(/^errors 3\.00% over the whole step > threshold 1\.00% \(90 of 3000 requests; 3 of 5 windows over it, never 2 in a row\)$/);
    expect(t.stop.criticalPoint?.firstBreach).toBe(600);
  });
  it('one window of errors in a step whose total stays under detect.errors.maxRate passes', () => {
    const t = drive(scriptedScenario({ detect: { recheck: false } }), errorsAt([0, 0, 1, 0, 0]));
    expect(t.ramp[0]).toEqual([600, 'pass']);
  });
  it('detect.errors.enabled false: errors never stop a step, on its windows or its totals', () => {
    const t = drive(scriptedScenario({ detect: { recheck: false, errors: { enabled: false } } }), errorsAt([1, 0, 1, 0, 1]));
    expect(t.ramp[0]).toEqual([600, 'pass']);
  });
  it('the step stops at the confirming window (no window is judged after it)', () => {
    const t = drive(scriptedScenario({ detect: { recheck: false } }), (load, _a, i) => (load === 600 && i >= 1 ? { p99: 60 } : {}));
    expect(t.steps[1]!.windowCount).toBe(3);
    expect(t.steps[1]!.breaches[0]!.windowIndexes).toHaveLength(2);
  });
});

describe('recheck (detect.recheck) of a coarse p99-only breach', () => {
  const noisy = (load: number, attempt: number) => ((load === 600 && attempt === 1) || load >= KNEE ? { p99: 60 } : {});
  it('one that does not come back is noise: the ramp goes on and the bracket is the real knee', () => {
    const t = drive(s, noisy);
    expect(t.ramp.slice(0, 3)).toEqual([
      [600, 'breach'],
      [600, 'pass'],
      [900, 'pass'],
    ]);
    expect(t.proposals[1]!.recheckPending).toBe(true);
    expect(t.proposals[2]!.recheckPending).toBe(false); // the recheck itself is final
    expect(t.warnings.join('\n')).toMatch(/breach at 600 req\/s .* did not come back .*taken as noise/);
    expect(t.stop.criticalPoint!.value).toBeGreaterThan(900);
  });
  it('one that comes back counts', () => {
    const t = drive(s, knee);
    expect(t.ramp.slice(2, 4)).toEqual([
      [1350, 'breach'],
      [1350, 'breach'],
    ]);
  });
  it('recheck: false takes the first breach at once', () => {
    const t = drive(scriptedScenario({ detect: { recheck: false } }), noisy);
    expect(t.ramp[0]).toEqual([600, 'breach']);
    expect(t.stop.criticalPoint!.firstBreach).toBeLessThanOrEqual(600);
  });
  it('a breach on errors is never rechecked (only latency is that noisy)', () => {
    const t = drive(s, (load) => (load >= 600 ? { errorRate: 0.3, errorTotal: 150, errors: { 'http-5xx': 150 } } : {}));
    expect(t.ramp[0]).toEqual([600, 'breach']);
    expect(t.ramp[1]?.[0]).not.toBe(600);
  });
  it('willRecheck: p99-only breaches of a first attempt', () => {
    const b = (signal: string) => ({ signal, values: [], windowIndexes: [], baselineMedian: 0, sigma: 0, threshold: 0, reason: '' });
    expect(willRecheck({ recheckPending: true }, [b('p99')])).toBe(true);
    expect(willRecheck({ recheckPending: true }, [b('p99'), b('errors')])).toBe(false);
    expect(willRecheck({ recheckPending: false }, [b('p99')])).toBe(false);
  });
});

describe('generator retry on ramp and refine steps (detect.generator.retries)', () => {
  it('a lagging attempt is repeated; a clean repeat goes on; the lagging attempt stays in the step table', () => {
    const t = drive(s, (load, attempt) => (load === 600 && attempt === 1 ? { sendLagP99: 12 } : knee(load)));
    expect(t.ramp.slice(0, 2)).toEqual([
      [600, 'generator-limited'],
      [600, 'pass'],
    ]);
    expect(t.stop.reason).toBe('breach');
    expect(t.warnings.join('\n')).toMatch(/generator fell behind at 600 req\/s .*send lag p99 12 ms.*repeated \(1 of detect\.generator\.retries 1\)/);
  });
  it('a repeat lagging too stops the run generator-limited, with no critical point', () => {
    const t = drive(s, (load) => (load === 600 ? { sendLagP99: 12 } : {}));
    expect(t.ramp).toEqual([
      [600, 'generator-limited'],
      [600, 'generator-limited'],
    ]);
    expect(t.stop).toMatchObject({ reason: 'generator-limited', criticalPoint: null, lastPass: 400 });
    expect(t.stop.detail).toMatch(/could not keep up at 600 req\/s .*above what this machine can offer/);
  });
  it('generator-limited is never the critical point: a lagging refine step stops the run', () => {
    const t = drive(scriptedScenario({ detect: { generator: { retries: 0 }, recheck: false } }), (load, _a, _i, p) =>
      p.step.phase === 'refine' ? { sendLagP99: 12 } : knee(load),
    );
    expect(t.stop.reason).toBe('generator-limited');
    expect(t.stop.criticalPoint).toBeNull();
  });
});

describe('thin steps: too few judged windows are judged on the step totals', () => {
  it('a step whose windows are almost all sparse and whose throughput fell is a breach', () => {
    const t = drive(s, (load, _a, i) => (load === 600 ? (i === 0 ? { achievedRate: 100 } : { sparse: true, completed: 5, achievedRate: 5 }) : {}));
    expect(t.ramp[0]).toEqual([600, 'breach']);
    expect(t.steps[1]!.breaches[0]!.reason).toMatch(/over the whole step/);
  });
  it('a thin step that kept its throughput passes', () => {
    const t = drive(s, (load, _a, i) => (load === 600 && i > 0 ? { sparse: true } : knee(load)));
    expect(t.ramp[0]).toEqual([600, 'pass']);
  });
});

describe('refinement: bisection to load.refine.resolution', () => {
  it('brackets the knee within 5% and names the last pass', () => {
    const t = drive(s, knee);
    const refine = t.proposed.filter(([phase]) => phase === 'refine').map(([, load]) => load);
    expect(refine).toEqual([1130, 1020, 960, 990]);
    expect(t.stop).toMatchObject({ reason: 'breach', lastPass: 990 });
    expect(t.stop.criticalPoint).toMatchObject({ value: 990, lastPass: 990, firstBreach: 1020, unit: 'req/s' });
    expect(t.stop.criticalPoint!.resolution).toBeLessThanOrEqual(0.05);
    expect(t.stop.detail).toMatch(/^critical point 990 req\/s: p99 .* at 1020 req\/s$/);
  });
  it('stops at load.refine.maxSteps', () => {
    const t = drive(scriptedScenario({ load: { refine: { maxSteps: 2 } } }), knee);
    expect(t.proposed.filter(([phase]) => phase === 'refine')).toHaveLength(2);
    expect(t.stop.criticalPoint!.resolution).toBeGreaterThan(0.05);
  });
  it('resolution 0 refines nothing', () => {
    const t = drive(scriptedScenario({ load: { refine: { resolution: 0 } } }), knee);
    expect(t.proposed.filter(([phase]) => phase === 'refine')).toHaveLength(0);
    expect(t.stop.criticalPoint).toMatchObject({ lastPass: 900, firstBreach: 1350 });
  });
  it('replay (k6 output after the fact) repeats and refines nothing', () => {
    const t = drive(s, (load, attempt) => ((load === 600 && attempt === 1) || load >= KNEE ? { p99: 60 } : {}), { replay: true });
    expect(t.proposed).toEqual([
      ['baseline', 400],
      ['ramp', 600],
    ]);
    expect(t.stop.criticalPoint).toMatchObject({ lastPass: 400, firstBreach: 600 });
    expect(t.proposals[1]!.step.maxRequests).toBe(Infinity);
  });
});

describe('caps', () => {
  it('load.maxRate: no step above it is proposed', () => {
    const t = drive(capped({ maxRate: 1000 }), () => ({}));
    expect(Math.max(...t.proposed.map(([, l]) => l))).toBeLessThanOrEqual(1000);
    expect(t.stop.reason).toBe('error');
    expect(t.stop.detail).toMatch(/would offer 1350 req\/s, above the cap load\.maxRate \(1000\); refused before sending/);
  });
  it('load.maxRequests: each step gets what is left', () => {
    const t = drive(capped({ maxRequests: 100_000 }), knee);
    expect(t.proposals[0]!.step.maxRequests).toBe(100_000);
    expect(t.proposals[1]!.step.maxRequests).toBe(100_000 - 4000);
    expect(t.proposals[2]!.step.maxRequests).toBe(100_000 - 4000 - 3000);
  });
  it('load.maxRequests spent before a breach: error, no critical point', () => {
    const t = drive(capped({ maxRequests: 8000 }), knee);
    expect(t.stop.reason).toBe('error');
    expect(t.stop.detail).toMatch(/load\.maxRequests \(8000\) reached after \d+ scheduled requests before the ramp ended/);
    expect(t.stop.criticalPoint).toBeNull();
  });
  it('load.maxRequests spent during refinement: the critical point stands at coarse resolution, with a warning', () => {
    // baseline 4000 + 600x5 + 900x5 + 1350x2 twice (stopped at the confirming window) = 16900, then
    // refine 1130 (breach, 2260), 1020 (breach, 2040), 960 (pass, 4800) = 26000; 990 spends the rest.
    const t = drive(capped({ maxRequests: 27_000 }), knee);
    expect(t.stop.reason).toBe('breach');
    expect(t.stop.detail).toMatch(/load\.maxRequests \(27000\) reached .* during refinement; critical point at coarse resolution/);
    expect(t.stop.criticalPoint).toMatchObject({ lastPass: 960, firstBreach: 1020 });
    expect(t.stop.criticalPoint!.resolution).toBeGreaterThan(0.05);
    expect(t.warnings.join('\n')).toMatch(/load\.maxRequests ended refinement early/);
  });
  it('the step judge says when a step spent its budget (the runner stops the run there)', () => {
    const step: Step = { index: 1, phase: 'ramp', load: 500, unit: 'req/s', durationMs: 5000, warmupMs: 0, maxRequests: 900 };
    const c = new SearchController(s);
    const j = new StepJudge(step, true, { cfg: c.cfg, baseline: null, reference: null, plateau: s.detect.plateau });
    expect(j.window(win({ scheduled: 500 })).budgetSpent).toBe(false);
    expect(j.window(win({ scheduled: 400 })).budgetSpent).toBe(true);
    expect(j.window(win({ scheduled: 400 })).budgetSpent).toBe(false); // told once
  });
  const durationCases = [
    { name: 'before a breach: error, no critical point', at: 2, reason: 'error', cp: false },
    { name: 'during refinement: breach at coarse resolution', at: 6, reason: 'breach', cp: true },
  ];
  for (const c of durationCases) {
    it(`load.maxDuration ${c.name}`, () => {
      const t = drive(s, knee, { interruptBefore: { step: c.at, why: CAP_ABORT.duration } });
      expect(t.stop.reason).toBe(c.reason);
      expect(t.stop.detail).toMatch(/load\.maxDuration \(\d+ ms\) reached/);
      expect(t.stop.criticalPoint !== null).toBe(c.cp);
    });
  }
  it('a step cut short by the cap is not a pass', () => {
    const t = drive(s, knee, { interruptAt: { step: 1, why: CAP_ABORT.duration } });
    expect(t.stop.reason).toBe('error');
    expect(t.stop.lastPass).toBe(400);
  });
});

describe('closed loop (load.mode concurrency): the throughput plateau', () => {
  const cs = scriptedScenario({ load: { mode: 'concurrency', start: 8, end: 64, growth: { factor: 2 } } });
  /** 100/s per connection up to 16 connections, flat after; latency grows with the queue. */
  const plateau = (conns: number): Partial<WindowStats> => {
    const x = Math.min(conns, 16) * 100;
    return { offered: conns, scheduled: 0, achievedRate: x, completed: x, sent: x, mean: (conns / x) * 1000, p99: 10 };
  };
  it('a step whose throughput stopped growing while latency grew is a breach (signal plateau)', () => {
    const t = drive(cs, (load) => plateau(load));
    expect(t.ramp[0]).toEqual([16, 'pass']);
    expect(t.ramp[1]).toEqual([32, 'breach']);
    expect(t.steps[2]!.breaches[0]!.signal).toBe('plateau');
    expect(t.stop.criticalPoint).toMatchObject({ unit: 'connections' });
    // Refinement bisects on whole connections.
    expect(t.proposed.filter(([p]) => p === 'refine').every(([, l]) => Number.isInteger(l))).toBe(true);
  });
});

describe('closed loop on a contention curve (the USL, sigma 0.05, kappa 0.05: throughput peaks at 4 connections)', () => {
  // The Go fixture's -mode contention as the closed-loop USL integration test drives it (5 ms service,
  // start 1, end 32): X(N) = 200 N / (1 + sigma (N - 1) + kappa N (N - 1)), latency N / X(N) by Little's law,
  // p99 10 ms above it (under detect.p99.minRatio x the baseline's until past the peak: the plateau rules decide).
  const curve = { lambda: 200, sigma: 0.05, kappa: 0.05 };
  const TRUE_PEAK = uslPeak(curve.sigma, curve.kappa)!;
  const contention = (conns: number): Partial<WindowStats> => {
    const x = uslThroughput(conns, curve);
    const meanMs = (conns / x) * 1000;
    return { offered: conns, scheduled: 0, achievedRate: x, completed: x, sent: x, mean: meanMs, p50: meanMs, p99: meanMs + 10 };
  };
  const run = (minEfficiency?: number) =>
    drive(
      scriptedScenario({
        load: { mode: 'concurrency', start: 1, end: 32, baselineWindows: 5 },
        detect: { minRequests: 30, ...(minEfficiency === undefined ? {} : { plateau: { minEfficiency } }) },
      }),
      contention,
    );

  it('the default rules stop at the knee, at or below the peak, and say why there is no USL fit', () => {
    const t = run();
    expect(t.stop.reason, t.stop.detail).toBe('breach');
    expect(t.stop.criticalPoint!.value, JSON.stringify(t.ramp)).toBeLessThanOrEqual(TRUE_PEAK);
    const usl = runDiagnostics([...t.steps], 'connections').usl;
    expect(usl.status, usl.detail).toMatch(/^(peak-not-passed|too-few-points)$/);
  });

  it('the plain "throughput stopped growing" rule (minEfficiency 0) runs to the peak and past it, and the fit finds it', () => {
    const t = run(0);
    expect(t.stop.reason, t.stop.detail).toBe('breach');
    const cp = t.stop.criticalPoint!.value;
    expect(cp, JSON.stringify(t.ramp)).toBeGreaterThanOrEqual(TRUE_PEAK - 1);
    expect(cp, JSON.stringify(t.ramp)).toBeLessThanOrEqual(TRUE_PEAK + 2);
    const usl = runDiagnostics([...t.steps], 'connections').usl;
    expect(usl.status, usl.detail).toBe('fitted');
    expect(Math.abs(usl.fit!.peakConcurrency! - TRUE_PEAK)).toBeLessThanOrEqual(1);
  });
});

describe('stop reasons', () => {
  it('completed: no breach up to load.end; the critical point is above the ramp', () => {
    const t = drive(s, () => ({}));
    expect(t.stop).toMatchObject({ reason: 'completed', lastPass: 2000, criticalPoint: null });
    expect(exitCodeFor(t.stop.reason)).toBe(EXIT.completed);
  });
  for (const kind of ['connection', 'grpc-UNAVAILABLE']) {
    it(`target-unreachable: two windows with no response and only ${kind} errors`, () => {
      const t = drive(s, (load, _a, i) =>
        load === 900 && i >= 1 ? { completed: 0, achievedRate: 0, errorTotal: 900, errorRate: 1, errors: { [kind]: 900 } } : {},
      );
      expect(t.stop.reason).toBe('target-unreachable');
      expect(t.stop.detail).toMatch(/target stopped answering at 900 req\/s: no response in 2 consecutive windows \(900 connection errors in the last\)/);
      expect(t.steps[t.steps.length - 1]!.outcome).toBe('aborted');
    });
  }
  it('target-unreachable during the baseline', () => {
    const t = drive(s, (_l, _a, i) => (i >= 3 ? { completed: 0, errorTotal: 400, errorRate: 1, errors: { connection: 400 } } : {}));
    expect(t.stop.reason).toBe('target-unreachable');
    expect(t.stop.detail).toMatch(/during the baseline/);
  });
  it('interrupted by a signal: no critical point, the signal kept for the exit code', () => {
    const t = drive(s, knee, { interruptBefore: { step: 6, why: 'SIGTERM' } });
    expect(t.stop).toMatchObject({ reason: 'interrupted', signal: 'SIGTERM', criticalPoint: null });
    expect(exitCodeFor(t.stop.reason, t.stop.signal)).toBe(EXIT.sigterm);
  });
  it('fail(): a reason the measuring side found ends the search with what it knows', () => {
    const c = new SearchController(s);
    c.start();
    expect(c.fail('target-unreachable', 'refused')).toMatchObject({ reason: 'target-unreachable', lastPass: null, criticalPoint: null });
  });
  it('the controller never changes what it was given', () => {
    const c = new SearchController(s);
    const p = c.start();
    if (p.kind !== 'step') throw new Error('expected a step');
    const j = c.judge(p);
    const ws = Array.from({ length: 10 }, (_, i) => win({ index: i, offered: 400, p99: 10 }));
    const frozen = ws.map((w) => Object.freeze({ ...w, errors: Object.freeze({ ...w.errors }), runtime: Object.freeze({ ...w.runtime }) }) as WindowStats);
    for (const w of frozen) j.window(w);
    const judged = j.finish(
      Object.freeze({
        step: p.step,
        windows: frozen,
        sent: 4000,
        completed: 4000,
        errors: {},
        errorTotal: 0,
        achievedRate: 400,
        p50: 5,
        p90: 8,
        p99: 10,
        max: 12,
        mean: 5.5,
        sendLagP99: 0,
        maxInFlight: 5,
        aborted: false,
        elapsedMs: 10_000,
        inFlightAtEnd: 0,
      }),
    );
    expect(() => c.next(Object.freeze(judged))).not.toThrow();
  });
});

describe('the step judge', () => {
  it('says stop once, and windows after it are kept, not judged', () => {
    const c = new SearchController(s);
    const step: Step = { index: 0, phase: 'baseline', load: 400, unit: 'req/s', durationMs: 5000, warmupMs: 0, maxRequests: Infinity };
    const j = new StepJudge(step, false, { cfg: c.cfg, baseline: null, reference: null, plateau: s.detect.plateau });
    const dead = win({ completed: 0, errorTotal: 10, errors: { connection: 10 } });
    const stops = [dead, dead, dead].map((w) => j.window({ ...w }).stop);
    expect(stops.map((x: StepStop | null) => x?.kind ?? null)).toEqual([null, 'unreachable', null]);
    expect(j.windows).toHaveLength(3);
    expect(j.targetGone('watchdog')).toBe(false);
  });
});
