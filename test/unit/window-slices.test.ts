// Windows measured on several load threads and merged on the main thread (threads/window-slices.ts)
// equal what one thread records for the same outcomes: the same windows (boundaries, sparse
// extensions, warm-up, tail), the same counts and errors, the same latency percentiles (the
// histograms add bucket by bucket after the encode/decode a thread hop needs), the same in-flight
// figures; the window's send lag is judged per thread too and names the thread that set it. With a
// request mix the per-request tallies (byRequest of every window and of the step: counts, errors,
// check-failed, latency percentiles) merge to exactly one thread's record too.
import { describe, expect, it } from 'vitest';
import { StepRecorder } from '../../src/engines/step-recorder.js';
import { SliceMerger, SliceRecorder, type WireSlice } from '../../src/engines/threads/window-slices.js';
import { seededRandom } from '../../src/stats/seeded-random.js';
import type { Step, WindowStats } from '../../src/types.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';

type Ev =
  | { t: number; kind: 'sent'; id: number; lag: number; thread: number; req: number }
  | { t: number; kind: 'response'; id: number; lat: number; ok: boolean; thread: number; req: number; why?: string }
  | { t: number; kind: 'failed'; id: number; thread: number; req: number }
  | { t: number; kind: 'cap'; id: number; thread: number; req: number };

/**
 * A seeded stream of requests spread over `threads` threads (request i on thread i mod threads), each answered, failed or refused;
 * with `requests` > 1 each carries a request index (the last one slower), and some of its answers fail their response check.
 */
function events(n: number, threads: number, seed: number, slowThread = -1, requests = 1): { evs: Ev[]; end: number } {
  const random = seededRandom(seed);
  const evs: Ev[] = [];
  let end = 0;
  for (let i = 0; i < n; i++) {
    const thread = i % threads;
    const req = requests > 1 ? Math.floor(random() * requests) : 0;
    const t = i * 1.7 + random() * 0.5;
    const lag = thread === slowThread ? 5 + random() * 20 : random() * 0.8;
    const r = random();
    if (r < 0.02) {
      evs.push({ t, kind: 'cap', id: i, thread, req });
      continue;
    }
    evs.push({ t, kind: 'sent', id: i, lag, thread, req });
    const slow = requests > 1 && req === requests - 1 ? 4 : 1;
    const done = t + 0.5 + random() * random() * 60 * slow;
    end = Math.max(end, done);
    if (r < 0.05) evs.push({ t: done, kind: 'failed', id: i, thread, req });
    else
      evs.push({
        t: done,
        kind: 'response',
        id: i,
        lat: done - t + lag,
        ok: r > 0.08 && !(requests > 1 && r < 0.1),
        thread,
        req,
        ...(requests > 1 && r >= 0.08 && r < 0.1 ? { why: 'check-failed' } : {}),
      });
  }
  evs.sort((a, b) => a.t - b.t);
  return { evs, end };
}

const step: Step = { index: 3, phase: 'ramp', load: 588, unit: 'req/s', durationMs: 1_000, warmupMs: 230, maxRequests: Infinity };

function recorder(now: () => number, external: boolean, minRequests: number, requests = 1, firstMessage = false) {
  const windows: WindowStats[] = [];
  let idx = 0;
  const r = new StepRecorder({
    step,
    windowMs: 100,
    minRequests,
    now,
    onWindow: (w) => windows.push(w),
    nextWindowIndex: () => idx++,
    liveness: ignoreLiveness,
    tickMs: 1_000_000,
    external,
    firstMessage,
    ...(requests > 1 ? { requests: Array.from({ length: requests }, (_, k) => `r${k}`) } : {}),
  });
  return { r, windows };
}

/** first: every answered call is a server stream whose first message came at the midpoint of its latency. */
function compare(threads: number, minRequests: number, seed: number, slowThread = -1, requests = 1, first = false) {
  const { evs, end } = events(700, threads, seed, slowThread, requests);
  const sendEnd = Math.max(...evs.filter((e) => e.kind === 'sent').map((e) => e.t));
  let t = 0;
  const now = () => t;
  // One thread sees every event.
  const one = recorder(now, false, minRequests, requests, first);
  for (const e of evs) {
    if (e.kind === 'sent') {
      one.r.scheduled(e.t);
      one.r.sent(e.lag, e.t, e.req);
    } else if (e.kind === 'response') {
      one.r.response(e.lat, e.ok, e.t, e.ok ? undefined : (e.why ?? 'http-5xx'), e.req);
      if (first) one.r.firstMessage(e.lat / 2);
    } else if (e.kind === 'failed') one.r.failed('timeout', e.t, e.req);
    else {
      one.r.scheduled(e.t);
      one.r.capHit(e.t, e.req);
    }
  }
  t = end + 1;
  one.r.sendingStopped(sendEnd);
  const oneStats = one.r.finish(false);

  // The same events on `threads` SliceRecorders, merged; slices arrive in a shuffled order.
  t = 0;
  const many = recorder(now, true, minRequests, requests, first);
  const grid = { stepStart: 0, warmupEnd: step.warmupMs, windowMs: 100 };
  const wire: WireSlice[] = [];
  const recs = Array.from({ length: threads }, (_, i) => new SliceRecorder(i, grid, (s) => wire.push(structuredClone(s)), requests));
  let inFlight = 0;
  for (const e of evs) {
    const rec = recs[e.thread]!;
    if (e.kind === 'sent') {
      rec.scheduled(e.t);
      rec.sent(e.lag, e.t, ++inFlight, e.req);
    } else if (e.kind === 'response') {
      inFlight--;
      rec.response(e.lat, e.ok, e.t, e.ok ? undefined : (e.why ?? 'http-5xx'), e.req);
      if (first) rec.firstMessage(e.lat / 2, e.t);
    } else if (e.kind === 'failed') {
      inFlight--;
      rec.failed('timeout', e.t, e.req);
    } else {
      rec.scheduled(e.t);
      rec.capHit(e.t, e.req);
    }
  }
  for (const rec of recs) rec.finish(end + 0.5);
  const random = seededRandom(seed + 1);
  const shuffled = wire.map((s) => [random(), s] as const).sort((a, b) => a[0] - b[0]);
  const merger = new SliceMerger(many.r, threads);
  for (const [, s] of shuffled) merger.add(s);
  expect(merger.done).toBe(true);
  t = end + 1;
  many.r.sendingStopped(sendEnd);
  const manyStats = many.r.finish(false);
  return { one: one.windows, many: many.windows, oneStats, manyStats };
}

