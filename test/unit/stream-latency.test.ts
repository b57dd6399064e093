// Server-streaming calls give two latency series: the recorder keeps the time
// to the first message apart from the end of the stream, and the detector's
// p99 signal reads whichever the scenario chose.
import { describe, expect, it } from 'vitest';
import { StepRecorder } from '../../src/engines/step-recorder.js';
import { learnBaseline } from '../../src/detector/baseline.js';
import { evaluateWindow, newStepState } from '../../src/detector/evaluate.js';
import type { DetectConfig } from '../../src/detector/signals.js';
import type { Step, WindowStats } from '../../src/types.js';
import { win } from '../helpers/windows.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';

const step: Step = { index: 0, phase: 'ramp', load: 100, unit: 'req/s', durationMs: 1000, warmupMs: 0, maxRequests: Infinity };

function recorder(firstMessage: boolean) {
  let t = 0;
  const windows: WindowStats[] = [];
  let i = 0;
  const r = new StepRecorder({
    step,
    windowMs: 1000,
    minRequests: 1,
    now: () => t,
    onWindow: (w) => windows.push(w),
    nextWindowIndex: () => i++,
    liveness: ignoreLiveness,
    firstMessage,
    tickMs: 60_000,
  });
  return { r, windows, at: (ms: number) => (t = ms) };
}

describe('StepRecorder first-message series', () => {
  it('records time to first message apart from the end-of-stream latency', () => {
    const { r, at } = recorder(true);
    for (let k = 0; k < 100; k++) {
      r.sent(0, 0);
      r.firstMessage(10 + (k % 10)); // 10..19 ms
      r.response(40 + (k % 10), true, 0); // 40..49 ms
    }
    at(1000);
    const stats = r.finish(false);
    const w = stats.windows[0]!;
    expect(w.p50).toBeGreaterThanOrEqual(40);
    expect(w.firstMessage!.p50).toBeGreaterThanOrEqual(10);
    expect(w.firstMessage!.p99).toBeLessThan(20);
    expect(stats.firstMessage!.p99).toBeLessThan(20);
    expect(stats.p99).toBeGreaterThanOrEqual(40);
  });
  it('leaves the field out for unary calls and shows NaN for a stream window without a first message', () => {
    const unary = recorder(false);
    unary.r.sent(0, 0);
    unary.r.response(5, true, 0);
    unary.at(1000);
    const u = unary.r.finish(false);
    expect(u.windows[0]!.firstMessage).toBeUndefined();
    expect(u.firstMessage).toBeUndefined();

    const stream = recorder(true);
    stream.r.sent(0, 0);
    stream.r.failed('grpc-DEADLINE_EXCEEDED', 0);
    stream.at(1000);
    const s = stream.r.finish(false);
    expect(s.windows[0]!.firstMessage!.p99).toBeNaN();
  });
});

describe('detector latency series', () => {
  const base: DetectConfig = {
    k: 3,
    confirm: 2,
    p99: { enabled: true, minRatio: 2, sigmaFloor: 0.02 },
    errors: { enabled: true, maxRate: 0.01 },
    throughput: { enabled: true, minRatio: 0.95 },
    generator: { maxSendLag: 5, minSendRatio: 0.98 },
    arrival: 'uniform',
    runtime: [],
  };
  const first: DetectConfig = { ...base, latencySeries: 'first-message' };
  // Baseline: end of stream ~50 ms, first message ~10 ms.
  const baseWindows = Array.from({ length: 20 }, (_, i) => win({ phase: 'baseline', p99: 50 + (i % 5), firstMessage: { p50: 8, p99: 10 + (i % 5) * 0.2 } }));
  // Under load: the first message slows 4x, the end of the stream only 1.3x.
  const loaded = [win({ p99: 65, firstMessage: { p50: 30, p99: 40 } }), win({ p99: 66, firstMessage: { p50: 31, p99: 42 } })];

  function confirmed(cfg: DetectConfig) {
    const baseline = learnBaseline(baseWindows, cfg, 100, 'req/s');
    let state = newStepState();
    return loaded.flatMap((w) => {
      const v = evaluateWindow(baseline, w, cfg, state);
      state = v.state;
      return v.confirmed;
    });
  }

  it('by default watches the end-of-stream p99 (no breach at 1.3x)', () => {
    expect(confirmed(base)).toEqual([]);
  });
  it('with first-message, watches the time to first message and says so', () => {
    const c = confirmed(first);
    expect(c.map((b) => b.signal)).toEqual(['p99']);
    expect(c[0]!.reason).toMatch(/^p99 \(first message\) 40 ms, 42 ms > threshold/);
    expect(c[0]!.baselineMedian).toBeCloseTo(10.4, 1);
  });
});
