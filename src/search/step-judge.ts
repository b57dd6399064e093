// Pure: the rules that judge ONE step, window by window as the windows come,
// then on its totals when it ends. Whoever measures (the live runner with an
// engine, the k6-output analyzer with windows read from files, a test with a
// table) feeds windows in and reads the verdict out; the judge never stops
// anything itself, it says when the step should be stopped and why.
//   per window: the dead-target rule, the detector's confirmed breach, the
//               generator falling behind, the run's request budget;
//   at the end: the thin step (too few judged windows), the error rate of
//               the whole step (errors spread over windows that never confirm
//               each other), the closed loop's throughput plateau against the
//               last passing step.
import type { Baseline, SignalBreach, Step, StepOutcome, StepResult, StepStats, WindowStats } from '../types.js';
import type { DetectConfig } from '../detector/signals.js';
import { evaluateWindow, newStepState, type StepDetectorState } from '../detector/evaluate.js';
import { judgeThinStep } from '../detector/thin-step.js';
import { judgeStepErrors } from '../detector/step-errors.js';
import { plateauBreach, type PlateauConfig } from '../detector/plateau.js';
import { littlesLaw } from '../stats/littles-law.js';

/** Error kinds that mean no connection could be made or kept: a window with only these and no response is a dead target. */
export const DEAD_TARGET_KINDS = ['connection', 'grpc-UNAVAILABLE'] as const;

/** Consecutive dead windows after which the target is unreachable. */
export const DEAD_WINDOWS = 2;

/** Why a step should stop before its planned end. */
export type StepStop = { kind: 'breach'; breaches: SignalBreach[] } | { kind: 'generator-limited'; detail: string } | { kind: 'unreachable'; detail: string };

export interface WindowCall {
  /** Set once, on the window that decided the step: stop sending now. */
  stop: StepStop | null;
  /** Set once, on the window that spent the step's request budget (Step.maxRequests). */
  budgetSpent: boolean;
}

export interface StepJudgeContext {
  cfg: DetectConfig;
  /** Null for the baseline step: its windows are not judged against a band (the dead-target rule still holds). */
  baseline: Baseline | null;
  /** Closed loop: the last passing step, the plateau rule's reference; null elsewhere. */
  reference: StepResult | null;
  plateau: PlateauConfig;
}

/** A step as the judge hands it back: the result to file, and what the search needs to decide on it. */
export interface JudgedStep {
  step: Step;
  result: StepResult;
  /** Every window of the step, in order, as the judge received them. */
  windows: readonly WindowStats[];
  /** Requests scheduled in the step (its windows summed): what it took from load.maxRequests. */
  scheduled: number;
  generatorDetail: string | null;
  /** Why the target is taken for gone, when it is. */
  unreachable: string | null;
}

export interface FinishOptions {
  /** A breach the measuring side knows of and the windows cannot show (k6 thresholds that aborted the step). */
  externalBreach?: SignalBreach;
}

const dead = (w: WindowStats): { dead: boolean; errors: number } => {
  const errors = DEAD_TARGET_KINDS.reduce((a, k) => a + (w.errors[k] ?? 0), 0);
  return { dead: w.completed === 0 && errors > 0, errors };
};

export class StepJudge {
  private state: StepDetectorState = newStepState();
  private deadRun = 0;
  private decided: StepStop | null = null;
  private scheduledSoFar = 0;
  private spent = false;
  private readonly seen: WindowStats[] = [];

  constructor(
    readonly step: Step,
    /** False for the baseline: windows are collected, not judged. */
    readonly evaluate: boolean,
    private readonly ctx: StepJudgeContext,
  ) {}

  /** The decision so far (null: the step runs on). */
  get stop(): StepStop | null {
    return this.decided;
  }

  get windows(): readonly WindowStats[] {
    return this.seen;
  }

  /** Keeps and counts a window without judging it (one that closed after the step was stopped from outside). */
  record(w: WindowStats): WindowCall {
    this.seen.push(w);
    this.scheduledSoFar += w.scheduled;
    const budgetSpent = !this.spent && this.step.maxRequests !== undefined && this.scheduledSoFar >= this.step.maxRequests;
    if (budgetSpent) this.spent = true;
    return { stop: null, budgetSpent };
  }