const same = (w: WindowStats) => ({
  tStart: w.tStart,
  tEnd: w.tEnd,
  warmup: w.warmup,
  sparse: w.sparse,
  scheduled: w.scheduled,
  sent: w.sent,
  completed: w.completed,
  errors: w.errors,
  errorTotal: w.errorTotal,
  capHits: w.capHits,
  p50: w.p50,
  p90: w.p90,
  p99: w.p99,
  max: w.max,
  mean: w.mean,
  maxInFlight: w.maxInFlight,
  sendRate: w.sendRate,
  achievedRate: w.achievedRate,
  firstMessage: w.firstMessage,
});

describe('merged window slices', () => {
  for (const c of [
    { threads: 2, minRequests: 1, seed: 1 },
    { threads: 3, minRequests: 1, seed: 2 },
    { threads: 2, minRequests: 80, seed: 3 },
  ]) {
    it(`${c.threads} threads, minRequests ${c.minRequests}: the same windows, counts and percentiles as one thread`, () => {
      const { one, many, oneStats, manyStats } = compare(c.threads, c.minRequests, c.seed);
      expect(one.length).toBeGreaterThan(5);
      expect(many.map(same)).toEqual(one.map(same));
      many.forEach((w, i) => {
        expect(w.meanInFlight).toBeCloseTo(one[i]!.meanInFlight!, 6);
        // Judged per thread and in total: never below the merged p99.
        expect(w.sendLagP99).toBeGreaterThanOrEqual(one[i]!.sendLagP99);
      });
      const { windows: _a, elapsedMs: _b, ...restMany } = manyStats;
      const { windows: _c, elapsedMs: _d, ...restOne } = oneStats;
      expect(restMany).toEqual(restOne);
    });
  }

  it('a 3-request mix on 2 threads: every window’s and the step’s byRequest (counts, errors, check-failed, percentiles) equal one thread’s', () => {
    const { one, many, oneStats, manyStats } = compare(2, 40, 5, -1, 3);
    expect(one.length).toBeGreaterThan(5);
    expect(many.map(same)).toEqual(one.map(same));
    // Every request has answers, errors and check failures in the record, so the comparison covers them all.
    const step = oneStats.byRequest!;
    expect(Object.keys(step)).toEqual(['r0', 'r1', 'r2']);
    for (const name of ['r0', 'r1', 'r2']) {
      expect(step[name]!.completed).toBeGreaterThan(100);
      expect(step[name]!.errors['check-failed']).toBeGreaterThan(0);
      expect(step[name]!.errors.timeout).toBeGreaterThan(0);
      expect(step[name]!.errors['in-flight-cap']).toBeGreaterThan(0);
    }
    expect(step.r2!.p99).toBeGreaterThan(step.r0!.p99);
    many.forEach((w, i) => {
      expect(w.byRequest).toBeDefined();
      expect(w.byRequest).toEqual(one[i]!.byRequest);
    });
    expect(manyStats.byRequest).toEqual(oneStats.byRequest);
  });

  it('without a mix a slice carries no per-request tallies', () => {
    const wire: WireSlice[] = [];
    const rec = new SliceRecorder(0, { stepStart: 0, warmupEnd: 0, windowMs: 100 }, (s) => wire.push(s));
    rec.scheduled(1);
    rec.sent(0.1, 1, 1);
    rec.response(2, true, 3);
    rec.finish(150);
    expect(wire.length).toBe(2);
    expect(wire.every((s) => s.byRequest === undefined)).toBe(true);
  });

  it('server streams: the merged time to first message equals one thread’s, window by window and for the step', () => {
    const { one, many, oneStats, manyStats } = compare(2, 1, 5, -1, 1, true);
    expect(one.filter((w) => w.firstMessage !== undefined && w.completed > 0).length).toBeGreaterThan(5);
    expect(many.map(same)).toEqual(one.map(same));
    expect(oneStats.firstMessage).toBeDefined();
    expect(manyStats.firstMessage).toEqual(oneStats.firstMessage);
  });

  it('a window names the thread that fell behind, and its send lag is that thread’s', () => {
    const { one, many } = compare(3, 1, 4, 2);
    const measured = many.filter((w) => w.sent > 20);
    expect(measured.length).toBeGreaterThan(5);
    for (const w of measured) {
      expect(w.sendLagThread).toBe(2);
      // The slow thread's lag is 5..25 ms; a third of the sends: the merged p99 is its too, the per-thread p99 at least that.
      expect(w.sendLagP99).toBeGreaterThan(5);
    }
    expect(one.every((w) => w.sendLagThread === undefined)).toBe(true);
  });
});
