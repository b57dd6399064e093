// Pure: critpoint's load plan as k6 `ramping-arrival-rate` stages. Each step
// is a jump (a 0s stage) to its rate and a hold for its duration; the drain
// between steps is a hold at rate 0. The baseline step carries the warm-up.
// Refinement cannot be planned ahead: an exported script runs the coarse
// ramp, and `critpoint analyze` names the critical point at that resolution.
import type { StepPlan } from '../../types.js';
import type { Scenario } from '../../scenario/schema.js';
import { effectiveWindowMs, rampLoads } from '../../load/ramp-plan.js';

/** A step of the plan with its place on the script's clock (ms from the scenario start). */
export interface PlannedStep extends StepPlan {
  startMs: number;
  /** startMs + warmupMs + durationMs */
  endMs: number;
}

export interface K6Stage {
  target: number;
  duration: string;
}

export interface K6Plan {
  steps: PlannedStep[];
  drainMs: number;
  /** k6 rates are integers per timeUnit: '1s' when every load is whole, else '1m'. */
  timeUnit: '1s' | '1m';
  startRate: number;
  stages: K6Stage[];
  /** Length of the whole schedule, ms. */
  totalMs: number;
}

/** k6 duration text: whole seconds as "5s", anything else in ms. */
export function k6Duration(ms: number): string {
  const r = Math.round(ms);
  return r % 1000 === 0 ? `${r / 1000}s` : `${r}ms`;
}

/** The baseline and coarse ramp steps of a scenario, as the runner plans them. */
export function plannedSteps(s: Scenario): StepPlan[] {
  const { load, detect } = s;
  const baseMs = load.baselineWindows * effectiveWindowMs(load.start, detect.window, detect.minRequests);
  const steps: StepPlan[] = [{ index: 0, phase: 'baseline', load: load.start, unit: 'req/s', durationMs: baseMs, warmupMs: load.warmup }];
  for (const l of rampLoads(load.start, load.end, load.growth)) {
    steps.push({ index: steps.length, phase: 'ramp', load: l, unit: 'req/s', durationMs: load.stepDuration, warmupMs: 0 });
  }
  return steps;
}

export function k6Plan(steps: StepPlan[], drainMs: number): K6Plan {
  if (steps.length === 0) throw new Error('a k6 plan needs at least one step');
  const whole = steps.every((st) => Number.isInteger(st.load));
  const timeUnit = whole ? '1s' : '1m';
  const target = (load: number) => (whole ? load : Math.round(load * 60));
  const planned: PlannedStep[] = [];
  const stages: K6Stage[] = [];
  let t = 0;
  steps.forEach((st, i) => {
    if (i > 0) {
      if (drainMs > 0) {
        stages.push({ target: 0, duration: '0s' }, { target: 0, duration: k6Duration(drainMs) });
        t += drainMs;
      }
      stages.push({ target: target(st.load), duration: '0s' });
    }
    const len = st.warmupMs + st.durationMs;
    stages.push({ target: target(st.load), duration: k6Duration(len) });
    planned.push({ ...st, startMs: t, endMs: t + len });
    t += len;
  });
  return { steps: planned, drainMs, timeUnit, startRate: target(steps[0]!.load), stages, totalMs: t };
}

/** The plan `critpoint export k6` writes for a scenario. */
export function scenarioK6Plan(s: Scenario): K6Plan {
  return k6Plan(plannedSteps(s), s.load.drain);
}

/** VUs to pre-allocate: room for ~100 ms of latency at the highest rate (Little's law), within maxVUs. */
export function preAllocatedVUs(maxLoad: number, maxVUs: number): number {
  return Math.min(maxVUs, Math.ceil(maxLoad * 0.1) + 10);
}
