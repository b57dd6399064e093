import { describe, expect, it } from 'vitest';
import { StepRecorder } from '../../src/engines/step-recorder.js';
import type { Step, WindowStats } from '../../src/types.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';
import { createRequestTally, mergeRequestTally, requestStats } from '../../src/stats/window-builder.js';
import { recordMs } from '../../src/stats/latency-histogram.js';
import { stepAggregatesSchema } from '../../src/result/summary-schema.js';

function recorder(requests: readonly string[] | undefined, step: Partial<Step> = {}) {
  let t = 0;
  let idx = 0;
  const windows: WindowStats[] = [];
  const r = new StepRecorder({
    step: { index: 0, phase: 'ramp', load: 100, unit: 'req/s', durationMs: 2000, warmupMs: 0, maxRequests: Infinity, ...step },
    windowMs: 1000,
    minRequests: 1,
    now: () => t,
    onWindow: (w) => windows.push(w),
    nextWindowIndex: () => idx++,
    liveness: ignoreLiveness,
    tickMs: 1_000_000,
    ...(requests ? { requests } : {}),
  });
  return { r, windows, set: (x: number) => (t = x) };
}

describe('StepRecorder per request', () => {
  it('breaks windows and the step down per request name next to unchanged totals', () => {
    const { r, windows, set } = recorder(['fast', 'slow']);
    // Window 0: 90 fast (1..90 ms... all 2 ms), 10 slow (50 ms), one slow is a 5xx.
    for (let i = 0; i < 100; i++) {
      const req = i % 10 === 9 ? 1 : 0;
      r.sent(0, i, req);
      r.response(req === 1 ? 50 : 2, !(req === 1 && i === 9), i + 1, req === 1 && i === 9 ? 'http-5xx' : undefined, req);
    }
    // Window 1: fast only; one transport failure and one cap refusal for slow.
    r.sent(0, 1100, 0);
    r.response(3, true, 1101, undefined, 0);
    r.sent(0, 1200, 1);
    r.failed('timeout', 1300, 1);
    r.capHit(1400, 1);
    set(2000);
    const stats = r.finish(false);

    const w0 = windows[0]!;
    expect(w0.completed).toBe(100);
    expect(w0.errorTotal).toBe(1);
    expect(Object.keys(w0.byRequest!)).toEqual(['fast', 'slow']);
    const fast0 = w0.byRequest!.fast!;
    const slow0 = w0.byRequest!.slow!;
    expect([fast0.count, fast0.sent, fast0.completed, fast0.errorTotal]).toEqual([90, 90, 90, 0]);
    expect([slow0.count, slow0.sent, slow0.completed, slow0.errorTotal, slow0.errors]).toEqual([10, 10, 10, 1, { 'http-5xx': 1 }]);
    expect(slow0.errorRate).toBeCloseTo(0.1, 9);
    expect(fast0.p99).toBeCloseTo(2, 1);
    expect(slow0.p50).toBeCloseTo(50, 0);
    // Totals: the mix's p99 sits on the slow request's latency.
    expect(w0.p99).toBeCloseTo(50, 0);
    expect(fast0.achievedRate).toBeCloseTo(90, 6);
    expect(slow0.achievedRate).toBeCloseTo(9, 6);

    const slow1 = windows[1]!.byRequest!.slow!;
    expect([slow1.count, slow1.sent, slow1.completed, slow1.errors]).toEqual([2, 1, 0, { timeout: 1, 'in-flight-cap': 1 }]);
    expect(slow1.p99).toBeNaN();
    expect(slow1.errorRate).toBe(1);

    // The step adds the windows up (counts and histograms).
    const s = stats.byRequest!;
    expect([s.fast!.sent, s.fast!.completed, s.slow!.sent, s.slow!.errorTotal, s.slow!.count]).toEqual([91, 91, 11, 3, 12]);
    expect(s.slow!.p50).toBeCloseTo(50, 0);
    expect(s.fast!.sent + s.slow!.sent).toBe(stats.sent);
    expect(s.fast!.errorTotal + s.slow!.errorTotal).toBe(stats.errorTotal);
    // And it round-trips through the one schema (NaN <-> null).
    const json = JSON.parse(JSON.stringify(stepAggregatesSchema.encode({ ...stats })));
    expect(json.byRequest.slow.p99).toBeTypeOf('number');
    expect(stepAggregatesSchema.decode(json).byRequest!.slow!.count).toBe(12);
  });

  it('leaves warm-up windows out of the step breakdown', () => {
    const { r, windows, set } = recorder(['a', 'b'], { warmupMs: 1000 });
    r.sent(0, 10, 1);
    r.response(100, true, 20, undefined, 1);
    r.sent(0, 1010, 0);
    r.response(1, true, 1020, undefined, 0);
    set(2000);
    const stats = r.finish(false);
    expect(windows[0]!.warmup).toBe(true);
    expect(windows[0]!.byRequest!.b!.completed).toBe(1);
    expect(stats.byRequest!.b!.completed).toBe(0);
    expect(stats.byRequest!.a!.completed).toBe(1);
  });

  it('has no breakdown with no request list or a single request (events without an index count as request 0)', () => {
    for (const requests of [undefined, ['only']]) {
      const { r, windows, set } = recorder(requests);
      r.sent(0, 10);
      r.response(1, true, 20);
      set(1000);
      const stats = r.finish(false);
      expect(windows[0]!.byRequest).toBeUndefined();
      expect(stats.byRequest).toBeUndefined();
      expect(stats.completed).toBe(1);
    }
    const { r } = recorder(['a', 'b']);
    r.sent(0, 10);
    expect(() => r.sent(0, 11, 2)).toThrow(/request index 2/);
    r.finish(true);
  });

  it('tallies of the same window merge exactly (worker threads, k6 runners)', () => {
    const a = createRequestTally();
    const b = createRequestTally();
    const both = createRequestTally();
    for (let i = 1; i <= 50; i++) {
      const into = i % 2 ? a : b;
      for (const t of [into, both]) {
        t.sent++;
        t.completed++;
        t.ok++;
        recordMs(t.latency, i);
      }
    }
    b.errors = { 'check-failed': 2 };
    b.errorTotal = 2;
    both.errors = { 'check-failed': 2 };
    both.errorTotal = 2;
    mergeRequestTally(a, b);
    expect(requestStats(a, 1)).toEqual(requestStats(both, 1));
  });
});
