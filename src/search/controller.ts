// Pure: the whole search as a state machine (docs/method.md section 5). It
// proposes a step, takes the judged step back (search/step-judge.ts) and
// answers the next step or the stop with its reason and critical point. No
// I/O, no timers, nothing it is given is changed: the live runner drives it
// with an engine, the k6-output analyzer with windows read from files, the
// tests with tables of windows.
//   baseline    learn the band at load.start, judge it (baseline-judge.ts);
//               a baseline where the generator fell behind is repeated;
//   ramp        coarse steps until the first confirmed breach; a p99-only
//               breach is repeated once (detect.recheck) and counts only
//               when it comes back;
//   refine      bisect between the last pass and the first breach until the
//               gap is within load.refine.resolution or its steps are spent;
//   every step  a step where the generator fell behind is repeated
//               (detect.generator.retries) before the run stops
//               generator-limited; a dead target stops the run;
//   caps        no step above load.maxRate is proposed; each step gets what
//               is left of load.maxRequests; a cap that ends the run after a
//               confirmed breach leaves the critical point at coarse
//               resolution, before one it names none.
import type { Baseline, CriticalPoint, LoadUnit, Phase, SignalBreach, Step, StepResult, StopReason } from '../types.js';
import type { Scenario } from '../scenario/schema.js';
import type { DetectConfig } from '../detector/signals.js';
import { learnBaseline } from '../detector/baseline.js';
import { baselineWindowMs, planLoads, roundLoad } from '../load/ramp-plan.js';
import { gap, nextMidpoint } from '../load/bisection.js';
import { concurrencyMidpoint, unitOf, unitWords } from '../load/concurrency-ramp.js';
import { detectConfig } from './detect-config.js';
import { judgeBaseline } from './baseline-judge.js';
import { StepJudge, type JudgedStep } from './step-judge.js';

/** Interrupt reasons the run's caps use (anything else is an outside stop: a signal name). */
export const CAP_ABORT = { duration: 'max-duration', requests: 'max-requests' } as const;

export interface SearchOptions {
  /**
   * After the fact (k6 output): only the steps that were run exist, so no
   * step is repeated (generator retry, recheck) and nothing is refined.
   */
  replay?: boolean;
  /**
   * Most requests the request source can schedule (data.onEnd stop: one per
   * data row). When it binds before load.maxRequests, using it up ends the run
   * `completed` (a breach found before stays the critical point).
   */
  sendLimit?: number;
}

export interface StepProposal {
  kind: 'step';
  step: Step;
  /** False for the baseline: its windows are collected, not judged against a band. */
  evaluate: boolean;
  /** A p99-only breach of this step will be repeated (detect.recheck) before it counts. */
  recheckPending: boolean;
}

export interface SearchStop {
  kind: 'stop';
  reason: StopReason;
  /** One sentence: why the run stopped. */
  detail: string;
  /** The outside signal that interrupted the run (SIGINT, SIGTERM). */
  signal?: string;
  criticalPoint: CriticalPoint | null;
  /** Highest load that passed, even when no critical point can be named. */
  lastPass: number | null;
}

export type Proposal = StepProposal | SearchStop;

/** A p99-only breach of a step proposed with recheckPending is repeated before it counts: latency alone is that noisy. */
export function willRecheck(p: Pick<StepProposal, 'recheckPending'>, breaches: readonly SignalBreach[]): boolean {
  return p.recheckPending && breaches.length > 0 && breaches.every((b) => b.signal === 'p99');
}

type State = 'idle' | 'baseline' | 'ramp' | 'refine' | 'done';

export class SearchController {
  readonly cfg: DetectConfig;
  readonly unit: LoadUnit;
  /** The unit in stop details ('calls/s' for a gRPC rate). */
  private readonly words: string;
  private readonly closedLoop: boolean;
  private readonly loads: number[];
  private readonly retries: number;
  private readonly recheck: boolean;
  private readonly refineSteps: number;
  private readonly maxRate: number;

  private state: State = 'idle';
  private current: StepProposal | null = null;
  private final: SearchStop | null = null;
  private readonly filed: StepResult[] = [];
  private readonly notes: string[] = [];
  private learned: Baseline | null = null;
  private lastPass: number | null = null;
  private lastPassStep: StepResult | null = null;
  private firstBreach: { load: number; breaches: SignalBreach[] } | null = null;
  /** Repeats of the current proposal because the generator fell behind. */
  private attempt = 0;
  /** The coarse load being rechecked, with the breach that asked for it. */
  private rechecking: { load: number; breaches: SignalBreach[] } | null = null;
  private rampIndex = -1;
  private refined = 0;
  private used = 0;

