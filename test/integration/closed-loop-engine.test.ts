// The http-closed engine on its own, against real servers on loopback:
// stop means stop (no request leaves after the abort), worker threads and
// pipelining pass through, and autocannon's failures map to error kinds.
// Bounded: each step runs at most a few seconds with <= 8 connections.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GO_TARGET_BUILD_SCRIPT, goTargetAvailable, startGoTarget, type GoTarget } from '../helpers/go-target.js';
import { HttpClosedEngine, type HttpClosedConfig } from '../../src/engines/http-closed/http-closed-engine.js';
import { littlesLaw } from '../../src/stats/littles-law.js';
import type { StepStats, WindowStats } from '../../src/types.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { httpSourceConfig } from '../../src/requests/config.js';
import { WeightedPicker } from '../../src/requests/hash.js';

const targets: GoTarget[] = [];
const start = async (opts: Parameters<typeof startGoTarget>[0]) => {
  const t = await startGoTarget(opts);
  targets.push(t);
  return t;
};

beforeAll(() => {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
}, 180_000);
const engines: HttpClosedEngine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await Promise.all(targets.map((t) => t.stop()));
});

function engine(url: string, over: Partial<HttpClosedConfig> = {}): HttpClosedEngine {
  return track(
    new HttpClosedEngine({
      url,
      method: 'GET',
      path: '/work',
      headers: {},
      body: null,
      timeoutMs: 5_000,
      pipelining: 1,
      workers: 0,
      windowMs: 500,
      minRequests: 20,
      drainTimeoutMs: 2_000,
      ...over,
    }),
  );
}
function track(e: HttpClosedEngine): HttpClosedEngine {
  engines.push(e);
  return e;
}

async function step(
  e: HttpClosedEngine,
  load: number,
  durationMs: number,
  abortAfterMs?: number,
): Promise<{ stats: StepStats; windows: WindowStats[]; returnedAfterAbortMs: number | null }> {
  // As the runner does: the preflight starts the worker threads before any step's clock.
  await e.preflight(30_000).catch(() => undefined);
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const ac = new AbortController();
  const windows: WindowStats[] = [];
  let i = 0;
  let abortedAt: number | null = null;
  const timer =
    abortAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          abortedAt = now();
          ac.abort('breach');
        }, abortAfterMs);
  const stats = await e.runStep(
    { index: 1, phase: 'ramp', load, unit: 'connections', durationMs, warmupMs: 0, maxRequests: 100_000 },
    { now, signal: ac.signal, liveness: ignoreLiveness, onWindow: (w) => windows.push(w), nextWindowIndex: () => i++ },
  );
  clearTimeout(timer);
  return { stats, windows, returnedAfterAbortMs: abortedAt === null ? null : now() - abortedAt };
}