  /** Takes the next window of the step. Windows after the decision are kept and counted, not judged. */
  window(w: WindowStats): WindowCall {
    const { budgetSpent } = this.record(w);
    if (this.decided) return { stop: null, budgetSpent };
    const d = dead(w);
    this.deadRun = d.dead ? this.deadRun + 1 : 0;
    if (this.deadRun >= DEAD_WINDOWS) {
      return {
        stop: this.decide({ kind: 'unreachable', detail: `no response in ${this.deadRun} consecutive windows (${d.errors} connection errors in the last)` }),
        budgetSpent,
      };
    }
    if (!this.evaluate || !this.ctx.baseline) return { stop: null, budgetSpent };
    const v = evaluateWindow(this.ctx.baseline, w, this.ctx.cfg, this.state);
    this.state = v.state;
    if (v.confirmed.length > 0) return { stop: this.decide({ kind: 'breach', breaches: v.confirmed }), budgetSpent };
    if (v.generatorLimited) return { stop: this.decide({ kind: 'generator-limited', detail: v.generatorLimited }), budgetSpent };
    return { stop: null, budgetSpent };
  }

  /** The measuring side found the target gone (the live watchdog); true when this decided the step. */
  targetGone(detail: string): boolean {
    if (this.decided) return false;
    this.decide({ kind: 'unreachable', detail });
    return true;
  }

  private decide(s: StepStop): StepStop {
    this.decided = s;
    return s;
  }

  /** The step ended (its engine returned `stats`): the verdict on the whole step. */
  finish(stats: StepStats, opts: FinishOptions = {}): JudgedStep {
    const { cfg } = this.ctx;
    const d = this.decided;
    let outcome: StepOutcome = 'pass';
    let breaches: SignalBreach[] = [];
    if (d?.kind === 'breach') {
      outcome = 'breach';
      breaches = d.breaches;
    } else if (d?.kind === 'generator-limited') outcome = 'generator-limited';
    else if (d?.kind === 'unreachable') outcome = 'aborted';
    else {
      // Too few answers to fill `confirm` windows is not a pass: the step is judged on its totals.
      const thin = this.evaluate && !stats.aborted ? judgeThinStep(this.seen, stats, this.step.load, cfg) : null;
      if (thin) {
        outcome = 'breach';
        breaches = [thin];
      } else if (stats.aborted) outcome = 'aborted';
      else if (this.evaluate) {
        const spread = this.ctx.baseline ? judgeStepErrors(this.seen, this.ctx.baseline, cfg) : null;
        const plateau = spread ? null : this.plateau(stats);
        if (spread ?? plateau) {
          outcome = 'breach';
          breaches = [(spread ?? plateau)!];
        }
      }
    }
    if (opts.externalBreach && outcome !== 'breach' && d?.kind !== 'unreachable') {
      outcome = 'breach';
      breaches = [opts.externalBreach];
    }
    const { windows: _w, step: _s, inFlightAtEnd: _f, ...rest } = stats;
    const st = this.step;
    const result: StepResult = {
      index: st.index,
      phase: st.phase,
      load: st.load,
      unit: st.unit,
      outcome,
      breaches,
      stats: rest,
      windowCount: this.seen.length,
      littlesLaw: littlesLaw(this.seen),
    };
    return {
      step: st,
      result,
      windows: this.seen,
      scheduled: this.scheduledSoFar,
      generatorDetail: d?.kind === 'generator-limited' ? d.detail : null,
      unreachable: d?.kind === 'unreachable' ? d.detail : null,
    };
  }

  /** Closed loop, after a step passed every window: did its throughput stop growing over the last passing step's? */
  private plateau(stats: StepStats): SignalBreach | null {
    const ref = this.ctx.reference;
    if (this.ctx.cfg.loadMode !== 'concurrency' || !ref) return null;
    return plateauBreach(
      { load: ref.load, throughput: ref.stats.achievedRate, meanLatencyMs: ref.stats.mean },
      { load: this.step.load, throughput: stats.achievedRate, meanLatencyMs: stats.mean },
      this.ctx.plateau,
      this.step.unit,
    );
  }
}
