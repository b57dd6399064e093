// The request mix on load threads (load.workers >= 2): each thread rebuilds the request source from its
// plain config (a structured clone, as workerData is), and every send takes the run's next send number
// from the counter the threads share (threads/paced-thread.ts). Shown here on the real paced-thread step
// loop (servePacedThread on MessageChannels, the step's SharedArrayBuffer, real pacing), two "threads" in
// one event loop; the transport is a recording stand-in (no socket): what is verified is the numbering
// and the picks. The union of the threads' sends is the single-thread sequence: send numbers 0..n-1 each
// once, across steps, every number carrying the request and the filled path one thread gives it (mix
// picks, sequential data rows, ${seq}), for uniform and Poisson arrivals; the slices' per-request tallies
// count the same sends.
import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { HttpRequestSource, type HttpSourceConfig } from '../../src/requests/source.js';
import { compileText } from '../../src/requests/template.js';
import { servePacedThread } from '../../src/engines/threads/paced-thread.js';
import { SHARED_BYTES, type FromPacedThread, type PacedRun, type PacedThreadInit } from '../../src/engines/threads/paced-protocol.js';
import type { WireSlice } from '../../src/engines/threads/window-slices.js';

const ROWS = 500;

function sourceConfig(): HttpSourceConfig {
  return {
    seed: 11,
    names: ['read', 'write', 'rare'],
    weights: [6, 3, 1],
    data: { columns: ['id'], rows: Array.from({ length: ROWS }, (_, r) => [`k${r}`]), order: 'sequential', onEnd: 'wrap' },
    origin: 'http://127.0.0.1:1',
    pathPrefix: '/api',
    requests: ['read', 'write', 'rare'].map((name) => ({
      name,
      method: 'GET',
      path: compileText(`/${name}/\${data:id}?n=\${seq}`, {}),
      pathAsWritten: `/${name}/\${data:id}?n=\${seq}`,
      headers: [],
      body: null,
    })),
  };
}

interface Sent {
  i: number;
  req: number;
  path: string;
  thread: number;
}

const ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

/** Two paced threads on one event loop, each with its own source rebuilt from a structured clone of the config. */
function threads(n: number) {
  const sent: Sent[] = [];
  const slices: WireSlice[] = [];
  const sides = Array.from({ length: n }, (_, thread) => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const init: PacedThreadInit = { thread, threads: n, maxInFlight: 10_000, pacing: 'timer', tickMs: 20, drainTimeoutMs: 200, requestCount: 3 };
    const src = new HttpRequestSource(structuredClone(sourceConfig()));
    servePacedThread(port2, init, (recorder, now) => ({
      pick: (i) => src.pick(i),
      send: (i, _intendedAt, done, req) => {
        sent.push({ i, req, path: src.options(req, i).path, thread });
        recorder.response(1, true, now(), undefined, req);
        done();
      },
    }));
    const messages: FromPacedThread[] = [];
    port1.on('message', (m: FromPacedThread) => {
      messages.push(m);
      if (m.type === 'slice') slices.push(m.slice);
    });
    return { port: port1, messages };
  });
  /** Runs one step on every thread; resolves with the send numbers it took once all are done. */
  const step = async (arrival: 'uniform' | 'poisson', maxRequests: number, seqBase: number): Promise<number> => {
    const shared = new SharedArrayBuffer(SHARED_BYTES);
    const originAbs = performance.timeOrigin + performance.now();
    const run: PacedRun = {
      cmd: 'run',
      originAbs,
      grid: { stepStart: 0, warmupEnd: 0, windowMs: 50 },
      arrival,
      rate: 4_000,
      seed: 3,
      durationMs: 2_000,
      maxRequests,
      shared,
      seqBase,
    };
    const before = sides.map((s) => s.messages.filter((m) => m.type === 'done').length);
    for (const s of sides) s.port.postMessage(run);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (sides.every((s, k) => s.messages.filter((m) => m.type === 'done').length > before[k]!)) {
          clearInterval(poll);
          resolve();
        }
      }, 10);
    });
    return new Int32Array(shared)[2]!;
  };
  return { sent, slices, step };
}

/** What one thread sends as numbers 0..n-1: the request each number picks, its path filled for that number. */
function single(n: number): Omit<Sent, 'thread'>[] {
  const src = new HttpRequestSource(sourceConfig());
  return Array.from({ length: n }, (_, i) => {
    const req = src.pick(i);
    return { i, req, path: src.options(req, i).path };
  });
}

describe('a request mix on 2 load threads', () => {
  for (const arrival of ['uniform', 'poisson'] as const) {
    it(`${arrival} arrivals, two steps: the threads' sends together are one thread's sequence, number for number`, async () => {
      const t = threads(2);
      const first = await t.step(arrival, 300, 0);
      const second = await t.step(arrival, 350, first);
      expect(first).toBe(300);
      expect(second).toBe(350);
      const n = first + second;
      // Each number once, 0..n-1 (the second step goes on from the first's last number, past the data's end: rows wrap).
      const union = [...t.sent].sort((a, b) => a.i - b.i);
      expect(union.map((s) => s.i)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(union.map(({ i, req, path }) => ({ i, req, path }))).toEqual(single(n));
      expect(union[ROWS]!.path).toBe(`/api/${sourceConfig().names[union[ROWS]!.req]}/k0?n=${ROWS}`);
      // Both threads sent a fair share, and every request of the mix was sent.
      for (const thread of [0, 1]) expect(t.sent.filter((s) => s.thread === thread).length).toBeGreaterThan(n / 4);
      for (const req of [0, 1, 2]) expect(union.some((s) => s.req === req)).toBe(true);
      // The slices' per-request tallies count exactly these sends.
      const perRequest = [0, 1, 2].map((req) => t.sent.filter((s) => s.req === req).length);
      const tallied = [0, 1, 2].map((req) => t.slices.reduce((a, s) => a + (s.byRequest?.[req]?.sent ?? 0), 0));
      const answered = [0, 1, 2].map((req) => t.slices.reduce((a, s) => a + (s.byRequest?.[req]?.ok ?? 0), 0));
      expect(tallied).toEqual(perRequest);
      expect(answered).toEqual(perRequest);
    });
  }
});