  constructor(
    private readonly s: Scenario,
    private readonly opts: SearchOptions = {},
  ) {
    this.cfg = detectConfig(s);
    this.unit = unitOf(s.load.mode);
    this.words = unitWords(s.load.mode, s.grpc !== undefined);
    this.closedLoop = s.load.mode === 'concurrency';
    this.loads = planLoads(s.load);
    this.retries = opts.replay ? 0 : s.detect.generator.retries;
    this.recheck = !opts.replay && s.detect.recheck;
    // resolution 0 = no refinement
    this.refineSteps = opts.replay || !(s.load.refine.resolution > 0) ? 0 : s.load.refine.maxSteps;
    this.maxRate = s.load.maxRate ?? s.load.end;
  }

  /** Most requests the run may schedule: load.maxRequests, or the data rows when fewer. */
  private get requestCap(): number {
    return Math.min(this.s.load.maxRequests, this.opts.sendLimit ?? Infinity);
  }

  /** The data rows (data.onEnd stop), not load.maxRequests, bound the run. */
  private get dataBinds(): boolean {
    return (this.opts.sendLimit ?? Infinity) < this.s.load.maxRequests;
  }

  /** Every step filed so far, in order, with the outcome the search gave it. */
  get steps(): readonly StepResult[] {
    return this.filed;
  }

  get warnings(): readonly string[] {
    return this.notes;
  }

  /** The band learned at the baseline (null before it, and while a lagging baseline is repeated). */
  get baseline(): Baseline | null {
    return this.learned;
  }

  /** Requests scheduled so far, counted from the judged steps' windows. */
  get requestsUsed(): number {
    return this.used;
  }

  get stopped(): SearchStop | null {
    return this.final;
  }

  /** The first proposal: the baseline step. */
  start(): Proposal {
    if (this.state !== 'idle') throw new Error('the search has started already');
    this.state = 'baseline';
    const { load } = this.s;
    return this.propose(
      { phase: 'baseline', load: load.start, durationMs: load.baselineWindows * baselineWindowMs(this.s), warmupMs: load.warmup },
      false,
      false,
    );
  }

  /** The judge for a proposed step, bound to the band and the plateau's reference step. */
  judge(p: StepProposal): StepJudge {
    return this.judgeFor(p.step, p.evaluate);
  }

  /** A judge for any step (the analyzer judges steps k6 ran past the decision with it: reported, never filed). */
  judgeFor(step: Step, evaluate = true): StepJudge {
    return new StepJudge(step, evaluate, {
      cfg: this.cfg,
      baseline: this.learned,
      reference: this.closedLoop ? this.lastPassStep : null,
      plateau: this.s.detect.plateau,
    });
  }

  /**
   * Takes the judged step of the current proposal back. `interrupt`: the run
   * was stopped from outside while it ran (a cap's CAP_ABORT reason, or a
   * signal name).
   */
  next(judged: JudgedStep, interrupt?: string): Proposal {
    const p = this.current;
    if (!p || this.final) throw new Error('no step was proposed');
    if (judged.step.index !== p.step.index) throw new Error(`judged step ${judged.step.index} is not the proposed step ${p.step.index}`);
    this.current = null;
    this.used += judged.scheduled;
    const why = interrupt ?? (this.used >= this.requestCap && !this.opts.replay ? CAP_ABORT.requests : undefined);
    return this.state === 'baseline' ? this.afterBaseline(judged, why) : this.afterStep(p, judged, why);
  }

