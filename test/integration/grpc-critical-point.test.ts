// The gRPC engine finds the critical point of the Go fixture's gRPC endpoint
// (test/fixtures/go-target) within -20%/+5% of the throughput plateau the
// server itself counted in the same test (helpers/grpc-plateau.ts), with the
// busy-VM generator allowance of the other load tests. At 1,000 and 2,000
// calls/s no load below the knee is left generator-limited; the grpc-js client
// agrees with the default http2 client on the same target; a server-streaming
// method is measured to its first message and to the end of the stream.
// All load is bounded (maxDuration, steps, deadlines).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveScenario } from '../../src/scenario/load.js';
import { createEngine } from '../../src/engines/registry.js';
import { runScenario } from '../../src/runner/run.js';
import { EXIT } from '../../src/errors.js';
import type { RunResult } from '../../src/types.js';
import { GO_TARGET_BUILD_SCRIPT, GO_TARGET_PROTO, goTargetAvailable, startGoTarget, type GoTarget } from '../helpers/go-target.js';
import { measureGoPlateau } from '../helpers/grpc-plateau.js';
import { cpuShareAvailable } from '../helpers/grpc-machine.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'critpoint-grpc-cp-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
}, 180_000);

/** The generator allowance of tests that are not about the generator (test/helpers/scenarios.ts). */
const BUSY_VM_GENERATOR = { maxSendLag: '25ms', retries: 2 };

/**
 * True when a busy loop of ours got less than 60% of a core for a second before any load: other work
 * holds the cores, and no generator could keep a millisecond schedule here. The test says so and stops.
 */
function machineTooBusy(what: string): boolean {
  const share = cpuShareAvailable();
  if (share >= 0.6) return false;
  console.warn(`${what}: not judged: a busy loop got ${(100 * share).toFixed(0)}% of a core before any load (< 60%); other work holds this machine's cores`);
  return true;
}

/** The HTTP ramp test's shape (500 ms windows, 2 s steps, 16 baseline windows), default generator limits. */
function rampScenario(address: string, grpc: Record<string, unknown> = {}, load: Record<string, unknown> = {}, detect: Record<string, unknown> = {}) {
  return resolveScenario({
    name: 'grpc-cp',
    target: { url: `grpc://${address}` },
    grpc: { proto: GO_TARGET_PROTO, service: 'loadtarget.Work', method: 'Do', request: { payload: 'abc' }, channels: 4, deadline: '3s', ...grpc },
    load: {
      start: 400,
      end: 6000,
      growth: { factor: 1.4 },
      stepDuration: '2s',
      warmup: '1s',
      baselineWindows: 16,
      drain: '300ms',
      maxDuration: '2m',
      maxInFlight: 400,
      ...load,
    },
    detect: { window: '500ms', minRequests: 150, ...detect },
    report: { dir: tmp },
  });
}

function steps(result: RunResult): string {
  return result.steps.map((s) => `${s.load}:${s.outcome}(lag ${s.stats.sendLagP99.toFixed(1)}, p99 ${s.stats.p99.toFixed(1)})`).join(' ');
}

/** The run breached within -20%/+5% of the plateau; returns the critical point. */
function expectNearPlateau(result: RunResult, plateau: number, what: string): number {
  console.log(`${what}: ${result.stopReason} (${result.stopDetail}); steps ${steps(result)}`);
  expect(result.stopReason).toBe('breach');
  const cp = result.criticalPoint!;
  expect(cp.resolution).toBeLessThanOrEqual(0.05 + 1e-9);
  const ratio = cp.value / plateau;
  console.log(
    `${what}: plateau ${plateau.toFixed(0)}/s, critical point ${cp.value}/s (${((ratio - 1) * 100).toFixed(1)}%), breached by ${cp.signals.map((s) => s.signal).join(', ')}`,
  );
  expect(ratio).toBeGreaterThanOrEqual(0.8);
  expect(ratio).toBeLessThanOrEqual(1.05);
  expect(result.baseline!.windows).toBeGreaterThanOrEqual(16);
  expect(result.steps.some((s) => s.phase === 'refine')).toBe(true);
  expect(result.exitCode).toBe(EXIT.breach);
  return cp.value;
}

/**
 * Ramp between two plateau measurements; the plateau is the higher of the two (a stall of this shared
 * machine can only lower a closed loop's count, never raise it).
 */
async function rampNearPlateau(target: GoTarget, s: ReturnType<typeof rampScenario>, what: string, plateauOpts: Parameters<typeof measureGoPlateau>[1] = {}) {
  const before = await measureGoPlateau(target, plateauOpts);
  const { result } = await runScenario(s, { env: {} });
  const plateau = Math.max(before, await measureGoPlateau(target, plateauOpts));
  return { result, plateau, cp: expectNearPlateau(result, plateau, what) };
}

