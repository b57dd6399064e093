import { describe, expect, it } from 'vitest';
import { runDiagnostics, uslPoints } from '../../src/runner/diagnostics.js';
import { uslThroughput } from '../../src/stats/usl.js';
import type { StepResult } from '../../src/types.js';

const step = (
  index: number,
  load: number,
  achievedRate: number,
  outcome: StepResult['outcome'] = 'pass',
  unit: StepResult['unit'] = 'connections',
): StepResult => ({
  index,
  phase: index === 0 ? 'baseline' : 'ramp',
  load,
  unit,
  outcome,
  breaches: [],
  windowCount: 3,
  stats: {
    sent: 100,
    completed: 100,
    errors: {},
    errorTotal: 0,
    achievedRate,
    p50: 1,
    p90: 1,
    p99: 1,
    max: 1,
    mean: 1,
    sendLagP99: 0,
    maxInFlight: load,
    aborted: false,
    elapsedMs: 1000,
  },
  littlesLaw: { inFlight: load, throughput: achievedRate, meanLatencyMs: (load / achievedRate) * 1000, predicted: load, ratio: 1, holds: true, tolerance: 0.1 },
});

describe('runDiagnostics', () => {
  const p = { lambda: 200, sigma: 0.05, kappa: 0.05 };
  const closed = [1, 2, 4, 8, 6, 5].map((n, i) => step(i, n, uslThroughput(n, p), n >= 5 ? 'breach' : 'pass'));
  it('fits the USL on the pass and breach steps of a closed-loop run', () => {
    const d = runDiagnostics(closed, 'connections');
    expect(d.usl.status).toBe('fitted');
    expect(d.usl.fit!.peakConcurrency).toBe(4);
    expect(d.littlesLaw).toMatchObject({ steps: 6, holding: 6 });
  });
  it('leaves out steps cut short by an interrupt or limited by the generator', () => {
    const pts = uslPoints([...closed, step(6, 16, 10, 'aborted'), step(7, 32, 10, 'generator-limited')]);
    expect(pts.map((x) => x.concurrency)).toEqual([1, 2, 4, 8, 6, 5]);
  });
  it('rate runs get no USL fit, only the Little summary', () => {
    const d = runDiagnostics([step(0, 100, 100, 'pass', 'req/s')], 'req/s');
    expect(d.usl.status).toBe('not-applicable');
    expect(d.littlesLaw.steps).toBe(1);
  });
});