  /** The run was stopped between steps (a cap's CAP_ABORT reason, or a signal name). */
  interrupt(why: string): SearchStop {
    if (this.final) return this.final;
    this.current = null;
    if (why === CAP_ABORT.requests && this.dataBinds) {
      const detail = `every row of data.file was used (data.onEnd stop: ${this.opts.sendLimit} rows, one per request)`;
      if (this.firstBreach && this.lastPass !== null) {
        this.notes.push('data.onEnd stop ended refinement early: resolution is coarser than load.refine.resolution');
        return this.stop('breach', `${detail} during refinement; critical point at coarse resolution`);
      }
      return this.stop('completed', `${detail} before the ramp ended: no breach up to the last step`);
    }
    if (why === CAP_ABORT.duration || why === CAP_ABORT.requests) {
      const cap = why === CAP_ABORT.duration ? 'load.maxDuration' : 'load.maxRequests';
      const detail =
        why === CAP_ABORT.requests
          ? `load.maxRequests (${this.s.load.maxRequests}) reached after ${this.used} scheduled requests`
          : `load.maxDuration (${this.s.load.maxDuration} ms) reached`;
      if (this.firstBreach && this.lastPass !== null) {
        this.notes.push(`${cap} ended refinement early: resolution is coarser than load.refine.resolution`);
        return this.stop('breach', `${detail} during refinement; critical point at coarse resolution`);
      }
      return this.stop('error', `${detail} before the ramp ended`);
    }
    return this.stop('interrupted', `interrupted by ${why}`, why);
  }

  /** The run cannot go on for a reason the measuring side found (target unreachable at the preflight, an engine's end, an error). */
  fail(reason: StopReason, detail: string): SearchStop {
    if (this.final) return this.final;
    this.current = null;
    return this.stop(reason, detail);
  }

  private propose(s: { phase: Phase; load: number; durationMs: number; warmupMs: number }, evaluate: boolean, recheckPending: boolean): Proposal {
    const index = this.filed.length;
    if (!(s.load <= this.maxRate)) {
      return this.stop('error', `step ${index} would offer ${s.load} ${this.words}, above the cap load.maxRate (${this.maxRate}); refused before sending`);
    }
    const step: Step = {
      index,
      phase: s.phase,
      load: s.load,
      unit: this.unit,
      durationMs: s.durationMs,
      warmupMs: s.warmupMs,
      maxRequests: this.opts.replay ? Infinity : Math.max(0, this.requestCap - this.used),
    };
    this.current = { kind: 'step', step, evaluate, recheckPending };
    return this.current;
  }

  /** The same step once more (generator retry, recheck). */
  private repeat(p: StepProposal, recheckPending: boolean): Proposal {
    const { phase, load, durationMs, warmupMs } = p.step;
    return this.propose({ phase, load, durationMs, warmupMs }, p.evaluate, recheckPending);
  }

  private file(result: StepResult): StepResult {
    this.filed.push(result);
    return result;
  }

  private stop(reason: StopReason, detail: string, signal?: string): SearchStop {
    const fb = this.firstBreach;
    const lp = this.lastPass;
    const criticalPoint: CriticalPoint | null =
      reason === 'breach' && fb && lp !== null
        ? { value: lp, unit: this.unit, lastPass: lp, firstBreach: fb.load, resolution: gap(lp, fb.load), signals: fb.breaches }
        : null;
    this.state = 'done';
    this.final = { kind: 'stop', reason, detail, ...(signal !== undefined ? { signal } : {}), criticalPoint, lastPass: lp };
    return this.final;
  }

  private afterBaseline(judged: JudgedStep, interrupt: string | undefined): Proposal {
    const start = `${this.s.load.start} ${this.words}`;
    if (judged.unreachable) {
      this.file(judged.result);
      return this.stop('target-unreachable', `target stopped answering during the baseline: ${judged.unreachable}`);
    }
    if (interrupt) {
      this.file(judged.result);
      return this.interrupt(interrupt);
    }
    const windows = [...judged.windows];
    this.learned = learnBaseline(windows, this.cfg, this.s.load.start, this.unit);
    const check = judgeBaseline(windows, judged.result.stats, this.learned, this.cfg, {
      start,
      minRequests: this.s.detect.minRequests,
      baselineWindows: this.s.load.baselineWindows,
    });
    if (check.stop?.reason === 'generator-limited' && this.attempt < this.retries) {
      this.file({ ...judged.result, outcome: 'generator-limited' });
      this.attempt++;
      this.notes.push(`${check.stop.detail}: baseline repeated (${this.attempt} of detect.generator.retries ${this.retries})`);
      // The drain before the repeat waits on no band learned from a lagging attempt.
      this.learned = null;
      const { load } = this.s;
      return this.propose(
        { phase: 'baseline', load: load.start, durationMs: load.baselineWindows * baselineWindowMs(this.s), warmupMs: load.warmup },
        false,
        false,
      );
    }
    this.notes.push(...check.warnings);
    if (check.stop) {
      const { reason, detail } = check.stop;
      // A baseline with errors (or a shortfall) over the limit is never filed as a pass.
      if (reason === 'generator-limited') this.file({ ...judged.result, outcome: 'generator-limited' });
      else if (check.breaches.length > 0) this.file({ ...judged.result, outcome: 'breach', breaches: check.breaches });
      else this.file(judged.result);
      if (reason === 'breach') this.firstBreach = { load: this.s.load.start, breaches: check.breaches };
      return this.stop(reason, detail);
    }
    const result = this.file(judged.result);
    this.attempt = 0;
    this.lastPass = this.s.load.start;
    this.lastPassStep = result;
    this.state = 'ramp';
    return this.nextRamp();
  }

