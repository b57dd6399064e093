// Pure: closed-loop (concurrency) steps are whole connection counts. The
// coarse ramp follows the same growth as a rate ramp (geometric or linear,
// ending at end), rounded to integers without repeats; refinement bisects
// on integers.
import type { LoadUnit } from '../types.js';
import type { Growth } from './ramp-plan.js';
import { nextMidpoint } from './bisection.js';

export type LoadMode = 'rate' | 'concurrency';

export function unitOf(mode: LoadMode): LoadUnit {
  return mode === 'concurrency' ? 'connections' : 'req/s';
}

/** The load's unit in sentences (plan, stop details): a gRPC rate is in calls/s. Data keep unitOf's LoadUnit. */
export function unitWords(mode: LoadMode, grpc: boolean): string {
  return mode === 'rate' && grpc ? 'calls/s' : unitOf(mode);
}

/** Coarse ramp after the baseline step: whole, strictly increasing connection counts above start, ending at end. */
export function concurrencyRampLoads(start: number, end: number, growth: Growth): number[] {
  const out: number[] = [];
  let load = start;
  for (let i = 0; i < 10_000 && load < end; i++) {
    load = 'factor' in growth ? load * growth.factor : load + growth.step;
    const n = Math.min(end, Math.round(load));
    if (n > start && n > (out[out.length - 1] ?? -Infinity)) out.push(n);
  }
  if (end > start && out[out.length - 1] !== end) out.push(end);
  return out;
}

/** The next whole load strictly between lastPass and firstBreach, or null when there is none or the gap is within the resolution. */
export function concurrencyMidpoint(lastPass: number, firstBreach: number, resolution: number): number | null {
  const mid = nextMidpoint(lastPass, firstBreach, resolution);
  if (mid === null) return null;
  const n = Math.round(mid);
  return n > lastPass && n < firstBreach ? n : null;
}
