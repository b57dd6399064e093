// Issue 3 "done when": runtime signals as stop signals against the real Go target
// (real goroutines, pprof, expvar, client_golang /metrics), bounded loopback load.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startGoTarget, goTargetAvailable, GO_TARGET_BUILD_SCRIPT, type GoTarget } from '../helpers/go-target.js';
import { runScenario } from '../../src/runner/run.js';
import { falseStop, fastScenario } from '../helpers/scenarios.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { EXIT } from '../../src/errors.js';

const runtime = {
  interval: '250ms',
  timeout: '500ms',
  signals: [
    { name: 'goroutines', source: { pprof: '/debug/pprof/goroutine?debug=1' } },
    { name: 'heap', source: { expvar: '/debug/vars', field: 'memstats.HeapAlloc' }, detect: { minRatio: 3, enabled: false } },
    { name: 'inflight', source: { prometheus: '/metrics', metric: 'http_inflight_requests', labels: { handler: 'work' } }, detect: { enabled: false } },
  ],
  capture: ['goroutine', 'heap'],
};

function withRuntime(base: Scenario, rt: unknown): Scenario {
  const { runtime: _r, ...rest } = base;
  return resolveScenario({ ...structuredClone(rest), runtime: rt });
}

let target: GoTarget | undefined;
beforeAll(() => {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit' });
}, 180_000);
afterEach(async () => {
  await target?.stop();
  target = undefined;
});

