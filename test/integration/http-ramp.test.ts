// Issue 2 "done when": against a real HTTP server on 127.0.0.1, with bounded load, the critical point
// lands near the capacity measured in the same test. The other cases this file once held exist once
// elsewhere: an invalid scenario (test/light/input.test.ts), a refused preflight
// (test/integration/target-faults.test.ts), a target far above the ramp ending completed
// (test/integration/runtime-signals.test.ts, with samplers on).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDemoTarget, type SpawnedDemoTarget } from '../../src/demo/spawn-demo-target.js';
import { runScenario } from '../../src/runner/run.js';
import { fastScenario } from '../helpers/scenarios.js';
import { measurePlateau } from '../helpers/plateau.js';
import { EXIT } from '../../src/errors.js';

describe('a target of known capacity (8 slots x 8 ms = 1000 req/s, child process)', () => {
  let target: SpawnedDemoTarget;
  beforeAll(async () => {
    target = await spawnDemoTarget(8, 8);
  });
  afterAll(async () => {
    await target?.stop();
  });

  it('the critical point lands within -20%/+5% of the closed-loop plateau measured in the same test', async () => {
    const plateau = await measurePlateau(`${target.url}/work`, 64, 4);
    expect(plateau / target.capacity).toBeGreaterThan(0.9);
    const { result } = await runScenario(fastScenario(target.url, { load: { baselineWindows: 12 } }));
    expect(result.stopReason).toBe('breach');
    const cp = result.criticalPoint!;
    expect(cp.resolution).toBeLessThanOrEqual(0.05 + 1e-9);
    const ratio = cp.value / plateau;
    console.log(
      `plateau ${plateau.toFixed(0)} req/s, critical point ${cp.value} req/s (${((ratio - 1) * 100).toFixed(1)}%), breached by ${cp.signals.map((s) => s.signal).join(', ')}`,
    );
    expect(ratio).toBeGreaterThanOrEqual(0.8);
    expect(ratio).toBeLessThanOrEqual(1.05);
    // Windows and steps are all there, baseline learned on >= 12 windows.
    expect(result.baseline!.windows).toBeGreaterThanOrEqual(12);
    expect(result.steps.some((s) => s.phase === 'refine')).toBe(true);
    expect(result.exitCode).toBe(EXIT.breach);
  });
});
