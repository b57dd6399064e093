// The gRPC engine on 2 load threads (load.workers: 2, http2 client) against the Go fixture's gRPC
// server, what only real threads and sockets can show: every call the threads counted reached the
// server and nothing else did (the server's own counter), the threads' windows merge into the step's
// windows, and server streams bring their time to first message through the threads. The split
// schedule, the merge and the stop/death handling are shared with the HTTP threads and tested there
// (thread-pacer and window-slices unit tests, open-loop-threads).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveScenario } from '../../src/scenario/load.js';
import { createEngine } from '../../src/engines/registry.js';
import { GrpcThreadsEngine } from '../../src/engines/grpc/grpc-threads.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';
import type { Engine, StepStats, WindowStats } from '../../src/types.js';
import { GO_TARGET_BUILD_SCRIPT, GO_TARGET_PROTO, goTargetAvailable, servedByHandler, startGoTarget, type GoTarget } from '../helpers/go-target.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'critpoint-grpc-threads-'));
let target: GoTarget;

beforeAll(async () => {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
  // 16 workers x 1 ms: 16k calls/s of capacity, far above what the test offers.
  target = await startGoTarget({ grpc: true, workers: 16, serviceTimeMs: 1 });
}, 180_000);
afterAll(async () => {
  await target?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** OK answers the server counted for a handler (Prometheus http_requests_total{handler,code="OK"}). */
const served = (handler: string) => servedByHandler(target, handler, 'OK');

async function engine(method: string, request: Record<string, unknown>): Promise<Engine> {
  const s = resolveScenario({
    name: 'grpc-threads',
    target: { url: `grpc://${target.grpcAddress}` },
    grpc: { proto: GO_TARGET_PROTO, service: 'loadtarget.Work', method, request, channels: 2, deadline: '2s' },
    load: { start: 100, end: 400, workers: 2, maxDuration: '30s' },
    detect: { window: '250ms', minRequests: 5 },
    report: { dir: tmp },
  });
  const e = await createEngine(s, { env: {} });
  expect(e).toBeInstanceOf(GrpcThreadsEngine);
  return e;
}

async function oneStep(e: Engine, load: number, durationMs: number): Promise<{ stats: StepStats; windows: WindowStats[] }> {
  const t0 = performance.now();
  let i = 0;
  const windows: WindowStats[] = [];
  const stats = await e.runStep(
    { index: 0, phase: 'ramp', load, unit: 'req/s', durationMs, warmupMs: 0, maxRequests: Infinity },
    {
      now: () => performance.now() - t0,
      signal: new AbortController().signal,
      liveness: ignoreLiveness,
      onWindow: (w) => windows.push(w),
      nextWindowIndex: () => i++,
    },
  );
  return { stats, windows };
}

describe('gRPC engine on 2 load threads (Go fixture)', () => {
  it('the server counted exactly the calls the threads sent, the windows merge, server streams report their first message', async () => {
    const unary = await engine('Do', { payload: 'abc' });
    const stream = await engine('Stream', { payload: 'abc', count: 2 });
    try {
      await Promise.all([unary.preflight(10_000), stream.preflight(10_000)]);
      const doBefore = await served('grpc_do');
      // 400 calls/s for 1.5 s: request i on thread i mod 2, 600 calls in all.
      const { stats, windows } = await oneStep(unary, 400, 1_500);
      const sum = (f: (w: WindowStats) => number) => windows.reduce((n, w) => n + f(w), 0);
      expect(sum((w) => w.scheduled)).toBe(600);
      expect(sum((w) => w.sent + w.capHits)).toBe(600);
      expect(stats.sent).toBeGreaterThan(540);
      expect(stats.completed).toBe(stats.sent);
      expect(stats.errorTotal).toBe(0);
      expect(stats.inFlightAtEnd).toBe(0);
      expect(await served('grpc_do')).toBe(doBefore + stats.sent);
      // The threads' slices merged into the step's windows (250 ms each): every call in one window, each window told live.
      expect(windows.length).toBeGreaterThanOrEqual(5);
      expect(stats.windows).toEqual(windows);
      expect(sum((w) => w.sent)).toBe(stats.sent);
      expect(sum((w) => w.completed)).toBe(stats.completed);
      expect(stats.p50).toBeGreaterThan(0);

      const streamBefore = await served('grpc_stream');
      const s = await oneStep(stream, 200, 1_000);
      expect(s.stats.completed).toBe(s.stats.sent);
      expect(s.stats.errorTotal).toBe(0);
      // Two messages per call, each counted by the server.
      expect(await served('grpc_stream')).toBe(streamBefore + 2 * s.stats.sent);
      const first = s.stats.firstMessage;
      expect(first).toBeDefined();
      expect(first!.p50).toBeGreaterThan(0);
      expect(first!.p50).toBeLessThanOrEqual(s.stats.p50);
      expect(s.windows.filter((w) => w.completed > 0).every((w) => w.firstMessage !== undefined)).toBe(true);
    } finally {
      await Promise.all([unary.close(), stream.close()]);
    }
  });
});
