// The gRPC engine finds the critical point of the Go fixture's gRPC endpoint
// (test/fixtures/go-target) within -20%/+5% of the throughput plateau the
// server itself counted in the same test (helpers/grpc-plateau.ts), with the
// DEFAULT detector (send-lag p99 <= 5 ms, one retry: no busy-machine
// allowance): at 1,000 calls/s (timer pacing) and 2,000 calls/s (spin pacing)
// no load below the knee is left generator-limited. Where the generator still
// falls behind before the knee on this machine, the test checks that the stop
// is honest (a window really lagged > 5 ms or sent short, no critical point,
// exit code 5), prints the measured send lag and is skipped with that note:
// it never passes. The grpc-js client measures a step below and a step above
// the knee as the default http2 client does; a server-streaming method is
// measured to its first message and to the end of the stream. Lean ramps
// (1 s steps, 250 ms windows, a start near the knee). All load is bounded
// (maxDuration, steps, deadlines).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveScenario } from '../../src/scenario/load.js';
import { createEngine } from '../../src/engines/registry.js';
import { runScenario } from '../../src/runner/run.js';
import { EXIT } from '../../src/errors.js';
import type { RunResult, StepStats } from '../../src/types.js';
import { GO_TARGET_BUILD_SCRIPT, GO_TARGET_PROTO, goTargetAvailable, startGoTarget, type GoTarget } from '../helpers/go-target.js';
import { measureGoPlateau } from '../helpers/grpc-plateau.js';
import { cpuShareAvailable } from '../helpers/grpc-machine.js';
import { standaloneStepContext } from '../helpers/step-context.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'critpoint-grpc-cp-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
}, 180_000);

/** The generator allowance of tests that are not about the generator (test/helpers/scenarios.ts). */
const BUSY_VM_GENERATOR = { maxSendLag: '25ms', retries: 2 };

/**
 * True when a busy loop of ours got less than 60% of a core for half a second before any load: other work
 * holds the cores, and no generator could keep a millisecond schedule here. The test says so and stops.
 */
function machineTooBusy(what: string): boolean {
  const share = cpuShareAvailable();
  if (share >= 0.6) return false;
  console.warn(`${what}: not judged: a busy loop got ${(100 * share).toFixed(0)}% of a core before any load (< 60%); other work holds this machine's cores`);
  return true;
}