describe('runtime signals on the real Go target', () => {
  it('pool mode (8 workers x 8 ms): stops at the knee on p99 or goroutines, the goroutine series is in the report, dump and heap profile saved', async () => {
    target = await startGoTarget({ workers: 8, serviceTimeMs: 8 });
    // The coarse ramp only (refine.resolution 0: the critical point is the last passing step, 784 req/s
    // here): the claims are the signals, their series and the evidence at the breach; how sharply the
    // knee is found is http-ramp.test.ts's claim.
    const s = withRuntime(fastScenario(target.url, { load: { refine: { resolution: 0 } } }), runtime);
    const { result, runDir } = await runScenario(s);
    console.log(
      `pool: critical point ${result.criticalPoint?.value} on ${result.criticalPoint?.signals.map((b) => b.signal).join(', ')}; steps ${result.steps.map((st) => `${st.load}:${st.outcome}`).join(' ')}`,
    );
    expect(result.stopReason).toBe('breach');
    // At a pool's knee p99 and the goroutine count (Little's law) rise together; whichever confirms
    // first stops the run, and the critical point is the pool's (8 x 8 ms = 1000 req/s) either way.
    expect(result.criticalPoint!.signals.map((b) => b.signal).some((x) => x === 'p99' || x === 'goroutines')).toBe(true);
    expect(result.criticalPoint!.value).toBeGreaterThan(0.7 * target.capacity);
    expect(result.criticalPoint!.value).toBeLessThan(1.1 * target.capacity);
    // The goroutine series: a sample in (nearly) every evaluated window and in runtime.csv.
    // Sparse windows (a step's short tail is its own window) are shown, not evaluated, and may close between samples.
    const measured = result.windows.filter((w) => !w.warmup && !w.sparse);
    const withValue = measured.filter((w) => typeof w.runtime.goroutines === 'number');
    expect(withValue.length / measured.length).toBeGreaterThan(0.9);
    expect(result.baseline!.signals.goroutines!.medianValue).toBeGreaterThan(0);
    expect(result.samplers.map((h) => h.signal).sort()).toEqual(['goroutines', 'heap', 'inflight']);
    expect(result.samplers.every((h) => h.status !== 'failed')).toBe(true);
    const csv = readFileSync(join(runDir!, 'windows.csv'), 'utf8');
    expect(csv.split('\n')[0]).toContain('runtime_goroutines');
    expect(readFileSync(join(runDir!, 'runtime.csv'), 'utf8')).toMatch(/^signal,t_ms,value/);
    // Evidence: goroutine dump (debug=2 text) and heap profile (binary), listed in summary.json.
    const kinds = result.evidence.map((e) => e.kind).sort();
    expect(kinds).toEqual(['goroutine', 'heap']);
    for (const e of result.evidence) {
      expect(existsSync(join(runDir!, e.path))).toBe(true);
      expect(statSync(join(runDir!, e.path)).size).toBeGreaterThan(100);
    }
    const dump = readFileSync(join(runDir!, result.evidence.find((e) => e.kind === 'goroutine')!.path), 'utf8');
    expect(dump).toMatch(/^goroutine \d+ \[/m);
    const summary = JSON.parse(readFileSync(join(runDir!, 'summary.json'), 'utf8'));
    expect(summary.evidence).toHaveLength(2);
  });

  it('leak mode: stops on goroutines while p99 never breaches', async () => {
    // 64 workers x 4 ms: capacity 16000 req/s, far above the ramp, so latency stays flat.
    // Above 4 requests in flight (about 1000 req/s here) each request leaks a goroutine for 60 s.
    target = await startGoTarget({ workers: 64, serviceTimeMs: 4, mode: 'leak', extraArgs: ['-leak-threshold', '4', '-leak-hold', '60s'] });
    // The coarse ramp only (refine.resolution 0): the claim is which signal stops the load, not the knee's
    // sharpness, and a bisection step below the breach runs among goroutines leaked earlier (held 60 s),
    // unrechecked, so one VM stall there (p99 25 ms for a second, seen once) would name p99.
    // drainTimeout 2s: leaked goroutines never come back within a drain; waiting 10 s for them is waste.
    const s = withRuntime(fastScenario(target.url, { load: { end: 2500, refine: { resolution: 0 }, drainTimeout: '2s' } }), {
      ...runtime,
      capture: ['goroutine'],
    });
    const { result } = await runScenario(s);
    expect(result.stopReason).toBe('breach');
    const signals = result.criticalPoint!.signals.map((b) => b.signal);
    console.log(
      `leak: critical point ${result.criticalPoint!.value} req/s on ${signals.join(', ')}; ${result.criticalPoint!.signals.map((b) => b.reason).join('; ')}`,
    );
    expect(signals).toContain('goroutines');
    expect(signals).not.toContain('p99');
    // p99 never breaches: at every load the attempt that counted (the last one; a first attempt's p99
    // breach that did not come back was dismissed by detect.recheck as noise) has no p99 breach.
    const counted = new Map(result.steps.map((st) => [st.load, st]));
    expect(
      [...counted.values()].flatMap((st) => st.breaches.map((b) => b.signal)),
      JSON.stringify(result.steps.map((st) => [st.load, st.outcome, st.breaches.map((b) => b.reason)])),
    ).not.toContain('p99');
  });

  // One run shows both: a target far above the ramp ends completed with the working samplers on (no false
  // stop), and a sampler whose endpoint is down is reported with its gaps without stopping the run.
  it('a target whose capacity is far above the ramp ends completed with samplers on (no false stop); a sampler whose endpoint is down is reported with its gaps', async () => {
    target = await startGoTarget({ workers: 200, serviceTimeMs: 5 });
    const rt = { ...runtime, signals: [...runtime.signals, { name: 'queue', source: { json: 'http://127.0.0.1:9/stats', field: 'queue.depth' } }] };
    // Two steps to the end (400, 1100): each one judged with the samplers on.
    const s = withRuntime(fastScenario(target.url, { load: { end: 1100, growth: { factor: 2.75 } } }), rt);
    const { result, runDir } = await runScenario(s);
    expect(result.stopReason).toBe('completed');
    expect(result.criticalPoint).toBeNull();
    expect(result.lastPass).toBe(1100);
    expect(falseStop(result)).toBeNull();
    expect(result.exitCode).toBe(EXIT.completed);
    expect(result.files).toEqual(expect.arrayContaining(['summary.json', 'windows.csv', 'steps.csv']));
    expect(runDir).toBeTruthy();
    // Every working sampler worked; a VM stall may cost a sample or two (a gap), never the signal.
    for (const h of result.samplers.filter((x) => x.signal !== 'queue')) {
      expect(h.status, JSON.stringify(h)).not.toBe('failed');
      expect(h.gaps, JSON.stringify(h)).toBeLessThanOrEqual(2);
    }
    // The down endpoint: failed, every sample a gap with its error, the run still completed.
    const health = result.samplers.find((h) => h.signal === 'queue')!;
    expect(health.status).toBe('failed');
    expect(health.gaps).toBeGreaterThan(10);
    expect(health.lastError).toBeTruthy();
    expect(result.runtimeSamples.filter((r) => r.signal === 'queue' && r.value === null).length).toBe(health.gaps);
  });
});
