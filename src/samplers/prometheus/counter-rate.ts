// Per-second rate of a counter from two consecutive readings. Pure.
import { CounterPrimingError } from '../types.js';

export interface CounterReading {
  value: number;
  /** When it was read, ms on a monotonic clock. */
  t: number;
}

/**
 * (cur - prev) / seconds between them. A decrease is a counter reset: the
 * increase is then cur itself (the counter restarted from 0). Throws
 * CounterPrimingError without a previous reading.
 */
export function counterRate(prev: CounterReading | undefined, cur: CounterReading): number {
  if (prev === undefined) throw new CounterPrimingError();
  const dtMs = cur.t - prev.t;
  if (!(dtMs > 0)) throw new Error('counter: samples too close in time');
  const increase = cur.value >= prev.value ? cur.value - prev.value : cur.value;
  return increase / (dtMs / 1000);
}
