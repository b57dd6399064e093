// The shared open-loop pacing loop, in both of its waiting modes, on the real
// event loop: every request leaves in schedule order, never before its
// intended time, the schedule ends on time, and an abort stops it at once.
// (How late sends leave is a measurement of the machine: bench/paced-engine.)
import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { runPacing, type PacingMode } from '../../src/engines/pacing.js';
import { uniformPacer } from '../../src/load/rate-schedule.js';

const modes: PacingMode[] = ['timer', 'spin'];

function clock() {
  const t0 = performance.now();
  return () => performance.now() - t0;
}

describe.each(modes)('runPacing (%s)', (mode) => {
  it('sends the whole schedule in order, each request at or after its intended time', async () => {
    const now = clock();
    const sends: { intendedAt: number; at: number }[] = [];
    const startAt = now() + 5;
    const aborted = await runPacing({
      pacer: uniformPacer(500),
      startAt,
      durationMs: 200,
      now,
      signal: new AbortController().signal,
      maxRequests: 10_000,
      mode,
      send: (intendedAt) => sends.push({ intendedAt, at: now() }),
    });
    expect(aborted).toBe(false);
    // 500 req/s for 200 ms: offsets 0, 2, ..., 198.
    expect(sends).toHaveLength(100);
    sends.forEach((s, i) => {
      expect(s.intendedAt).toBeCloseTo(startAt + i * 2, 9);
      expect(s.at).toBeGreaterThanOrEqual(s.intendedAt);
    });
    expect(now()).toBeGreaterThanOrEqual(startAt + 198);
  });

  it('stops sending the moment the signal aborts, and says it was aborted', async () => {
    const now = clock();
    const ac = new AbortController();
    let sent = 0;
    let afterAbort = 0;
    setTimeout(() => ac.abort(), 50);
    const aborted = await runPacing({
      pacer: uniformPacer(1000),
      startAt: now(),
      durationMs: 10_000,
      now,
      signal: ac.signal,
      maxRequests: 100_000,
      mode,
      send: () => {
        sent++;
        if (ac.signal.aborted) afterAbort++;
      },
    });
    expect(aborted).toBe(true);
    expect(afterAbort).toBe(0);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(1_000);
    const count = sent;
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toBe(count);
  });

  it('ends at maxRequests', async () => {
    const now = clock();
    let sent = 0;
    const aborted = await runPacing({
      pacer: uniformPacer(2000),
      startAt: now(),
      durationMs: 10_000,
      now,
      signal: new AbortController().signal,
      maxRequests: 25,
      mode,
      send: () => sent++,
    });
    expect(aborted).toBe(false);
    expect(sent).toBe(25);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const now = clock();
    const ac = new AbortController();
    ac.abort();
    let sent = 0;
    const aborted = await runPacing({
      pacer: uniformPacer(1000),
      startAt: now(),
      durationMs: 1_000,
      now,
      signal: ac.signal,
      maxRequests: 100,
      mode,
      send: () => sent++,
    });
    expect(aborted).toBe(true);
    expect(sent).toBe(0);
  });
});
