// The runner's decisions, taken after the fact on steps k6 already ran: the
// baseline is learned and checked, then each ramp step's windows go through
// the same detector (learnBaseline, checkBaseline, evaluateWindow) in order.
// The first confirmed breach names the critical point at the ramp's
// resolution (no refinement after the fact). Steps k6 ran past it are still
// judged and reported, and do not move the critical point.
import type { Baseline, CriticalPoint, SignalBreach, StepOutcome, StepResult, StepStats, StopReason } from '../../types.js';
import type { Scenario } from '../../scenario/schema.js';
import { detectConfig } from '../../runner/run.js';
import { learnBaseline } from '../../detector/baseline.js';
import { evaluateWindow, newStepState } from '../../detector/evaluate.js';
import { checkBaseline } from '../../runner/baseline-check.js';
import { gap } from '../../load/bisection.js';
import { classifyK6Exit, parseThresholdAbort } from '../k6-exit.js';

export interface K6ExitInfo {
  code: number;
  stderr?: string;
  /** Thresholds the run's --summary-export marks as crossed ("metric: expression"). */
  crossed?: string[];
}

export interface Judgement {
  baseline: Baseline | null;
  steps: StepResult[];
  stop: { reason: StopReason; detail: string };
  criticalPoint: CriticalPoint | null;
  lastPass: number | null;
  warnings: string[];
}

interface StepVerdict {
  outcome: StepOutcome;
  breaches: SignalBreach[];
  detail: string | null;
}

function judgeStep(stats: StepStats, baseline: Baseline, s: Scenario): StepVerdict & { unreachable: string | null } {
  const cfg = detectConfig(s);
  let state = newStepState();
  let dead = 0;
  for (const w of stats.windows) {
    dead = w.completed === 0 && (w.errors.connection ?? 0) > 0 ? dead + 1 : 0;
    if (dead >= 2) return { outcome: 'aborted', breaches: [], detail: null, unreachable: `no response in ${dead} consecutive windows (${w.errors.connection} connection errors in the last)` };
    const v = evaluateWindow(baseline, w, cfg, state);
    state = v.state;
    if (v.confirmed.length > 0) return { outcome: 'breach', breaches: v.confirmed, detail: null, unreachable: null };
    if (v.generatorLimited) return { outcome: 'generator-limited', breaches: [], detail: v.generatorLimited, unreachable: null };
  }
  return { outcome: 'pass', breaches: [], detail: null, unreachable: null };
}

function result(stats: StepStats, v: StepVerdict): StepResult {
  const { windows, step, ...rest } = stats;
  return { index: step.index, phase: step.phase, load: step.load, unit: step.unit, outcome: v.outcome, breaches: v.breaches, stats: rest, windowCount: windows.length };
}

/** `ran`: the steps with data, in plan order; `plannedSteps`: how many the plan has. */
export function judgeSteps(ran: StepStats[], plannedSteps: number, s: Scenario, exit?: K6ExitInfo): Judgement {
  const warnings: string[] = [];
  const steps: StepResult[] = [];
  const cfg = detectConfig(s);
  const base = ran[0];
  if (!base || base.step.phase !== 'baseline') {
    return { baseline: null, steps, stop: { reason: 'error', detail: 'the k6 output has no baseline step (critpoint_step=0)' }, criticalPoint: null, lastPass: null, warnings };
  }
  const baseline = learnBaseline(base.windows, cfg, base.step.load, base.step.unit);
  steps.push(result(base, { outcome: 'pass', breaches: [], detail: null }));
  const check = checkBaseline(base.windows, baseline, cfg, s);
  warnings.push(...check.warnings);
  if (check.stop) return { baseline, steps, stop: check.stop, criticalPoint: null, lastPass: null, warnings };
  let lastPass = base.step.load;
  let first: { load: number; breaches: SignalBreach[] } | null = null;
  let stop: { reason: StopReason; detail: string } | null = null;
  let past = 0;
  for (const st of ran.slice(1)) {
    const v = judgeStep(st, baseline, s);
    steps.push(result(st, v));
    if (stop || first) {
      past++;
      continue;
    }
    if (v.unreachable) stop = { reason: 'target-unreachable', detail: `target stopped answering at ${st.step.load} req/s: ${v.unreachable}` };
    else if (v.outcome === 'generator-limited') stop = { reason: 'generator-limited', detail: `the load generator could not keep up at ${st.step.load} req/s (${v.detail})` };
    else if (v.outcome === 'breach') first = { load: st.step.load, breaches: v.breaches };
    else lastPass = st.step.load;
  }
  if (past > 0) warnings.push(`k6 ran ${past} more step(s) after the decision; they are reported and do not move the critical point`);
  if (stop) return { baseline, steps, stop, criticalPoint: null, lastPass, warnings };
  const complete = ran.length >= plannedSteps;
  if (!first && !complete && exit?.code === 99 && ran.length >= 2) {
    // k6's own threshold (abortOnFail) stopped the test during the last step with data: that step breached.
    const abortedAt = ran[ran.length - 1]!;
    const abort = parseThresholdAbort(exit.stderr ?? '');
    const which = abort ? ` on ${abort.metrics.join(', ')}` : exit.crossed?.length ? ` (${exit.crossed.join('; ')})` : '';
    const reason = `k6 thresholds${which} were crossed (exit 99) during the ${abortedAt.step.load} req/s step`;
    lastPass = ran[ran.length - 2]!.step.load;
    first = { load: abortedAt.step.load, breaches: [{ signal: 'k6-thresholds', values: [], windowIndexes: [], baselineMedian: NaN, sigma: NaN, threshold: NaN, reason }] };
    const judged = steps[steps.length - 1]!;
    judged.outcome = 'breach';
    judged.breaches = first.breaches;
  }
  if (first) {
    warnings.push(`analyze cannot refine after the fact: the resolution is the ramp's step from ${lastPass} to ${first.load} req/s; re-export with load.start/load.end around them and a smaller load.growth to sharpen it`);
    const cp: CriticalPoint = { value: lastPass, unit: 'req/s', lastPass, firstBreach: first.load, resolution: gap(lastPass, first.load), signals: first.breaches };
    return { baseline, steps, stop: { reason: 'breach', detail: `critical point ${lastPass} req/s: ${first.breaches.map((b) => b.reason).join('; ')} at ${first.load} req/s` }, criticalPoint: cp, lastPass, warnings };
  }
  if (complete) return { baseline, steps, stop: { reason: 'completed', detail: `no breach up to the last planned step (${ran[ran.length - 1]!.step.load} req/s): the critical point is above the ramp` }, criticalPoint: null, lastPass, warnings };
  const ends = `the k6 output ends at step ${ran.length - 1} of ${plannedSteps - 1} with no breach`;
  if (!exit) return { baseline, steps, stop: { reason: 'error', detail: `${ends}; pass --k6-exit-code to tell why k6 stopped` }, criticalPoint: null, lastPass, warnings };
  const why = classifyK6Exit({ code: exit.code, stopRequested: false, stderrTail: exit.stderr });
  return { baseline, steps, stop: { reason: why.kind === 'stop' && why.reason ? why.reason : 'error', detail: `${ends}: ${why.detail}` }, criticalPoint: null, lastPass, warnings };
}
