// The open-loop HTTP engine on worker threads (load.workers >= 2), what only real threads and sockets
// can show (the split schedule and the merged windows are unit tests: thread-pacer, window-slices; the
// budget, liveness, dead target and abort are the engine contract's, which runs it with workers: 2):
//   - a stop reaches every thread at once: no thread sends after the decision (each reads the shared
//     stop flag before every send), and what reached the target is what the threads counted;
//   - a thread that dies mid-step is one clear error for that step and every later one, not a hang;
//   - a 2-request mix through a whole run on 2 threads: what the server received of each request is what
//     summary.json's byRequest counts, and the connections of both threads are reported (the numbering
//     and the merge themselves are unit tests: thread-mix, window-slices).
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../../src/engines/registry.js';
import { HttpOpenThreadsEngine } from '../../src/engines/http-open/http-open-threads.js';
import { loadScenarioFile, resolveScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/runner/run.js';
import type { ScenarioInput } from '../../src/scenario/schema.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';
import type { Step, StepStats } from '../../src/types.js';

const STOP_BOUND_MS = 100;
const EXAMPLE = fileURLToPath(new URL('../../scenarios/threads.yaml', import.meta.url));

async function target() {
  let received = 0;
  const server = http.createServer((_req, res) => {
    received++;
    setTimeout(() => res.end('ok'), 1);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received: () => received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The example scenario (scenarios/threads.yaml) pointed at the test's target, with 2 threads (auto is 1 on a 2-core machine). */
async function threadsEngine(url: string): Promise<HttpOpenThreadsEngine> {
  const s = await loadScenarioFile(EXAMPLE, {
    target: url,
    sets: [
      'http.path=/',
      'http.timeout=2s',
      'load.workers=2',
      'load.maxInFlight=200',
      'detect.window=250ms',
      `report.dir=${mkdtempSync(join(tmpdir(), 'critpoint-threads-'))}`,
    ],
  });
  const e = await createEngine(s, { env: process.env });
  expect(e).toBeInstanceOf(HttpOpenThreadsEngine);
  return e as HttpOpenThreadsEngine;
}

function runStep(e: HttpOpenThreadsEngine, signal: AbortSignal, now: () => number, index = 0, durationMs = 3_000): Promise<StepStats> {
  const step: Step = { index, phase: 'ramp', load: 600, unit: 'req/s', durationMs, warmupMs: 0, maxRequests: 100_000 };
  let w = 0;
  return e.runStep(step, { now, signal, liveness: ignoreLiveness, onWindow: () => undefined, nextWindowIndex: () => w++ });
}

describe('open-loop engine on 2 worker threads', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it(`a stop reaches both threads: none sends more than ${STOP_BOUND_MS} ms after the decision, and the target got exactly what they counted`, async () => {
    const t = await target();
    const e = await threadsEngine(t.url);
    cleanup.push(() => e.close(), t.close);
    await e.preflight(10_000);
    const before = t.received();
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    const ac = new AbortController();
    setTimeout(() => ac.abort('breach'), 800);
    const s = await runStep(e, ac.signal, now);
    expect(s.aborted).toBe(true);
    const stop = e.lastStop!;
    expect(stop).not.toBeNull();
    // Both threads were sending when the stop came (a 3 s schedule stopped at 0.8 s).
    expect(stop.lastSentAt.every((at) => at !== null)).toBe(true);
    for (const at of stop.lastSentAt) expect(at! - stop.abortAt).toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(stop.stopLagMs).toBeLessThanOrEqual(STOP_BOUND_MS);
    // Nothing left in flight, nothing unaccounted: every request that reached the target is one the threads sent.
    expect(s.inFlightAtEnd).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    const sent = s.windows.reduce((a, w) => a + w.sent, 0);
    expect(t.received() - before).toBe(sent);
    // At 600 req/s for ~0.8 s: a few hundred, from both threads' halves of the schedule.
    expect(sent).toBeGreaterThan(100);
    expect(sent).toBeLessThan(1_000);
  });

  it('a thread that dies mid-step is a clear error for that step and the next, not a hang', async () => {
    const t = await target();
    const e = await threadsEngine(t.url);
    cleanup.push(() => e.close(), t.close);
    await e.preflight(10_000);
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    let killedAt = 0;
    setTimeout(() => {
      killedAt = now();
      void e.workers[1]!.terminate();
    }, 500);
    const err = await runStep(e, new AbortController().signal, now, 0, 6_000).then(
      () => null,
      (x: unknown) => x as Error,
    );
    const failedAt = now();
    expect(err?.message).toMatch(/^the open-loop engine stopped in step 0: load worker thread 2 of 2 exited \(code 1\)$/);
    // Told once the thread's exit is and the other thread drained, not at the step's planned end (5.5 s later).
    expect(failedAt - killedAt).toBeLessThan(2_500);
    // The surviving thread was stopped at once and drained before the error: nothing more reaches the target.
    const settled = t.received();
    await new Promise((r) => setTimeout(r, 400));
    expect(t.received()).toBe(settled);
    const again = await runStep(e, new AbortController().signal, now, 1).then(
      () => null,
      (x: unknown) => x as Error,
    );
    expect(again?.message).toMatch(/^the open-loop engine cannot run: load worker thread 2 of 2 exited \(code 1\)$/);
  });

  it('a 2-request mix through a whole run on 2 threads: the server got of each request what summary.json’s byRequest counts', async () => {
    const counts: Record<string, number> = {};
    const server = http.createServer((req, res) => {
      const name = (req.url ?? '').split('/')[1] ?? '';
      counts[name] = (counts[name] ?? 0) + 1;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'critpoint-threads-mix-'));
    const s = resolveScenario({
      name: 'threads-mix',
      target: { url },
      http: { timeout: '2s' },
      requests: [
        { name: 'read', weight: 3, path: '/read/${seq}' },
        { name: 'write', weight: 1, method: 'POST', path: '/write', body: { n: '${seq}' } },
      ],
      // Far below what the server answers: the run completes, every request answered.
      load: {
        workers: 2,
        start: 300,
        end: 400,
        growth: { factor: 1.34 },
        stepDuration: '1s',
        warmup: '0ms',
        baselineWindows: 6,
        drain: '200ms',
        maxDuration: '30s',
        maxInFlight: 200,
      },
      // What is verified is counting, not pacing: a busy machine's send lag must not repeat steps.
      detect: { window: '250ms', minRequests: 20, generator: { maxSendLag: '250ms', retries: 2 } },
      report: { dir, formats: ['json'] },
    } as ScenarioInput);
    const { result, runDir } = await runScenario(s);
    const summary = JSON.parse(readFileSync(join(runDir!, 'summary.json'), 'utf8')) as {
      engine: string;
      steps: { stats: { sent: number; errorTotal: number; byRequest?: Record<string, { sent: number; completed: number; errorTotal: number }> } }[];
      diagnostics?: { connections?: { opened: number; negotiated: string | null } };
    };
    // Far below the server's capacity the run completes; a machine too busy to keep the pace may end it otherwise, and the counts must hold all the same.
    expect(result.stopReason, result.stopDetail).not.toBe('error');
    const sum = (name: string, f: 'sent' | 'completed' | 'errorTotal') => summary.steps.reduce((a, st) => a + (st.stats.byRequest?.[name]?.[f] ?? 0), 0);
    // Every request the server received is counted under its name (the preflight sends the first request once, outside any step).
    expect(sum('read', 'sent')).toBe((counts.read ?? 0) - 1);
    expect(sum('write', 'sent')).toBe(counts.write ?? 0);
    expect(sum('read', 'sent') + sum('write', 'sent')).toBe(summary.steps.reduce((a, st) => a + st.stats.sent, 0));
    expect(sum('read', 'errorTotal') + sum('write', 'errorTotal')).toBe(summary.steps.reduce((a, st) => a + st.stats.errorTotal, 0));
    // The seeded 3:1 pick over both threads: both requests in their proportion (a wide margin over some hundreds of sends).
    const share = sum('read', 'sent') / (sum('read', 'sent') + sum('write', 'sent'));
    expect(share).toBeGreaterThan(0.65);
    expect(share).toBeLessThan(0.85);
    // Both threads' connections (and the preflight's) are counted.
    expect(summary.diagnostics?.connections?.negotiated).toBe('http/1.1');
    expect(summary.diagnostics?.connections?.opened).toBeGreaterThanOrEqual(3);
  });
});
