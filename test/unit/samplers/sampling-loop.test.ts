// SamplingLoop against a real node:http server on 127.0.0.1 (port 0): normal
// sampling, a hanging endpoint, a down endpoint; plus the bookkeeping with
// injected samplers and a fake clock.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PENDING_GAP, SamplingLoop } from '../../../src/samplers/sampling-loop.js';
import { runtimeSchema } from '../../../src/samplers/schema.js';
import { CounterPrimingError, type RuntimeSamplerInstance, type RuntimeSignalConfig } from '../../../src/samplers/types.js';
import type { RuntimeSample } from '../../../src/types.js';
import { createSampler } from '../../../src/samplers/registry.js';
import { closedPortUrl, hang, startServer, text, type TestServer } from './test-server.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/go-runtime/${name}`, import.meta.url), 'utf8');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until cond() holds or maxMs passed (bounded, so a slow machine waits longer instead of failing). */
async function until(cond: () => boolean, maxMs: number): Promise<void> {
  const end = performance.now() + maxMs;
  while (!cond() && performance.now() < end) await sleep(10);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function signals(list: { name: string; source: Record<string, unknown> }[]): RuntimeSignalConfig[] {
  return runtimeSchema.parse({ signals: list }).signals;
}

function runClock(): () => number {
  const t0 = performance.now();
  return () => performance.now() - t0;
}

const of = (samples: RuntimeSample[], name: string) => samples.filter((s) => s.signal === name);

let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    '/debug/pprof/goroutine': text(fixture('pprof-goroutine-debug1.txt')),
    '/debug/vars': text(fixture('expvar-debug-vars.json')),
    '/metrics': text(fixture('prometheus-metrics.txt')),
    '/stats': text('{"queue":{"depth":3}}'),
    '/hang': hang,
  });
  // Warm the process (undici, JIT, keep-alive connections) so the first timed samples are not cold.
  const warm = signals([
    { name: 'a', source: { pprof: '/debug/pprof/goroutine' } },
    { name: 'b', source: { expvar: '/debug/vars', field: 'memstats.HeapAlloc' } },
    { name: 'c', source: { prometheus: '/metrics', metric: 'go_goroutines' } },
    { name: 'd', source: { json: '/stats', field: 'queue.depth' } },
  ]);
  await Promise.all(warm.map((cfg) => createSampler(cfg, server.url).sample(AbortSignal.timeout(2000))));
});

afterAll(async () => {
  await server.close();
});

