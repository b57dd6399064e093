// The k6 engine with a request mix, end to end through a real child process:
// the replay stand-in (test/fixtures/k6-replay, not k6) writes a recorded
// step whose requests carry critpoint_request tags, and the engine's step
// carries byRequest with every recorded request under its name. No load: the
// stand-in sends nothing, it writes k6's JSON lines at real speed.
import { describe, expect, it } from 'vitest';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { resolveScenario } from '../../src/scenario/load.js';
import { K6Engine } from '../../src/engines/k6/k6-engine.js';
import { k6EngineConfig } from '../../src/engines/k6/k6-config.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';
import { WeightedPicker } from '../../src/requests/hash.js';
import type { WindowStats } from '../../src/types.js';
import { K6LineWriter } from '../helpers/k6-format.js';

const REPLAY = fileURLToPath(new URL('../fixtures/k6-replay/k6-replay.mjs', import.meta.url));

describe('k6 engine with a request mix (replay stand-in)', () => {
  it("fills the step's and windows' byRequest from the critpoint_request tags", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k6-engine-mix-'));
    const file = join(dir, 'rec.json');
    const out = createWriteStream(file);
    const w = new K6LineWriter();
    const picker = new WeightedPicker([3, 1], 5);
    const t0 = Date.UTC(2026, 11, 5, 23, 0, 0);
    const load = 200;
    const want = { a: 0, b: 0 };
    // 1.5 s of a 200 req/s step: 300 requests, b slower than a.
    for (let i = 0; i < 300; i++) {
      const b = picker.pick(i) === 1;
      want[b ? 'b' : 'a']++;
      const d = b ? 12 : 2;
      out.write(w.request({ endMs: t0 + (i * 1000) / load + d, durationMs: d, status: 200, step: 0, load, tags: { critpoint_request: b ? 'b' : 'a' } }));
    }
    out.end();
    await once(out, 'finish');

    const s = resolveScenario({
      name: 'k6-engine-mix',
      target: { url: 'http://127.0.0.1:9/api' },
      requests: [
        { name: 'a', weight: 3, path: '/a' },
        { name: 'b', weight: 1, path: '/b' },
      ],
      load: { engine: 'k6', start: load, end: 400, stepDuration: '1s', seed: 5 },
      detect: { window: '500ms', minRequests: 20 },
    });
    const env = { ...process.env, K6_BINARY: REPLAY, K6_REPLAY_FILE: file };
    const engine = new K6Engine({ ...k6EngineConfig(s, env), latenessMs: 300 });
    try {
      const t = performance.now();
      const windows: WindowStats[] = [];
      let k = 0;
      const stats = await engine.runStep(
        { index: 0, phase: 'baseline', load, unit: 'req/s', durationMs: 1_500, warmupMs: 0, maxRequests: 100_000 },
        {
          now: () => performance.now() - t,
          signal: new AbortController().signal,
          liveness: ignoreLiveness,
          onWindow: (x) => windows.push(x),
          nextWindowIndex: () => k++,
        },
      );
      expect(stats.completed).toBe(300);
      expect(stats.byRequest?.a?.count).toBe(want.a);
      expect(stats.byRequest?.b?.count).toBe(want.b);
      expect(stats.byRequest!.b!.p50).toBeGreaterThan(stats.byRequest!.a!.p99);
      expect(windows.reduce((a, x) => a + (x.byRequest?.b?.count ?? 0), 0)).toBe(want.b);
      expect(engine.describe()).toContain('a mix of 2 requests (a, b)');
    } finally {
      await engine.close();
    }
  });
});
