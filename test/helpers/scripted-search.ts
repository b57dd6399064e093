// A scripted engine for the search controller: no sockets, no timers. Each
// proposed step gets windows from a shape (load, attempt, window number) ->
// window fields; the step's judge reads them in order and the step ends at
// the judge's first stop, as the live runner ends it. What comes out is the
// trace of proposals, the filed steps and the stop.
import { SearchController, type SearchOptions, type SearchStop, type StepProposal } from '../../src/search/controller.js';
import type { Scenario } from '../../src/scenario/schema.js';
import type { StepResult, StepStats, WindowStats } from '../../src/types.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { win } from './windows.js';

export type Shape = (load: number, attempt: number, i: number, p: StepProposal) => Partial<WindowStats>;

export interface Trace {
  /** [phase, load] of every proposed step, in order. */
  proposed: [string, number][];
  /** [load, outcome] of every filed step after the baseline. */
  ramp: [number, string][];
  steps: readonly StepResult[];
  stop: SearchStop;
  warnings: readonly string[];
  controller: SearchController;
  proposals: StepProposal[];
}

export interface DriveOptions extends SearchOptions {
  /** Interrupt the run with this reason when the step with this proposal number (0 = baseline) returns. */
  interruptAt?: { step: number; why: string };
  /** Interrupt between steps, before the proposal with this number runs. */
  interruptBefore?: { step: number; why: string };
}

/** Defaults of the scripted scenarios: 1 s windows, 10 baseline windows, 5 s steps, growth x1.5. */
export function scriptedScenario(over: { load?: Record<string, unknown>; detect?: Record<string, unknown> } = {}): Scenario {
  return resolveScenario({
    name: 'scripted',
    target: { url: 'http://127.0.0.1:1' },
    load: { start: 400, end: 2000, growth: { factor: 1.5 }, stepDuration: '5s', warmup: '0s', baselineWindows: 10, drain: '0s', ...over.load },
    detect: { window: '1s', minRequests: 50, ...over.detect },
  } as never);
}

function stepStats(p: StepProposal, windows: WindowStats[], aborted: boolean): StepStats {
  const measured = windows.filter((w) => !w.warmup);
  const sum = (f: (w: WindowStats) => number) => measured.reduce((a, w) => a + f(w), 0);
  const n = Math.max(1, measured.length);
  const errors: Record<string, number> = {};
  for (const w of measured) for (const [k, v] of Object.entries(w.errors)) errors[k] = (errors[k] ?? 0) + v;
  const last = measured[measured.length - 1];
  return {
    step: p.step,
    windows,
    sent: sum((w) => w.sent),
    completed: sum((w) => w.completed),
    errors,
    errorTotal: sum((w) => w.errorTotal),
    achievedRate: sum((w) => w.achievedRate) / n,
    p50: sum((w) => w.p50) / n,
    p90: sum((w) => w.p90) / n,
    p99: Math.max(...measured.map((w) => w.p99), 0),
    max: Math.max(...measured.map((w) => w.max), 0),
    mean: sum((w) => w.mean) / n,
    sendLagP99: last?.sendLagP99 ?? 0,
    maxInFlight: Math.max(...measured.map((w) => w.maxInFlight), 0),
    ...(windows.some((w) => w.errorTotal > 0) ? { errorExample: 'HTTP 403 Forbidden' } : {}),
    aborted,
    elapsedMs: windows.length * 1000,
    inFlightAtEnd: 0,
  };
}

/** Runs the whole search on scripted windows. */
export function drive(s: Scenario, shape: Shape, opts: DriveOptions = {}): Trace {
  const controller = new SearchController(s, opts);
  const attempts = new Map<number, number>();
  const proposals: StepProposal[] = [];
  let index = 0;
  let p = controller.start();
  while (p.kind === 'step') {
    if (opts.interruptBefore && opts.interruptBefore.step === proposals.length) {
      p = controller.interrupt(opts.interruptBefore.why);
      break;
    }
    proposals.push(p);
    const attempt = (attempts.get(p.step.load) ?? 0) + 1;
    attempts.set(p.step.load, attempt);
    const judge = controller.judge(p);
    const count = Math.round((p.step.warmupMs + p.step.durationMs) / s.detect.window);
    const windows: WindowStats[] = [];
    let stopped = false;
    for (let i = 0; i < count && !stopped; i++) {
      const t = i * s.detect.window;
      const w = win({
        index: index++,
        stepIndex: p.step.index,
        phase: p.step.phase,
        offered: p.step.load,
        scheduled: p.step.load,
        sent: p.step.load,
        completed: p.step.load,
        sendRate: p.step.load,
        achievedRate: p.step.load,
        tStart: t,
        tEnd: t + s.detect.window,
        p99: 10 + (i % 3) * 0.3,
        ...shape(p.step.load, attempt, i, p),
      });
      windows.push(w);
      stopped = judge.window(w).stop !== null;
    }
    const interrupt = opts.interruptAt && opts.interruptAt.step === proposals.length - 1 ? opts.interruptAt.why : undefined;
    p = controller.next(judge.finish(stepStats(p, windows, stopped || interrupt !== undefined)), interrupt);
  }
  const steps = controller.steps;
  return {
    proposed: proposals.map((x) => [x.step.phase, x.step.load]),
    ramp: steps.filter((st) => st.phase !== 'baseline').map((st) => [st.load, st.outcome]),
    steps,
    stop: p,
    warnings: controller.warnings,
    controller,
    proposals,
  };
}