describe('stop means stop', () => {
  let target: GoTarget;
  beforeAll(async () => {
    target = await start({ workers: 4, serviceTimeMs: 10 });
  });

  it('main thread: no request leaves after the abort, and the step returns once in-flight responses are in', async () => {
    const e = engine(target.url);
    const r = await step(e, 4, 5_000, 1_200);
    expect(r.stats.aborted).toBe(true);
    expect(r.stats.completed).toBeGreaterThan(100);
    expect(e.lastStop).not.toBeNull();
    expect(e.lastStop!.sentAfterAbort).toBe(0);
    expect(e.lastStop!.stopLagMs).toBe(0);
    // 4 connections x one in-flight response of ~10 ms each, plus autocannon's shutdown.
    expect(r.returnedAfterAbortMs).toBeLessThan(500);
    const last = r.windows[r.windows.length - 1]!;
    expect(r.stats.sent - r.stats.completed - r.stats.errorTotal).toBe(0);
    expect(last.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('worker threads: the stop reaches every worker within a batch or two', async () => {
    const e = engine(target.url, { workers: 2 });
    const r = await step(e, 4, 5_000, 1_200);
    expect(r.stats.aborted).toBe(true);
    expect(r.stats.completed).toBeGreaterThan(100);
    // Requests already in a worker's queue when the stop message arrives may still leave: a handful, within ms.
    expect(e.lastStop!.stopLagMs).toBeLessThanOrEqual(50);
    expect(e.lastStop!.sentAfterAbort).toBeLessThanOrEqual(4);
    expect(r.returnedAfterAbortMs).toBeLessThan(1_000);
  });
});

describe('options pass through', () => {
  let target: GoTarget;
  beforeAll(async () => {
    target = await start({ workers: 8, serviceTimeMs: 10 });
  });

  it('workers: 2 threads share 4 connections and together keep 4 in flight', async () => {
    const r = await step(engine(target.url, { workers: 2 }), 4, 2_000);
    expect(r.stats.aborted).toBe(false);
    expect(r.stats.maxInFlight).toBeLessThanOrEqual(4);
    const ll = littlesLaw(r.windows)!;
    expect(ll.inFlight).toBeGreaterThan(3.6);
    expect(Math.abs(ll.ratio - 1)).toBeLessThanOrEqual(0.1);
    expect(r.windows.every((w) => w.generatorBusy !== undefined && w.generatorBusy >= 0 && w.generatorBusy <= 1)).toBe(true);
  });

  it('pipelining: 2 connections x 2 pipelined requests keep 4 in flight', async () => {
    const r = await step(engine(target.url, { pipelining: 2 }), 2, 2_000);
    expect(r.stats.maxInFlight).toBeLessThanOrEqual(4);
    const ll = littlesLaw(r.windows)!;
    expect(ll.inFlight).toBeGreaterThan(3.6);
    expect(Math.abs(ll.ratio - 1)).toBeLessThanOrEqual(0.1);
    expect(r.stats.errorTotal).toBe(0);
  });
});

describe('failures become error kinds', () => {
  it('503s from a full queue count as http-5xx', async () => {
    const t = await start({ workers: 2, serviceTimeMs: 20, extraArgs: ['-queue', '0'] });
    const r = await step(engine(t.url), 6, 1_500);
    expect(r.stats.errors['http-5xx']).toBeGreaterThan(0);
    expect(r.windows.some((w) => w.errorRate > 0.1)).toBe(true);
    expect(r.stats.achievedRate).toBeGreaterThan(0);
  });

  it('answers slower than http.timeout count as timeout', async () => {
    // 1 s: the shortest timeout autocannon takes (whole seconds; the scenario rules refuse less).
    const t = await start({ workers: 2, serviceTimeMs: 1_200 });
    const r = await step(engine(t.url, { timeoutMs: 1_000, minRequests: 1 }), 2, 1_200);
    expect(r.stats.errors.timeout).toBeGreaterThanOrEqual(2);
    expect(r.stats.completed).toBe(0);
  });

  it('a closed port counts as connection errors', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const r = await step(engine(`http://127.0.0.1:${port}`), 2, 1_000);
    expect(r.stats.errors.connection).toBeGreaterThan(0);
    expect(r.stats.completed).toBe(0);
  });
});

describe('request mix (autocannon)', () => {
  // A Node server that counts what it received per path and records each /b body's send number.
  async function countingServer() {
    const counts = { a: 0, b: 0 };
    const seqs: number[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/api/a') counts.a++;
        else if (req.url?.startsWith('/api/b/')) {
          counts.b++;
          seqs.push(Number(JSON.parse(body).n));
        }
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    return { counts, seqs, url: `http://127.0.0.1:${port}/api`, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  for (const workers of [0, 2]) {
    it(`${workers === 0 ? 'main thread' : `${workers} worker threads`}: every send carries the request pick(i) chose for its run-wide number i, tallied per request`, async () => {
      const srv = await countingServer();
      try {
        const s = resolveScenario({
          name: 'closed-mix',
          target: { url: srv.url },
          load: { mode: 'concurrency', start: 2, end: 4, seed: 11 },
          requests: [
            { name: 'a', weight: 3, path: '/a' },
            { name: 'b', weight: 1, method: 'POST', path: '/b/${seq}', body: { n: '${seq}' } },
          ],
        });
        const e = engine(srv.url, { workers, requests: httpSourceConfig(s, {}) });
        const { stats } = await step(e, 4, 1_000);
        // The preflight sent request 0 ('a', to /api/a) once before the step.
        const total = srv.counts.a - 1 + srv.counts.b;
        expect(stats.errorTotal).toBe(0);
        expect(total).toBe(stats.sent);
        expect(total).toBeGreaterThan(100);
        // The sends were numbered 0..total-1 across connections (and threads); /b got exactly the numbers pick(i) gave to b.
        const picker = new WeightedPicker([3, 1], 11);
        const expected = Array.from({ length: total }, (_, i) => i).filter((i) => picker.pick(i) === 1);
        expect([...srv.seqs].sort((x, y) => x - y)).toEqual(expected);
        const by = stats.byRequest!;
        expect(by.a!.completed).toBe(srv.counts.a - 1);
        expect(by.b!.completed).toBe(srv.counts.b);
        expect(by.a!.sent + by.b!.sent).toBe(stats.sent);
        expect(stats.windows.some((w) => w.byRequest?.b !== undefined)).toBe(true);
      } finally {
        await srv.close();
      }
    });
  }
});
