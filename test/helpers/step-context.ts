// The StepContext of an engine driven outside a run (engine tests): a clock from now, no watchdog
// listening (ignoreLiveness), windows collected by the caller from StepStats.windows rather than as
// they close, window indices counted from 0. `over` replaces any of it (an abort signal, a clock).
import { performance } from 'node:perf_hooks';
import type { StepContext } from '../../src/types.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';

export function standaloneStepContext(over: Partial<StepContext> = {}): StepContext {
  const t0 = performance.now();
  let i = 0;
  return {
    now: () => performance.now() - t0,
    signal: new AbortController().signal,
    liveness: ignoreLiveness,
    onWindow: () => undefined,
    nextWindowIndex: () => i++,
    ...over,
  };
}