describe('SamplingLoop against a real server', () => {
  it('samples every signal on its interval', async () => {
    const loop = new SamplingLoop({
      signals: signals([
        { name: 'goroutines', source: { pprof: '/debug/pprof/goroutine' } },
        { name: 'heap', source: { expvar: '/debug/vars', field: 'memstats.HeapAlloc' } },
        { name: 'go_goroutines', source: { prometheus: '/metrics', metric: 'go_goroutines' } },
        { name: 'queue', source: { json: '/stats', field: 'queue.depth' } },
      ]),
      intervalMs: 50,
      timeoutMs: 500, // generous: the first requests of a cold process can be slow
      targetUrl: `${server.url}/work`,
      now: runClock(),
    });
    const seen: RuntimeSample[] = [];
    loop.onSample((s) => seen.push(s));
    const expected: Record<string, number> = { goroutines: 14, heap: 2_130_000, go_goroutines: 17, queue: 3 };
    const started = performance.now();
    loop.start();
    await until(() => Object.keys(expected).every((name) => of(loop.samples(), name).filter((x) => x.value !== null).length >= 6), 10_000);
    await loop.stop();
    const elapsed = performance.now() - started;

    // On a busy 2-core machine a tick may find the previous sample still pending, or a sample may time out:
    // gaps by design. Every value read is right, and a busy machine makes gaps, never a failed signal.
    const busyGap = (s: RuntimeSample) => s.value === null && (s.error === PENDING_GAP || /^timeout after /.test(s.error ?? ''));
    const all = loop.samples();
    expect(seen).toEqual(all);
    for (const [name, value] of Object.entries(expected)) {
      const mine = of(all, name);
      // never more than one sample per tick (ticks at 0, 50, 100, ... ms)
      expect(mine.length, name).toBeLessThanOrEqual(Math.floor(elapsed / 50) + 1);
      const readings = mine.filter((s) => !busyGap(s));
      expect(readings.length, name).toBeGreaterThanOrEqual(6);
      expect(
        readings.filter((s) => !(s.value === value && s.error === undefined && s.latencyMs >= 0)),
        name,
      ).toEqual([]);
    }
    const ts = all.map((s) => s.t);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    const health = loop.health();
    expect(health.map((h) => h.signal)).toEqual(Object.keys(expected));
    for (const h of health) {
      const mine = of(all, h.signal);
      const gaps = mine.filter(busyGap).length;
      expect(h, h.signal).toMatchObject({ samples: mine.length, gaps });
      expect(h.status, h.signal).not.toBe('failed');
      if (gaps === 0) expect(h.status, h.signal).toBe('ok');
    }

    const heapSamples = of(all, 'heap');
    const last = heapSamples.at(-1) as RuntimeSample;
    expect(loop.latestInRange('heap', 0, last.t + 1)).toBe(2_130_000);
    expect(loop.latestInRange('heap', last.t + 1, last.t + 1000)).toBeNull();
    expect(loop.latestInRange('nope', 0, 1e9)).toBeNull();
  });

  it('a hanging endpoint gives gaps, never stalls the other signals, and stop() returns promptly', async () => {
    const loop = new SamplingLoop({
      signals: signals([
        { name: 'queue', source: { json: '/stats', field: 'queue.depth' } },
        { name: 'stuck', source: { json: '/hang', field: 'x' } },
      ]),
      intervalMs: 50,
      // Six intervals: a 'queue' held up by 'stuck' would be spaced >= 300 ms, a free one ~50 ms; the
      // assertion below sits between the two, far from both, so a busy machine cannot cross it.
      timeoutMs: 300,
      targetUrl: server.url,
      now: runClock(),
    });
    const hitsBefore = server.hits.get('/hang') ?? 0;
    loop.start();
    await until(() => {
      const all = loop.samples();
      const stuck = of(all, 'stuck');
      return (
        of(all, 'queue').length >= 8 &&
        stuck.filter((s) => s.error === PENDING_GAP).length >= 2 &&
        stuck.filter((s) => s.error?.startsWith('timeout')).length >= 2
      );
    }, 6000);
    await sleep(100);
    const stopStarted = performance.now();
    await loop.stop();
    const stopMs = performance.now() - stopStarted;

    const all = loop.samples();
    const queue = of(all, 'queue');
    expect(queue.length).toBeGreaterThanOrEqual(8);
    // Every value read is right, and most ticks read one. On a busy machine a tick may find its own previous
    // sample still pending, or a sample may time out: gaps of 'queue' itself, not a stall caused by 'stuck'.
    const queueGaps = queue.filter((s) => s.value === null).length;
    expect(queue.filter((s) => s.value !== null).every((s) => s.value === 3)).toBe(true);
    expect(queue.length - queueGaps, JSON.stringify(queue.map((s) => s.error ?? s.value))).toBeGreaterThanOrEqual(queue.length / 2);
    const spacing = queue.slice(1).map((s, i) => s.t - (queue[i] as RuntimeSample).t);
    expect(median(spacing)).toBeLessThan(150); // kept its own 50 ms interval while 'stuck' waited 300 ms per request

    const stuck = of(all, 'stuck');
    expect(stuck.every((s) => s.value === null)).toBe(true);
    const reasons = new Set(stuck.map((s) => s.error));
    expect(reasons).toContain('timeout after 300ms');
    expect(reasons).toContain(PENDING_GAP);
    // one request at a time: each request ends as exactly one timeout (or stop) gap, the other ticks are pending gaps
    const hits = (server.hits.get('/hang') ?? 0) - hitsBefore;
    const ended = stuck.filter((s) => s.error !== PENDING_GAP);
    expect(ended.length).toBe(hits);
    expect(hits).toBeGreaterThanOrEqual(2);
    expect(stuck.length - ended.length).toBeGreaterThanOrEqual(2);

    expect(stopMs).toBeLessThan(300 + 300); // at most the timeout, plus scheduling
    const health = loop.health();
    expect(health[0]).toMatchObject({ signal: 'queue', samples: queue.length, gaps: queueGaps });
    expect(health[0]?.status).not.toBe('failed');
    expect(health[1]).toMatchObject({ signal: 'stuck', status: 'failed', samples: stuck.length, gaps: stuck.length });
    expect([PENDING_GAP, 'timeout after 300ms', 'sampler stopped']).toContain(health[1]?.lastError);

    // nothing is recorded after stop() resolved
    const count = loop.samples().length;
    await sleep(120);
    expect(loop.samples().length).toBe(count);
  });

  it('an endpoint that is down: every sample is a gap and health is failed', async () => {
    const loop = new SamplingLoop({
      signals: signals([{ name: 'goroutines', source: { pprof: '/debug/pprof/goroutine' } }]),
      intervalMs: 40,
      // A refused connection is told at once; the timeout is long so a busy machine cannot turn it into one.
      timeoutMs: 1000,
      targetUrl: await closedPortUrl(),
      now: runClock(),
    });
    loop.start();
    await until(() => loop.samples().filter((s) => s.error === 'connection refused').length >= 3, 5000);
    await loop.stop();
    const all = loop.samples();
    // Every sample is a gap: the refusal, or a tick that found the previous attempt still pending.
    expect(all.every((s) => s.value === null && (s.error === 'connection refused' || s.error === PENDING_GAP))).toBe(true);
    expect(all.filter((s) => s.error === 'connection refused').length).toBeGreaterThanOrEqual(3);
    const health = loop.health();
    expect(health).toEqual([{ signal: 'goroutines', status: 'failed', samples: all.length, gaps: all.length, lastError: expect.any(String) }]);
    expect(['connection refused', PENDING_GAP]).toContain(health[0]?.lastError);
  });

  it('sampleOnce reads every signal now, and does not ask a pending one twice', async () => {
    const loop = new SamplingLoop({
      signals: signals([
        { name: 'queue', source: { json: '/stats', field: 'queue.depth' } },
        { name: 'stuck', source: { json: '/hang', field: 'x' } },
      ]),
      intervalMs: 5000,
      // Long enough that 'queue' answers on a busy machine; 'stuck' never does and ends at it.
      timeoutMs: 1000,
      targetUrl: server.url,
      now: runClock(),
    });
    const hitsBefore = server.hits.get('/hang') ?? 0;
    loop.start(); // first tick starts both samples at once
    const once = await loop.sampleOnce();
    expect(once.map((s) => [s.signal, s.value, s.error])).toEqual([
      ['queue', 3, undefined],
      ['stuck', null, 'timeout after 1s'],
    ]);
    expect((server.hits.get('/hang') ?? 0) - hitsBefore).toBe(1);
    await loop.stop();
  });
});

