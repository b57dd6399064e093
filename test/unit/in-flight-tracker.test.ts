// InFlightTracker: the engines' bounded wait for what a step still has in flight.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InFlightTracker } from '../../src/engines/in-flight-tracker.js';

describe('InFlightTracker', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('drains at once when nothing is outstanding', async () => {
    const t = new InFlightTracker();
    await expect(t.drain(1_000)).resolves.toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts add and done', () => {
    const t = new InFlightTracker();
    t.add();
    t.add();
    t.add();
    t.done();
    expect(t.pending).toBe(2);
  });

  it('resolves true when the last one settles, before the timeout, and clears its timer', async () => {
    const t = new InFlightTracker();
    t.add();
    t.add();
    let result: boolean | undefined;
    const p = t.drain(1_000).then((r) => (result = r));
    t.done();
    await vi.advanceTimersByTimeAsync(0);
    expect(result).toBeUndefined(); // one still out
    await vi.advanceTimersByTimeAsync(300);
    t.done();
    await p;
    expect(result).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves false after the timeout when some never settle', async () => {
    const t = new InFlightTracker();
    t.add();
    let result: boolean | undefined;
    void t.drain(500).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(499);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe(false);
    expect(t.pending).toBe(1);
    // A late settle after the timeout touches no stale waiter.
    t.done();
    expect(t.pending).toBe(0);
  });

  it('wakes every waiter, and a later drain waits for calls added after the first drain', async () => {
    const t = new InFlightTracker();
    t.add();
    const a = t.drain(1_000);
    const b = t.drain(1_000);
    t.done();
    await expect(Promise.all([a, b])).resolves.toEqual([true, true]);
    t.add();
    let result: boolean | undefined;
    void t.drain(1_000).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(10);
    expect(result).toBeUndefined();
    t.done();
    await vi.advanceTimersByTimeAsync(0);
    expect(result).toBe(true);
  });

  it('never goes below zero on an extra done', async () => {
    const t = new InFlightTracker();
    t.done();
    expect(t.pending).toBe(0);
    t.add();
    t.done();
    t.done();
    expect(t.pending).toBe(0);
    await expect(t.drain(10)).resolves.toBe(true);
  });
});