  private afterStep(p: StepProposal, judged: JudgedStep, interrupt: string | undefined): Proposal {
    const result = this.file(judged.result);
    const { load } = p.step;
    if (judged.unreachable) return this.stop('target-unreachable', `target stopped answering at ${load} ${this.words}: ${judged.unreachable}`);
    if (result.outcome === 'generator-limited') {
      if (this.attempt < this.retries) {
        // On a shared machine the generator falling behind is often a passing hiccup (another process took
        // the CPU): the step is repeated; the attempt stays in the step table as generator-limited.
        this.attempt++;
        this.notes.push(
          `the generator fell behind at ${load} ${this.words} (${judged.generatorDetail}): step ${result.index} repeated (${this.attempt} of detect.generator.retries ${this.retries})`,
        );
        if (interrupt) return this.interrupt(interrupt);
        return this.repeat(p, p.recheckPending);
      }
      return this.stop(
        'generator-limited',
        `the load generator could not keep up at ${load} ${this.words} (${judged.generatorDetail}); the target's critical point is above what this machine can offer`,
      );
    }
    this.attempt = 0;
    if (result.outcome === 'breach') {
      if (this.state === 'ramp' && willRecheck(p, result.breaches)) {
        // One noisy second of latency would otherwise set the bracket for the whole search (the refinement
        // never revisits the first breach): the step is repeated; only a breach that comes back counts.
        // Errors, throughput and runtime signals (a goroutine count still rising) are not rechecked.
        if (interrupt) return this.interrupt(interrupt);
        this.rechecking = { load, breaches: result.breaches };
        return this.repeat(p, false);
      }
      this.firstBreach = { load, breaches: result.breaches };
      this.rechecking = null;
      if (this.state === 'ramp') this.state = 'refine';
      return this.nextRefine(interrupt);
    }
    // A pass, or a step the run's stop cut short: only a step that ran is a pass.
    if (interrupt) return this.interrupt(interrupt);
    if (this.rechecking) {
      this.notes.push(
        `the breach at ${load} ${this.words} (${this.rechecking.breaches.map((b) => b.reason).join('; ')}) did not come back when the step was repeated (detect.recheck): taken as noise, the ramp went on`,
      );
      this.rechecking = null;
    }
    this.lastPass = load;
    this.lastPassStep = result;
    return this.state === 'ramp' ? this.nextRamp() : this.nextRefine(undefined);
  }

  private nextRamp(): Proposal {
    this.rampIndex++;
    const load = this.loads[this.rampIndex];
    if (load === undefined) return this.stop('completed', `no breach up to load.end (${this.s.load.end} ${this.words}): the critical point is above the ramp`);
    return this.propose({ phase: 'ramp', load, durationMs: this.s.load.stepDuration, warmupMs: 0 }, true, this.recheck);
  }

  private nextRefine(interrupt: string | undefined): Proposal {
    const fb = this.firstBreach;
    const lp = this.lastPass;
    if (!fb || lp === null) throw new Error('refinement needs a pass and a breach');
    const done = () => this.stop('breach', `critical point ${lp} ${this.words}: ${fb.breaches.map((b) => b.reason).join('; ')} at ${fb.load} ${this.words}`);
    if (this.refined >= this.refineSteps) return done();
    const { resolution } = this.s.load.refine;
    const mid = this.closedLoop ? concurrencyMidpoint(lp, fb.load, resolution) : nextMidpoint(lp, fb.load, resolution);
    if (mid === null) return done();
    const load = this.closedLoop ? mid : roundLoad(mid);
    if (load <= lp || load >= fb.load) return done();
    if (interrupt) return this.interrupt(interrupt);
    this.refined++;
    return this.propose({ phase: 'refine', load, durationMs: this.s.load.refine.stepDuration ?? this.s.load.stepDuration, warmupMs: 0 }, true, false);
  }
}