/** A sampler that returns scripted results, one per call. */
function scripted(name: string, script: (number | Error)[]): RuntimeSamplerInstance {
  return {
    name,
    kind: 'json',
    url: `http://fake/${name}`,
    sample: () => {
      const next = script.shift();
      if (next === undefined) return Promise.reject(new Error('script ended'));
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  };
}

describe('SamplingLoop bookkeeping (injected samplers, fake clock)', () => {
  function fakeLoop(scripts: Record<string, (number | Error)[]>) {
    let t = 0;
    const loop = new SamplingLoop({
      signals: signals(Object.keys(scripts).map((name) => ({ name, source: { json: '/x', field: 'v' } }))),
      intervalMs: 1000,
      timeoutMs: 100,
      targetUrl: 'http://fake',
      now: () => t,
      createSampler: (cfg) => scripted(cfg.name, scripts[cfg.name] ?? []),
    });
    return { loop, at: (ms: number) => (t = ms) };
  }

  it('latestInRange: last non-null sample with t in [tStart, tEnd)', async () => {
    const { loop, at } = fakeLoop({ g: [10, 20, new Error('HTTP 500'), 40] });
    for (const t of [100, 900, 1500, 2000]) {
      at(t);
      await loop.sampleOnce();
    }
    const cases: [string, number, number, number | null][] = [
      ['two samples: the later wins', 0, 1000, 20],
      ['tEnd is exclusive', 0, 900, 10],
      ['tStart is inclusive', 900, 1000, 20],
      ['a gap is skipped', 1000, 2000, null],
      ['gap then value', 1000, 2001, 40],
      ['empty range', 3000, 4000, null],
    ];
    for (const [name, from, to, value] of cases) expect(loop.latestInRange('g', from, to), name).toBe(value);
    expect(loop.health()).toEqual([{ signal: 'g', status: 'gaps', samples: 4, gaps: 1, lastError: 'HTTP 500' }]);
  });

  it('a counter first sample is a gap with its reason, not a failure', async () => {
    const { loop } = fakeLoop({ c: [new CounterPrimingError(), 5] });
    await loop.sampleOnce();
    expect(loop.samples()).toEqual([{ signal: 'c', t: 0, value: null, latencyMs: expect.any(Number), error: 'counter: first sample' }]);
    expect(loop.health()).toEqual([{ signal: 'c', status: 'ok', samples: 1, gaps: 0 }]);
    await loop.sampleOnce();
    expect(loop.health()).toEqual([{ signal: 'c', status: 'ok', samples: 2, gaps: 0 }]);
  });

  it('a non-finite value is a gap "not a number"', async () => {
    const { loop } = fakeLoop({ n: [NaN] });
    const [sample] = await loop.sampleOnce();
    expect(sample).toMatchObject({ value: null, error: 'not a number' });
  });

  it('a throwing listener does not break sampling; unsubscribe works', async () => {
    const { loop } = fakeLoop({ a: [1, 2] });
    const got: number[] = [];
    loop.onSample(() => {
      throw new Error('listener bug');
    });
    const off = loop.onSample((s) => got.push(s.value ?? -1));
    await loop.sampleOnce();
    off();
    await loop.sampleOnce();
    expect(got).toEqual([1]);
    expect(loop.samples().map((s) => s.value)).toEqual([1, 2]);
  });

  it('stop() without start() resolves; start() after stop() throws; sampleOnce() still reads', async () => {
    const { loop, at } = fakeLoop({ a: [7] });
    await loop.stop();
    expect(() => loop.start()).toThrow(/cannot be restarted/);
    at(5000);
    expect(await loop.sampleOnce()).toEqual([{ signal: 'a', t: 5000, value: 7, latencyMs: expect.any(Number) }]);
  });

  it('a sampler that ignores its abort signal still ends at the timeout', async () => {
    const loop = new SamplingLoop({
      signals: signals([{ name: 'deaf', source: { json: '/x', field: 'v' } }]),
      intervalMs: 1000,
      timeoutMs: 30,
      targetUrl: 'http://fake',
      now: () => 0,
      createSampler: () => ({ name: 'deaf', kind: 'json', url: 'http://fake/x', sample: () => new Promise<number>(() => undefined) }),
    });
    const [sample] = await loop.sampleOnce();
    expect(sample).toMatchObject({ signal: 'deaf', value: null, error: 'timeout after 30ms' });
    expect(loop.health()[0]?.status).toBe('failed');
  });

  it('rejects a zero interval', () => {
    expect(() => new SamplingLoop({ signals: [], intervalMs: 0, timeoutMs: 10, targetUrl: 'http://x', now: () => 0 })).toThrow(RangeError);
  });
});
