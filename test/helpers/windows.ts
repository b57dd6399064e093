import type { WindowStats } from '../../src/types.js';

let idx = 0;
/** A synthetic window: healthy defaults at the given offered load, overridden per case. */
export function win(over: Partial<WindowStats> = {}): WindowStats {
  const offered = over.offered ?? 500;
  return {
    index: idx++,
    stepIndex: 0,
    phase: 'ramp',
    warmup: false,
    tStart: 0,
    tEnd: 1000,
    offered,
    scheduled: offered,
    sent: offered,
    completed: offered,
    errors: {},
    errorTotal: 0,
    errorRate: 0,
    sendRate: offered,
    achievedRate: offered,
    p50: 5,
    p90: 8,
    p99: 10,
    max: 12,
    mean: 5.5,
    // No send lag by default: the p99 signal reads p99 net of it (tests of the lag set it).
    sendLagP99: 0,
    maxInFlight: 5,
    capHits: 0,
    sparse: false,
    runtime: {},
    ...over,
  };
}
