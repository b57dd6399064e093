// Pure: the coarse ramp and the plan's size, from the load and detect settings.
import type { Scenario } from '../scenario/schema.js';
import { concurrencyRampLoads } from './concurrency-ramp.js';

export type Growth = { factor: number } | { step: number };

/** Coarse ramp loads after the baseline load: start*factor^i (or start+i*step) while below end, then end itself. */
export function rampLoads(start: number, end: number, growth: Growth): number[] {
  const loads: number[] = [];
  let load = start;
  for (let i = 0; i < 10_000; i++) {
    load = 'factor' in growth ? load * growth.factor : load + growth.step;
    // Rounding may carry a load just below end above it (1007 -> 1010 with end 1009): end is the cap.
    if (load >= end * (1 - 1e-9) || roundLoad(load) >= end) {
      if (loads.length === 0 || (loads[loads.length - 1] as number) < end) {
        if (end > start) loads.push(end);
      }
      break;
    }
    loads.push(roundLoad(load));
  }
  return loads;
}

/** Loads are shown to people: keep 3 significant digits above 100, integers below. */
export function roundLoad(load: number): number {
  if (load >= 1000) return Math.round(load / 10) * 10;
  if (load >= 100) return Math.round(load);
  return Math.round(load * 10) / 10;
}

/** Windows with fewer than minRequests responses extend until they have them: how long one window really lasts at a load. */
export function effectiveWindowMs(rate: number, windowMs: number, minRequests: number): number {
  const perWindow = (rate * windowMs) / 1000;
  if (perWindow >= minRequests) return windowMs;
  return Math.ceil(minRequests / Math.max(perWindow, 1e-9)) * windowMs;
}

export interface PlanSummary {
  baselineLoad: number;
  baselineMs: number;
  rampLoads: number[];
  stepMs: number;
  refineStepMs: number;
  /** Warm-up + baseline + every coarse step + drains: the least a run without refinement can take. */
  coarseMs: number;
  /** coarseMs plus the most refinement steps. */
  worstCaseMs: number;
  /** Requests the coarse plan sends (null in concurrency mode: a closed loop sends what the target answers). */
  coarseRequests: number | null;
  /** coarseRequests plus every refinement step at its highest possible load (load.end); null in concurrency mode. */
  worstCaseRequests: number | null;
  refineSteps: number;
}

/** Bisection steps needed to go from the coarse gap (growth) down to the resolution. */
export function refineStepsNeeded(growth: Growth, start: number, resolution: number, maxSteps: number): number {
  if (resolution <= 0) return 0;
  let gap = 'factor' in growth ? growth.factor - 1 : growth.step / start;
  let n = 0;
  while (gap > resolution && n < maxSteps) {
    gap /= 2;
    n++;
  }
  return n;
}

/** Coarse ramp loads of either mode (connections are whole numbers). */
export function planLoads(load: Scenario['load']): number[] {
  return load.mode === 'concurrency' ? concurrencyRampLoads(load.start, load.end, load.growth) : rampLoads(load.start, load.end, load.growth);
}

/** Planned baseline window: a closed loop's rate is unknown before it runs, so its windows are planned at detect.window. */
export function baselineWindowMs(s: Scenario): number {
  return s.load.mode === 'concurrency' ? s.detect.window : effectiveWindowMs(s.load.start, s.detect.window, s.detect.minRequests);
}

export function summarizePlan(s: Scenario): PlanSummary {
  const { load } = s;
  const baselineMs = load.warmup + load.baselineWindows * baselineWindowMs(s);
  const ramp = planLoads(load);
  const refineStepMs = load.refine.stepDuration ?? load.stepDuration;
  const refineSteps = refineStepsNeeded(load.growth, load.start, load.refine.resolution, load.refine.maxSteps);
  const coarseMs = baselineMs + ramp.length * (load.stepDuration + load.drain);
  // detect.recheck may repeat the first breaching coarse step once (at most the highest coarse load).
  const recheck = s.detect.recheck ? 1 : 0;
  const worstCaseMs = coarseMs + recheck * (load.stepDuration + load.drain) + refineSteps * (refineStepMs + load.drain);
  const coarseRequests = (load.start * baselineMs) / 1000 + ramp.reduce((a, l) => a + (l * load.stepDuration) / 1000, 0);
  const worstCaseRequests = coarseRequests + (recheck * load.end * load.stepDuration) / 1000 + (refineSteps * load.end * refineStepMs) / 1000;
  const closed = load.mode === 'concurrency';
  return {
    baselineLoad: load.start,
    baselineMs,
    rampLoads: ramp,
    stepMs: load.stepDuration,
    refineStepMs,
    coarseMs,
    worstCaseMs,
    coarseRequests: closed ? null : Math.round(coarseRequests),
    worstCaseRequests: closed ? null : Math.round(worstCaseRequests),
    refineSteps,
  };
}
