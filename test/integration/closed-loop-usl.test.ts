// USL diagnostic on a real target with contention: the Go fixture in
// -mode contention, whose service time is S (1 + sigma (N-1) + kappa N (N-1))
// for N busy workers, so its throughput rises to a peak and falls. With
// W = 32 workers every tested concurrency is served at once and the curve is
// the USL itself. One run with the plain "throughput stopped growing" rule
// (detect.plateau.minEfficiency 0), which runs to the peak and past it, so
// the points pass the peak and the fit is made. That the default rules stop
// at the knee, before the peak, is the controller's decision on the same
// curve: test/unit/search-controller.test.ts. Bounded: about 9 s of load,
// connections <= 32.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GO_TARGET_BUILD_SCRIPT, goTargetAvailable, startGoTarget, type GoTarget } from '../helpers/go-target.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/runner/run.js';
import { uslPeak } from '../../src/stats/usl.js';
import type { RunResult } from '../../src/types.js';

const SIGMA = 0.05;
const KAPPA = 0.05;
const TRUE_PEAK = uslPeak(SIGMA, KAPPA)!; // floor(sqrt(0.95 / 0.05)) = 4
let target: GoTarget;
let toThePeak: RunResult;

const scenario = (url: string, minEfficiency: number) =>
  resolveScenario({
    name: 'closed-usl',
    target: { url },
    http: { path: '/work', timeout: '5s' },
    load: {
      mode: 'concurrency',
      start: 1,
      end: 32,
      stepDuration: '1s',
      warmup: '500ms',
      baselineWindows: 5,
      drain: '100ms',
      maxDuration: '90s',
      maxRequests: 100_000,
    },
    // 500 ms windows (two a step): one connection already gets ~85 answers in one (5 ms service), and the
    // USL points and the plateau rule read whole steps, not windows. 250 ms windows were too few answers
    // for a p99: one stall read as a breach at 2 connections.
    detect: { window: '500ms', minRequests: 50, plateau: { minEfficiency } },
  });

beforeAll(async () => {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
  target = await startGoTarget({ workers: 32, serviceTimeMs: 5, mode: 'contention', extraArgs: ['-contention', String(SIGMA), '-coherency', String(KAPPA)] });
  ({ result: toThePeak } = await runScenario(scenario(target.url, 0), { dryWrite: true }));
}, 150_000);

afterAll(async () => {
  await target?.stop();
});

describe(`USL fit on a contention target (sigma ${SIGMA}, kappa ${KAPPA}, true peak ${TRUE_PEAK})`, () => {
  it('the plain plateau rule stops at the throughput peak, with points on both sides of it', () => {
    expect(toThePeak.stopReason, toThePeak.stopDetail).toBe('breach');
    // The top of this curve is flat within a few % from 4 to 6 connections, so noise decides where on
    // it the rule stops; what matters is that the critical point is on the top, not past it.
    const cp = toThePeak.criticalPoint!.value;
    expect(cp, toThePeak.stopDetail).toBeGreaterThanOrEqual(TRUE_PEAK - 1);
    expect(cp, toThePeak.stopDetail).toBeLessThanOrEqual(TRUE_PEAK + 2);
    const points = toThePeak.diagnostics!.usl.points;
    const top = Math.max(...points.map((p) => p.throughput));
    // The attempt that counted at the critical point is the last one (a recheck measures the load again).
    expect(points.filter((p) => p.concurrency === cp).at(-1)!.throughput / top, JSON.stringify(points)).toBeGreaterThan(0.95);
    const loads = points.map((p) => p.concurrency);
    expect(Math.min(...loads)).toBeLessThan(TRUE_PEAK);
    expect(Math.max(...loads)).toBeGreaterThan(TRUE_PEAK + 1);
  });

  it('the fit recovers a peak near the true one and the measured one', () => {
    const usl = toThePeak.diagnostics!.usl;
    expect(usl.status, usl.detail).toBe('fitted');
    const fit = usl.fit!;
    // The client's own ~1 ms per request and a shared machine bend the measured curve a little: the
    // measured peak is at TRUE_PEAK or one above, so the fit may land one further.
    expect(Math.abs(fit.peakConcurrency! - TRUE_PEAK), `${usl.detail} ${JSON.stringify(usl.points)}`).toBeLessThanOrEqual(2);
    const measuredPeak = usl.points.reduce((a, b) => (b.throughput > a.throughput ? b : a));
    // N* lies on the measured top: a measured point within one connection of it is within 5% of the
    // highest throughput. (Not "the nearest point": with points at 4 and 6 and N* = 5 both are nearest,
    // and CI once had 4 at 0.946 and 6 at the top.)
    const beside = usl.points.filter((p) => Math.abs(p.concurrency - fit.peakConcurrency!) <= 1);
    expect(beside.length, `${usl.detail} ${JSON.stringify(usl.points)}`).toBeGreaterThan(0);
    const bestBeside = Math.max(...beside.map((p) => p.throughput));
    expect(bestBeside / measuredPeak.throughput, `${usl.detail} ${JSON.stringify(usl.points)}`).toBeGreaterThan(0.95);
    expect(fit.peakThroughput! / measuredPeak.throughput).toBeGreaterThan(0.9);
    expect(fit.peakThroughput! / measuredPeak.throughput).toBeLessThan(1.1);
    expect(fit.kappa).toBeGreaterThan(0);
    expect(fit.r2).toBeGreaterThan(0.8);
  });
});
