// The recorder's time-averaged in-flight count (for the Little's-law check),
// on a hand-driven clock.
import { describe, expect, it } from 'vitest';
import { StepRecorder } from '../../src/engines/step-recorder.js';
import type { WindowStats } from '../../src/types.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';

function recorder(busy?: () => number) {
  let t = 0;
  const windows: WindowStats[] = [];
  let i = 0;
  const r = new StepRecorder({
    step: { index: 0, phase: 'ramp', load: 4, unit: 'connections', durationMs: 2000, warmupMs: 0, maxRequests: Infinity },
    windowMs: 1000,
    minRequests: 1,
    now: () => t,
    onWindow: (w) => windows.push(w),
    nextWindowIndex: () => i++,
    liveness: ignoreLiveness,
    tickMs: 60_000,
    busy,
  });
  return { r, windows, at: (ms: number) => (t = ms), now: () => t };
}

describe('StepRecorder meanInFlight', () => {
  it('2 requests in flight for the first half of a window, 1 for the second: 1.5', () => {
    const { r, windows, at, now } = recorder();
    r.sent(0, now());
    r.sent(0, now());
    at(500);
    r.response(500, true, now());
    at(1000);
    r.tick();
    expect(windows).toHaveLength(1);
    expect(windows[0]!.meanInFlight).toBeCloseTo(1.5, 9);
    at(1500);
    r.response(1500, true, now());
    at(2000);
    r.tick();
    expect(windows[1]!.meanInFlight).toBeCloseTo(0.5, 9);
    r.finish(false);
  });
  it('abandoned requests leave flight without counting as responses or errors', () => {
    const { r, windows, at, now } = recorder();
    r.sent(0, now());
    r.sent(0, now());
    r.sent(0, now());
    at(250);
    r.abandoned(2, now());
    at(500);
    r.response(500, true, now());
    at(1000);
    r.tick();
    // 3 x 250 ms + 1 x 250 ms over 1000 ms
    expect(windows[0]!.meanInFlight).toBeCloseTo(1, 9);
    expect(windows[0]!.completed).toBe(1);
    expect(windows[0]!.errorTotal).toBe(0);
    expect(r.currentInFlight).toBe(0);
    r.finish(false);
  });
  it('generatorBusy is read once per window when the engine supplies it, absent otherwise', () => {
    let calls = 0;
    const a = recorder(() => (++calls === 1 ? 0.25 : 0.75));
    a.r.sent(0, a.now());
    a.r.response(1, true, a.now());
    a.at(1000);
    a.r.tick();
    expect(a.windows[0]!.generatorBusy).toBe(0.25);
    a.r.finish(false);
    const b = recorder();
    b.r.sent(0, b.now());
    b.r.response(1, true, b.now());
    b.at(1000);
    b.r.tick();
    expect('generatorBusy' in b.windows[0]!).toBe(false);
    b.r.finish(false);
  });
});
