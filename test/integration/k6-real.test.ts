// With a real k6 (PATH or K6_BINARY): critpoint drives it against the Go
// target (8 workers x 10 ms = 800 req/s) and must find the knee below the
// capacity and stop k6 at once through its REST API. Without one the test is
// skipped and says why (the replay test carries the streaming/stop path).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goTargetAvailable, startGoTarget, type GoTarget } from '../helpers/go-target.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/runner/run.js';
import { K6Engine } from '../../src/engines/k6/k6-engine.js';
import { k6EngineConfig } from '../../src/engines/k6/k6-config.js';
import { findK6 } from '../../src/engines/k6/k6-binary.js';

function k6Missing(): string | null {
  try {
    findK6(process.env);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
const missing = k6Missing() ?? (goTargetAvailable() ? null : 'the Go target is not built (bash scripts/build-go-fixture.sh)');
if (missing)
  console.warn(
    `k6-real.test.ts skipped: ${missing}. No k6 binary can be installed on this machine (no network but npm and Debian, and neither ships k6); test/integration/k6-replay.test.ts covers the streaming and stop path with recorded output.`,
  );

describe.skipIf(missing !== null)('k6 engine with a real k6 binary', () => {
  let target: GoTarget;
  beforeAll(async () => {
    target = await startGoTarget({ workers: 8, serviceTimeMs: 10 });
  });
  afterAll(async () => {
    await target?.stop();
  });

  it('finds the critical point below capacity and stops k6 through its REST API', async () => {
    const s = resolveScenario({
      name: 'k6-real',
      target: { url: target.url },
      http: { path: '/work', timeout: '5s' },
      load: {
        engine: 'k6',
        start: 300,
        end: 1600,
        growth: { factor: 1.5 },
        stepDuration: '4s',
        warmup: '2s',
        baselineWindows: 5,
        drain: '500ms',
        refine: { resolution: 0.1, maxSteps: 3 },
        maxInFlight: 400,
        maxDuration: '2m',
      },
      detect: { window: '1s', minRequests: 200 },
    });
    const engine = new K6Engine(k6EngineConfig(s, process.env));
    const { result } = await runScenario(s, { engine, dryWrite: true });
    expect(result.stopReason).toBe('breach');
    const cp = result.criticalPoint!;
    expect(cp.lastPass).toBeLessThanOrEqual(target.capacity);
    expect(cp.lastPass).toBeGreaterThan(target.capacity * 0.5);
    const stopped = engine.log.filter((l) => l.stop.requestedAt !== null);
    expect(stopped.length).toBeGreaterThan(0);
    for (const l of stopped) {
      expect(l.stop.via).toBe('rest');
      expect(l.exit.code).toBe(103);
      // The last request k6 finished ended soon after critpoint asked it to stop.
      expect((l.lastEventAt ?? 0) - l.stop.requestedAt!).toBeLessThan(500 + s.http.timeout);
    }
    console.log(
      `real k6: critical point ${cp.value} req/s (first breach ${cp.firstBreach}), capacity ${target.capacity}; stops: ${stopped.map((l) => `${l.stop.exitedAt! - l.stop.requestedAt!} ms to exit`).join(', ')}`,
    );
  });
});