describe.each([
  { workers: 8, capacity: 1_000, start: 500 },
  { workers: 16, capacity: 2_000, start: 1_000 },
])('Go fixture at $capacity calls/s ($workers workers x 8 ms)', ({ workers, capacity, start }) => {
  let target: GoTarget;
  beforeAll(async () => {
    target = await startGoTarget({ grpc: true, workers, serviceTimeMs: 8 });
  });
  afterAll(async () => target?.stop());

  // The busy-VM allowance: with the default 5 ms send-lag bound the generator still falls behind below
  // these knees on this 2-core machine (issue 14's open target; `npm run bench -- grpc-engine` measures it).
  it('the critical point lands within -20%/+5% of the plateau, no load below it left generator-limited', async (ctx) => {
    if (machineTooBusy(`${capacity} calls/s`)) return ctx.skip();
    const { result, plateau } = await rampNearPlateau(
      target,
      rampScenario(target.grpcAddress!, {}, { start }, { generator: BUSY_VM_GENERATOR }),
      `http2 Do at ${capacity}/s`,
    );
    expect(plateau / capacity).toBeGreaterThan(0.9);
    expect(result.engine).toBe('grpc');
    // No load at or below the critical point had its last attempt generator-limited.
    const last = new Map<number, string>();
    for (const st of result.steps) last.set(st.load, st.outcome);
    expect([...last].filter(([load, o]) => o === 'generator-limited' && load <= result.criticalPoint!.value)).toEqual([]);
  });
});

describe('grpc-js and http2 clients agree on the same target (Go fixture, 4 workers x 8 ms = 500 calls/s)', () => {
  let target: GoTarget;
  beforeAll(async () => {
    target = await startGoTarget({ grpc: true, workers: 4, serviceTimeMs: 8 });
  });
  afterAll(async () => target?.stop());

  it('critical points within 5% of each other and of the plateau', async (ctx) => {
    if (machineTooBusy('agreement')) return ctx.skip();
    const cps: Record<string, number> = {};
    const before = await measureGoPlateau(target, { concurrency: 32 });
    for (const client of ['grpc-js', 'http2']) {
      // grpc-js needs the busy-machine allowance at these rates on two shared cores (issue 14: its own
      // per-call CPU); the point here is that both clients see the same knee.
      const { result } = await runScenario(rampScenario(target.grpcAddress!, { client }, { start: 250 }, { minRequests: 100, generator: BUSY_VM_GENERATOR }), {
        env: {},
      });
      console.log(`${client}: ${result.stopReason}; steps ${steps(result)}`);
      expect(result.stopReason).toBe('breach');
      cps[client] = result.criticalPoint!.value;
    }
    const plateau = Math.max(before, await measureGoPlateau(target, { concurrency: 32 }));
    console.log(`agreement: plateau ${plateau.toFixed(0)}, grpc-js ${cps['grpc-js']}, http2 ${cps.http2}`);
    expect(Math.abs(cps.http2! / cps['grpc-js']! - 1)).toBeLessThanOrEqual(0.05);
    for (const cp of Object.values(cps)) {
      expect(cp / plateau).toBeGreaterThanOrEqual(0.8);
      expect(cp / plateau).toBeLessThanOrEqual(1.05);
    }
  });
});

describe('a server-streaming method (Go fixture, 8 workers x 5 ms, 4 messages a stream = 400 streams/s)', () => {
  let target: GoTarget;
  const stream = { method: 'Stream', request: { payload: 'abc', count: 4 } };
  beforeAll(async () => {
    target = await startGoTarget({ grpc: true, workers: 8, serviceTimeMs: 5 });
  });
  afterAll(async () => target?.stop());

  it('measures the time to the first message and to the end of the stream as two series', async () => {
    const engine = createEngine(rampScenario(target.grpcAddress!, stream), { env: {} });
    try {
      await engine.preflight(3_000);
      const t0 = performance.now();
      let i = 0;
      // 50 streams/s x 4 messages x 5 ms: one worker in eight busy, little queueing.
      const r = await engine.runStep(
        { index: 0, phase: 'ramp', load: 50, unit: 'req/s', durationMs: 2_000, warmupMs: 500, maxRequests: Infinity },
        {
          now: () => performance.now() - t0,
          signal: new AbortController().signal,
          liveness: ignoreLiveness,
          onWindow: () => undefined,
          nextWindowIndex: () => i++,
        },
      );
      expect(r.errorTotal).toBe(0);
      expect(r.completed).toBeGreaterThan(90);
      const first = r.firstMessage!;
      expect(first).toBeDefined();
      console.log(
        `stream: first message p50 ${first.p50.toFixed(1)} ms p99 ${first.p99.toFixed(1)} ms; end of stream p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms`,
      );
      // One service time to the first message, four to the end (plus the round trip).
      expect(first.p50).toBeGreaterThanOrEqual(4);
      expect(first.p50).toBeLessThan(15);
      expect(r.p50).toBeGreaterThanOrEqual(16);
      expect(r.p50).toBeLessThan(40);
      expect(r.p50 - first.p50).toBeGreaterThan(10); // at least two of the three further service times
      const measured = r.windows.filter((w) => !w.warmup && w.completed > 0);
      expect(measured.length).toBeGreaterThan(0);
      for (const w of measured) expect(w.firstMessage!.p50).toBeLessThan(w.p50);
    } finally {
      await engine.close();
    }
  });

  it('a ramp of streams stops on the end-of-stream latency within -20%/+5% of the stream plateau', async (ctx) => {
    if (machineTooBusy('stream ramp')) return ctx.skip();
    // About streams, not the generator: the busy-machine allowance of the other load tests.
    const { result, plateau } = await rampNearPlateau(
      target,
      rampScenario(target.grpcAddress!, stream, { start: 150, maxInFlight: 200 }, { minRequests: 60, generator: BUSY_VM_GENERATOR }),
      'http2 Stream',
      { concurrency: 32, method: 'Stream', count: 4 },
    );
    expect(plateau / 400).toBeGreaterThan(0.9);
    expect(result.windows.some((w) => w.firstMessage !== undefined)).toBe(true);
  });
});
