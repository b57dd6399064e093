import { describe, expect, it } from 'vitest';
import { StepRecorder } from '../../src/engines/step-recorder.js';
import type { Step, WindowStats } from '../../src/types.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';

function recorder(step: Partial<Step> = {}, minRequests = 1, start = 0) {
  let t = start;
  let idx = 0;
  const windows: WindowStats[] = [];
  const r = new StepRecorder({
    step: { index: 0, phase: 'ramp', load: 100, unit: 'req/s', durationMs: 3000, warmupMs: 0, maxRequests: Infinity, ...step },
    windowMs: 1000,
    minRequests,
    now: () => t,
    onWindow: (w) => windows.push(w),
    nextWindowIndex: () => idx++,
    liveness: ignoreLiveness,
    tickMs: 1_000_000, // ticks driven by events only in these tests
  });
  /** One request sent at `at`, answered `lat` ms later (events in time order are the caller's job). */
  return {
    r,
    windows,
    set: (x: number) => (t = x),
  };
}

describe('StepRecorder', () => {
  it('never loops on a boundary that float arithmetic puts a hair below itself (non-integer step start)', () => {
    // ((65154.664 + 1000) - 65154.664) / 1000 = 0.9999999999999927 in floating point.
    const start = 65154.664;
    const { r, windows, set } = recorder({ warmupMs: 0 }, 1, start);
    for (let k = 1; k <= 6; k++) {
      const at = start + k * 1000;
      r.sent(0, at);
      r.response(1, true, at);
    }
    set(start + 6500);
    r.finish(false);
    expect(windows.length).toBeGreaterThanOrEqual(6);
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.tStart).toBe(windows[i - 1]!.tEnd);
  });

  it('counts each event in the window it happened in, even when no timer ran at the boundary', () => {
    const { r, windows, set } = recorder();
    r.scheduled(990);
    r.sent(0, 990);
    r.response(5, true, 995);
    r.scheduled(1005);
    r.sent(0, 1005); // past the 1000 ms boundary: window 0 closes first
    r.response(5, true, 1010);
    set(2000);
    const stats = r.finish(false);
    expect(windows.map((w) => [w.tStart, w.tEnd, w.sent, w.completed])).toEqual([
      [0, 1000, 1, 1],
      [1000, 2000, 1, 1],
    ]);
    expect(stats.sent).toBe(2);
  });

  it('latency percentiles come from the window histogram, in ms', () => {
    const { r, windows, set } = recorder();
    for (let i = 1; i <= 100; i++) {
      r.sent(0, i);
      r.response(i, true, i + 1);
    }
    set(1000);
    r.finish(false);
    expect(windows[0]!.p50).toBeCloseTo(50, 0);
    expect(windows[0]!.p99).toBeCloseTo(99, 0);
    expect(windows[0]!.max).toBeCloseTo(100, 0);
  });

  it('extends a window with too few responses to the next boundary', () => {
    const { r, windows, set } = recorder({}, 3);
    r.sent(0, 100);
    r.response(1, true, 200);
    r.sent(0, 1100); // boundary at 1000 passed with 1 response < 3: window goes on
    r.response(1, true, 1200);
    r.sent(0, 1300);
    r.response(1, true, 1400);
    r.sent(0, 2100); // boundary at 2000 with 3 responses: closes
    r.response(1, true, 2150);
    r.sent(0, 2900);
    set(3000);
    r.finish(false);
    expect(windows.map((w) => [w.tStart, w.tEnd, w.completed, w.sparse])).toEqual([
      [0, 2000, 3, false],
      [2000, 3000, 1, true],
    ]);
  });

  it('a send-less tail (completions after the schedule stopped) is its own window, sparse, and the judged window is left as emitted', () => {
    const { r, windows, set } = recorder();
    r.sent(0, 500);
    r.sent(0, 999);
    r.response(3, true, 503);
    set(1000);
    r.tick();
    const judged = structuredClone(windows[0]);
    r.sendingStopped();
    r.response(30, true, 1029); // the second request answers during the drain
    set(1030);
    const stats = r.finish(false);
    expect(windows).toHaveLength(2);
    expect(windows[0]).toEqual(judged); // never rewritten after it was emitted
    expect(windows[0]).toMatchObject({ tStart: 0, tEnd: 1000, sent: 2, completed: 1, sparse: false });
    expect(windows[1]).toMatchObject({ tStart: 1000, tEnd: 1030, sent: 0, completed: 1, sparse: true });
    // Rates of a sliver are per second of at least one window: no spike from 1 response in 30 ms.
    expect(windows[1]!.achievedRate).toBeCloseTo(1, 5);
    expect(windows[1]!.max).toBeCloseTo(30, 0);
    expect(stats.completed).toBe(2);
    expect(stats.sent).toBe(2);
  });

  it('a short tail with a few sends (an abort just after a boundary) is its own sparse window; the step totals hold every request', () => {
    const { r, windows, set } = recorder();
    for (let i = 0; i < 10; i++) {
      r.sent(0, i * 100);
      r.response(2, true, i * 100 + 2);
    }
    r.sent(0, 1010); // one send after the boundary, then the step is aborted
    set(1020);
    r.sendingStopped();
    r.response(2, true, 1012);
    set(1030);
    const stats = r.finish(true);
    expect(windows.map((w) => [w.sent, w.completed, w.sparse])).toEqual([
      [10, 10, false],
      [1, 1, true],
    ]);
    expect(windows[0]!.achievedRate).toBeCloseTo(10, 5);
    expect(stats.sent).toBe(11);
    expect(stats.completed).toBe(11);
  });

  it('warm-up windows are cut at the warm-up end, flagged, and left out of the step totals', () => {
    const { r, windows, set } = recorder({ warmupMs: 1500, durationMs: 1000 });
    r.sent(0, 100);
    r.response(1, true, 101);
    r.sent(0, 1600);
    r.response(1, true, 1601);
    set(2500);
    const stats = r.finish(false);
    expect(windows.map((w) => [w.tStart, w.tEnd, w.warmup])).toEqual([
      [0, 1000, true],
      [1000, 1500, true],
      [1500, 2500, false],
    ]);
    expect(stats.sent).toBe(1);
  });

  it('errors by kind, error rate over attempts, and cap hits', () => {
    const { r, windows, set } = recorder();
    r.sent(0, 1);
    r.response(1, false, 2, 'http-5xx');
    r.sent(0, 3);
    r.failed('timeout', 4);
    r.capHit(5);
    r.sent(0, 6);
    r.response(1, true, 7);
    set(1000);
    r.finish(false);
    expect(windows[0]).toMatchObject({ errors: { 'http-5xx': 1, timeout: 1, 'in-flight-cap': 1 }, errorTotal: 3, capHits: 1 });
    expect(windows[0]!.errorRate).toBeCloseTo(3 / 4, 10);
  });
});
