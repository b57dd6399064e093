// The pacing loop's sendDue hook (PacingOptions.onStart): an engine may send
// what is due from a response's callback. It sends only what is due, never
// early, keeps each send's intended time, and never re-enters a send.
import { describe, expect, it } from 'vitest';
import { runPacing } from '../../src/engines/pacing.js';
import { uniformPacer } from '../../src/load/rate-schedule.js';

describe('runPacing sendDue', () => {
  it('sends what is due when called, not before its time, each intended time once and in order', async () => {
    let t = 0;
    const now = () => t;
    const sends: { intendedAt: number; at: number }[] = [];
    let sendDue: (() => void) | undefined;
    let inSend = false;
    const run = runPacing({
      pacer: uniformPacer(1000), // one send per ms
      startAt: 0,
      durationMs: 10,
      now,
      signal: new AbortController().signal,
      maxRequests: 100,
      onStart: (f) => (sendDue = f),
      send: (intendedAt) => {
        expect(inSend).toBe(false);
        inSend = true;
        sends.push({ intendedAt, at: t });
        sendDue!(); // a re-entrant call (a response in the send's own stack) does nothing
        inSend = false;
      },
    });
    // The loop's first wake-up sent the request due at 0; nothing else is due yet.
    expect(sends.map((s) => s.intendedAt)).toEqual([0]);
    sendDue!();
    expect(sends).toHaveLength(1);
    t = 3.5; // three more are due (1, 2, 3): one call sends them all, with their own intended times
    sendDue!();
    expect(sends.map((s) => s.intendedAt)).toEqual([0, 1, 2, 3]);
    expect(sends.every((s) => s.at >= s.intendedAt)).toBe(true);
    t = 20; // past the schedule's end: the rest goes and the loop finishes
    sendDue!();
    expect(await run).toBe(false);
    expect(sends.map((s) => s.intendedAt)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    sendDue!(); // after the end: nothing
    expect(sends).toHaveLength(10);
  });
});
