// Windows measured on several load threads and merged on the main thread (threads/window-slices.ts)
// equal what one thread records for the same outcomes: the same windows (boundaries, sparse
// extensions, warm-up, tail), the same counts and errors, the same latency percentiles (the
// histograms add bucket by bucket after the encode/decode a thread hop needs), the same in-flight
// figures; the window's send lag is judged per thread too and names the thread that set it.
import { describe, expect, it } from 'vitest';
import { StepRecorder } from '../../src/engines/step-recorder.js';
import { SliceMerger, SliceRecorder, type WireSlice } from '../../src/engines/threads/window-slices.js';
import { seededRandom } from '../../src/stats/seeded-random.js';
import type { Step, WindowStats } from '../../src/types.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';

type Ev =
  | { t: number; kind: 'sent'; id: number; lag: number; thread: number }
  | { t: number; kind: 'response'; id: number; lat: number; ok: boolean; thread: number }
  | { t: number; kind: 'failed'; id: number; thread: number }
  | { t: number; kind: 'cap'; id: number; thread: number };

/** A seeded stream of requests spread over `threads` threads (request i on thread i mod threads), each answered, failed or refused. */
function events(n: number, threads: number, seed: number, slowThread = -1): { evs: Ev[]; end: number } {
  const random = seededRandom(seed);
  const evs: Ev[] = [];
  let end = 0;
  for (let i = 0; i < n; i++) {
    const thread = i % threads;
    const t = i * 1.7 + random() * 0.5;
    const lag = thread === slowThread ? 5 + random() * 20 : random() * 0.8;
    const r = random();
    if (r < 0.02) {
      evs.push({ t, kind: 'cap', id: i, thread });
      continue;
    }
    evs.push({ t, kind: 'sent', id: i, lag, thread });
    const done = t + 0.5 + random() * random() * 60;
    end = Math.max(end, done);
    if (r < 0.05) evs.push({ t: done, kind: 'failed', id: i, thread });
    else evs.push({ t: done, kind: 'response', id: i, lat: done - t + lag, ok: r > 0.08, thread });
  }
  evs.sort((a, b) => a.t - b.t);
  return { evs, end };
}

const step: Step = { index: 3, phase: 'ramp', load: 588, unit: 'req/s', durationMs: 1_000, warmupMs: 230, maxRequests: Infinity };

function recorder(now: () => number, external: boolean, minRequests: number) {
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
  });
  return { r, windows };
}

function compare(threads: number, minRequests: number, seed: number, slowThread = -1) {
  const { evs, end } = events(700, threads, seed, slowThread);
  const sendEnd = Math.max(...evs.filter((e) => e.kind === 'sent').map((e) => e.t));
  let t = 0;
  const now = () => t;
  // One thread sees every event.
  const one = recorder(now, false, minRequests);
  for (const e of evs) {
    if (e.kind === 'sent') {
      one.r.scheduled(e.t);
      one.r.sent(e.lag, e.t);
    } else if (e.kind === 'response') one.r.response(e.lat, e.ok, e.t, e.ok ? undefined : 'http-5xx');
    else if (e.kind === 'failed') one.r.failed('timeout', e.t);
    else {
      one.r.scheduled(e.t);
      one.r.capHit(e.t);
    }
  }
  t = end + 1;
  one.r.sendingStopped(sendEnd);
  const oneStats = one.r.finish(false);

  // The same events on `threads` SliceRecorders, merged; slices arrive in a shuffled order.
  t = 0;
  const many = recorder(now, true, minRequests);
  const grid = { stepStart: 0, warmupEnd: step.warmupMs, windowMs: 100 };
  const wire: WireSlice[] = [];
  const recs = Array.from({ length: threads }, (_, i) => new SliceRecorder(i, grid, (s) => wire.push(JSON.parse(JSON.stringify(s)) as WireSlice)));
  let inFlight = 0;
  for (const e of evs) {
    const rec = recs[e.thread]!;
    if (e.kind === 'sent') {
      rec.scheduled(e.t);
      rec.sent(e.lag, e.t, ++inFlight);
    } else if (e.kind === 'response') {
      inFlight--;
      rec.response(e.lat, e.ok, e.t, e.ok ? undefined : 'http-5xx');
    } else if (e.kind === 'failed') {
      inFlight--;
      rec.failed('timeout', e.t);
    } else {
      rec.scheduled(e.t);
      rec.capHit(e.t);
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
