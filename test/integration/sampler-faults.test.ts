// Runtime endpoints that are down, hanging, trickling or returning garbage:
// recorded as gaps with their reason, the run goes on, and the load loop is
// never delayed (send lag measured with and without the broken samplers,
// interleaved A B A B on the same target).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { runScenario } from '../../src/runner/run.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { RunResult } from '../../src/types.js';
import { falseStop, fastScenario } from '../helpers/scenarios.js';
import { BUSY_MACHINE_GENERATOR, startFaultTarget, type FaultTarget } from '../helpers/fault-target.js';

let target: FaultTarget;
let downUrl: string;
beforeAll(async () => {
  target = await startFaultTarget({ serviceMs: 2 });
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  downUrl = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  await new Promise<void>((r) => s.close(() => r()));
});
afterAll(async () => {
  await target?.stop();
});

function scenario(withSamplers: boolean) {
  // The target's own latency is not what this test is about: p99 and throughput detection are off, so a
  // process stall on this 2-core VM cannot end a run early (CI saw one run of four stop on p99 noise).
  // What stays on is what a blocked load loop would trip: the generator check and the error rate.
  const base = fastScenario(target.url, {
    name: withSamplers ? 'broken-samplers' : 'no-samplers',
    // Short: the baseline step only (five 500 ms windows after a 500 ms warm-up); the claims are about
    // every window of the run, not about the ramp.
    load: { start: 400, end: 400, baselineWindows: 5, warmup: '500ms', stepDuration: '1s' },
    detect: { generator: BUSY_MACHINE_GENERATOR, p99: { enabled: false }, throughput: { enabled: false } },
  });
  if (!withSamplers) return base;
  const { runtime: _r, ...rest } = base;
  return resolveScenario({
    ...structuredClone(rest),
    runtime: {
      interval: '250ms',
      timeout: '300ms',
      signals: [
        { name: 'down', source: { prometheus: `${downUrl}/metrics`, metric: 'x' } },
        { name: 'hanging', source: { json: '/slow', field: 'a' } },
        { name: 'trickle', source: { pprof: '/trickle' } },
        { name: 'garbage', source: { prometheus: '/garbage?bytes=8388608', metric: 'm' } },
        { name: 'textGarbage', source: { prometheus: '/garbage?bytes=8388608&ascii=1', metric: 'm' } },
        { name: 'ok', source: { prometheus: '/metrics', metric: 'fault_inflight' }, detect: { enabled: false } },
      ],
    },
  });
}

/** Median over the measured windows of the per-window send-lag p99, ms. */
const lagOf = (r: RunResult) => median(r.windows.filter((w) => !w.warmup && w.sent > 0).map((w) => w.sendLagP99));

describe('broken runtime endpoints', () => {
  const runs: { withSamplers: boolean; result: RunResult; runDir: string | null }[] = [];

  it('four interleaved runs (without, with, without, with) all complete', async () => {
    for (const withSamplers of [false, true, false, true]) {
      const { result, runDir } = await runScenario(scenario(withSamplers));
      runs.push({ withSamplers, result, runDir });
      expect(result.stopReason, result.stopDetail).toBe('completed');
    }
  });

  it('each failure is a gap with its reason; the working signal keeps its values', () => {
    for (const { result, runDir } of runs.filter((r) => r.withSamplers)) {
      const health = Object.fromEntries(result.samplers.map((h) => [h.signal, h]));
      expect(health.down).toMatchObject({ status: 'failed', lastError: 'connection refused' });
      expect(health.hanging!.status).toBe('failed');
      expect(health.hanging!.lastError).toMatch(/timeout after 300ms|previous sample still pending/);
      expect(health.trickle!.status).toBe('failed');
      expect(health.trickle!.lastError).toMatch(/timeout after 300ms|previous sample still pending/);
      expect(health.garbage!.status).toBe('failed');
      expect(health.garbage!.lastError).toBe('response is not UTF-8 text');
      expect(health.textGarbage!.status).toBe('failed');
      expect(health.textGarbage!.lastError).toMatch(/^invalid exposition: line 1: /);
      expect(health.ok!.status).not.toBe('failed');
      for (const name of ['down', 'hanging', 'trickle', 'garbage', 'textGarbage']) expect(health[name]!.gaps).toBeGreaterThan(5);
      const measured = result.windows.filter((w) => !w.warmup);
      expect(measured.every((w) => w.runtime.down === null && w.runtime.garbage === null && w.runtime.textGarbage === null && w.runtime.hanging === null)).toBe(
        true,
      );
      // The working signal is not starved by the broken ones: its own samples keep their values, and every
      // window long enough to hold two of its 250 ms intervals holds a value (a step's short tail window
      // may fall between two samples, and the shortened runs have few windows, so those are left out).
      const okSamples = result.runtimeSamples.filter((x) => x.signal === 'ok');
      expect(okSamples.filter((x) => typeof x.value === 'number').length / okSamples.length).toBeGreaterThan(0.8);
      const long = measured.filter((w) => w.tEnd - w.tStart >= 500);
      expect(long.length).toBeGreaterThan(3);
      expect(long.filter((w) => typeof w.runtime.ok === 'number').length / long.length).toBeGreaterThan(0.8);
      const csv = readFileSync(join(runDir!, 'runtime.csv'), 'utf8');
      expect(csv).toContain('connection refused');
      expect(csv).toMatch(/timeout after 300ms/);
    }
  });

  // Before bodies were decoded as they arrive, the 8 MiB garbage alone blocked the event loop for
  // 230-750 ms per sample (median send lag p99 83 ms, the run stopped as generator-limited). With the
  // fix, the difference is noise-sized: locally -0.1 to +1.1 ms (without ~1.5-3.5 ms), on the CI
  // machine +2.7 ms (without 4.98 and 3.22 ms, with 7.50 and 6.10 ms). 5 ms separates the two worlds.
  it('the load loop is not delayed: send lag with broken samplers stays within 5 ms of without', () => {
    const without = runs.filter((r) => !r.withSamplers).map((r) => lagOf(r.result));
    const withS = runs.filter((r) => r.withSamplers).map((r) => lagOf(r.result));
    const worst = (r: RunResult) => Math.max(...r.windows.filter((w) => !w.warmup && w.sent > 0).map((w) => w.sendLagP99));
    console.log(
      `send lag p99 (median over windows), ms: without samplers ${without.map((x) => x.toFixed(2)).join(', ')}; with broken samplers ${withS.map((x) => x.toFixed(2)).join(', ')}; worst window ${runs.map((r) => `${r.withSamplers ? 'with' : 'without'} ${worst(r.result).toFixed(1)}`).join(', ')}`,
    );
    expect(median(withS)).toBeLessThan(median(without) + 5);
    for (const r of runs) expect(falseStop(r.result)).toBeNull();
  });
});