/** A lean ramp (250 ms windows, 1 s steps, 8 baseline windows), the default detector unless `detect` says otherwise. */
function rampScenario(address: string, grpc: Record<string, unknown> = {}, load: Record<string, unknown> = {}, detect: Record<string, unknown> = {}) {
  return resolveScenario({
    name: 'grpc-cp',
    target: { url: `grpc://${address}` },
    grpc: { proto: GO_TARGET_PROTO, service: 'loadtarget.Work', method: 'Do', request: { payload: 'abc' }, channels: 4, deadline: '3s', ...grpc },
    load: {
      start: 400,
      end: 6000,
      growth: { factor: 1.4 },
      stepDuration: '1s',
      warmup: '500ms',
      baselineWindows: 8,
      drain: '100ms',
      maxDuration: '1m',
      maxInFlight: 400,
      ...load,
    },
    detect: { window: '250ms', minRequests: 100, ...detect },
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
  expect(result.baseline!.windows).toBeGreaterThanOrEqual(8);
  expect(result.steps.some((s) => s.phase === 'refine')).toBe(true);
  expect(result.exitCode).toBe(EXIT.breach);
  return cp.value;
}

// 2,000 calls/s spins (load.pacing: spin), as a generator-limited stop advises at such rates: on timers
// this machine keeps gRPC within 5 ms up to 1,000-1,500 calls/s only (docs/benchmarks.md#grpc-engine).
// Measured interleaved on 2026-12-06: on timers the 2,000 fixture was generator-limited at its 1,200
// calls/s baseline in 6 runs of 6, spinning it found the knee in 6 of 6 (-2.3% to +2.1%).
describe.each([
  { workers: 8, capacity: 1_000, start: 600, pacing: 'timer' },
  { workers: 16, capacity: 2_000, start: 1_200, pacing: 'spin' },
])('Go fixture at $capacity calls/s ($workers workers x 8 ms), default detector, $pacing pacing', ({ workers, capacity, start, pacing }) => {
  let target: GoTarget;
  beforeAll(async () => {
    target = await startGoTarget({ grpc: true, workers, serviceTimeMs: 8 });
  });
  afterAll(async () => target?.stop());

  it('the critical point lands within -20%/+5% of the plateau, no load below it left generator-limited', async (ctx) => {
    if (machineTooBusy(`${capacity} calls/s`)) return ctx.skip();
    const s = rampScenario(target.grpcAddress!, {}, { start, baselineWindows: 10, pacing }, { window: '500ms', minRequests: 150 });
    const { result } = await runScenario(s, { env: {} });
    if (result.stopReason === 'generator-limited') {
      // Issue 14's open target on this machine: the generator fell behind before the knee. What must hold
      // then: the stop is the generator's (a window of a generator-limited step really lagged more than the
      // default 5 ms, or sent short of its schedule), no critical point is named, the exit code says so.
      const limited = new Set(result.steps.filter((st) => st.outcome === 'generator-limited').map((st) => st.index));
      const windows = result.windows.filter((w) => limited.has(w.stepIndex) && !w.warmup);
      const worstLag = Math.max(...windows.map((w) => w.sendLagP99));
      const shortSend = windows.some((w) => w.sent < 0.98 * w.scheduled);
      const note = `NOT MET (issue 14): default detector generator-limited at ${[...limited].map((i) => result.steps.find((st) => st.index === i)!.load).join(', ')} calls/s, worst window send-lag p99 ${worstLag.toFixed(1)} ms; steps ${steps(result)}`;
      console.warn(`${capacity} calls/s: ${note}`);
      expect(worstLag > 5 || shortSend).toBe(true);
      expect(result.criticalPoint).toBeNull();
      expect(result.exitCode).toBe(EXIT.generatorLimited);
      return ctx.skip(note);
    }
    const plateau = Math.max(await measureGoPlateau(target, { seconds: 1 }), await measureGoPlateau(target, { seconds: 1 }));
    expectNearPlateau(result, plateau, `http2 Do at ${capacity}/s`);
    expect(plateau / capacity).toBeGreaterThan(0.9);
    expect(result.engine).toBe('grpc');
    // No load at or below the critical point had its last attempt generator-limited.
    const last = new Map<number, string>();
    for (const st of result.steps) last.set(st.load, st.outcome);
    expect([...last].filter(([load, o]) => o === 'generator-limited' && load <= result.criticalPoint!.value)).toEqual([]);
  });
});

describe('grpc-js and http2 clients measure the same target alike (Go fixture, 4 workers x 8 ms = 500 calls/s)', () => {
  let target: GoTarget;
  beforeAll(async () => {
    target = await startGoTarget({ grpc: true, workers: 4, serviceTimeMs: 8 });
  });
  afterAll(async () => target?.stop());

  /** Two open-loop steps through `client`, as the runner would run them: `below` calls/s for 1.5 s after a 500 ms warm-up, then `above` for 1.5 s (its connections warm). */
  async function belowAndAbove(client: string, below: number, above: number): Promise<{ below: StepStats; above: StepStats }> {
    // grpc-js needs the busy-machine allowance at these rates on two shared cores (issue 14: its own per-call CPU).
    const s = rampScenario(target.grpcAddress!, { client }, {}, { window: '500ms', generator: BUSY_VM_GENERATOR });
    const engine = await createEngine(s, { env: {} });
    try {
      await engine.preflight(3_000);
      const ctx = standaloneStepContext();
      const step = (index: number, load: number, warmupMs: number) =>
        engine.runStep({ index, phase: 'ramp', load, unit: 'req/s', durationMs: 1_500, warmupMs, maxRequests: Infinity }, ctx);
      return { below: await step(0, below, 500), above: await step(1, above, 0) };
    } finally {
      await engine.close();
    }
  }

  // The critical point is the search controller's decision on the windows an engine measures
  // (src/search/, tested with tables of windows in test/unit/search-*.test.ts): two clients that measure
  // the same windows get the same critical point. So the two clients are compared where a knee shows,
  // not through two whole searches: below capacity (0.6 x: on schedule, service-time latency) and above
  // it (1.3 x: the server's plateau, a queue growing from the intended send times).
  it('below capacity both keep the schedule at the service time; above it both see the server plateau and the queue', async (ctx) => {
    if (machineTooBusy('agreement')) return ctx.skip();
    const plateau = await measureGoPlateau(target, { concurrency: 32, seconds: 1 });
    const at: Record<string, { below: StepStats; above: StepStats }> = {};
    for (const client of ['grpc-js', 'http2']) at[client] = await belowAndAbove(client, 300, 650);
    // Answers per second while the step sent (its measured windows; the step's tail after it is its own window).
    const served = (st: StepStats) => {
      const ws = st.windows.filter((w) => !w.warmup && !w.sparse);
      return ws.reduce((n, w) => n + w.completed, 0) / (ws.reduce((ms, w) => ms + w.tEnd - w.tStart, 0) / 1000);
    };
    const line = (st: StepStats) =>
      `served ${served(st).toFixed(0)}/s p50 ${st.p50.toFixed(1)} p99 ${st.p99.toFixed(1)} lag ${st.sendLagP99.toFixed(1)} errors ${st.errorTotal}`;
    for (const [client, r] of Object.entries(at))
      console.log(`agreement ${client}: 300/s ${line(r.below)}; 650/s ${line(r.above)}; plateau ${plateau.toFixed(0)}`);
    const [a, b] = [at['grpc-js']!, at.http2!];
    for (const r of [a, b]) {
      expect(r.below.errorTotal + r.above.errorTotal).toBe(0);
      // Below the knee: the schedule kept, latency about one service time (8 ms plus the round trip).
      expect(served(r.below) / 300).toBeGreaterThan(0.97);
      expect(r.below.p50).toBeGreaterThanOrEqual(7);
      expect(r.below.p50).toBeLessThan(20);
      // Above it: the server's plateau, and latency from the intended send times grown by the queue
      // (150 calls/s over capacity: about 0.3 x the time since the step began).
      expect(served(r.above) / plateau).toBeGreaterThan(0.85);
      expect(served(r.above) / plateau).toBeLessThan(1.1);
      expect(r.above.p50).toBeGreaterThan(5 * r.below.p50);
    }
    // The two clients alike: below the knee the same latency within a few ms, above it the same plateau.
    expect(Math.abs(a.below.p50 - b.below.p50)).toBeLessThan(5);
    expect(Math.abs(served(a.above) / served(b.above) - 1)).toBeLessThanOrEqual(0.05);
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
    const engine = await createEngine(rampScenario(target.grpcAddress!, stream, {}, { window: '500ms', minRequests: 20 }), { env: {} });
    try {
      await engine.preflight(3_000);
      // 50 streams/s x 4 messages x 5 ms: one worker in eight busy, little queueing.
      const r = await engine.runStep(
        { index: 0, phase: 'ramp', load: 50, unit: 'req/s', durationMs: 2_000, warmupMs: 500, maxRequests: Infinity },
        standaloneStepContext(),
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
      // Windows with both series (a tail window may hold only ends of streams whose first messages came earlier).
      const measured = r.windows.filter((w) => !w.warmup && w.completed > 0 && !Number.isNaN(w.firstMessage?.p50));
      expect(measured.length).toBeGreaterThan(0);
      for (const w of measured) expect(w.firstMessage!.p50).toBeLessThan(w.p50);
    } finally {
      await engine.close();
    }
  });
});
