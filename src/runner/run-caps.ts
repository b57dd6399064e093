// Runtime side of the run's hard caps. The plan is checked against them before
// any load (scenario/rules.ts); these guards hold while the run goes on, so a
// run can never exceed them whatever the plan check missed:
//   load.maxRate      no step above it is ever started;
//   load.maxRequests  a run-wide budget of scheduled requests: each step gets
//                     what is left (Step.maxRequests, honoured exactly by the
//                     engine) and the run is stopped once it is spent;
//   load.maxDuration  a wall-time budget timer (aborts the run);
//   load.maxInFlight  enforced by the engine (refused sends are 'in-flight-cap' errors).
import type { Step, StopReason, WindowStats } from '../types.js';
import type { Scenario } from '../scenario/schema.js';
import { CritpointError, EXIT } from '../errors.js';

/** Abort reasons the caps use on the run's controller. */
export const CAP_ABORT = { duration: 'max-duration', requests: 'max-requests' } as const;

export class RunCaps {
  readonly maxRate: number;
  readonly maxRequests: number;
  /**
   * Every window seen, by reference: a step's recorder may fold a short tail
   * (its last sends) into a window it already emitted, so the count is summed
   * from the windows as they are now, not from what they held when emitted.
   */
  private readonly seen: WindowStats[] = [];
  private budgetTimer: NodeJS.Timeout | undefined;

  constructor(private readonly s: Scenario) {
    this.maxRate = s.load.maxRate ?? s.load.end;
    this.maxRequests = s.load.maxRequests;
  }

  /** Starts the wall-time budget: `abort` is called with CAP_ABORT.duration after load.maxDuration. */
  startClock(abort: (reason: string) => void): void {
    this.budgetTimer = setTimeout(() => abort(CAP_ABORT.duration), this.s.load.maxDuration);
    this.budgetTimer.unref();
  }

  stopClock(): void {
    clearTimeout(this.budgetTimer);
  }

  /** The step as the engine gets it: refused above load.maxRate, limited to the requests left. */
  bound(step: Step): Step {
    if (!(step.load <= this.maxRate)) {
      throw new CritpointError(`step ${step.index} would offer ${step.load} req/s, above the cap load.maxRate (${this.maxRate}); refused before sending`, 'cap', EXIT.error);
    }
    return { ...step, maxRequests: this.remaining };
  }

  /** Counts a closed window's scheduled requests; returns true when the budget is spent. */
  count(w: WindowStats): boolean {
    this.seen.push(w);
    return this.exhausted;
  }

  private get scheduled(): number {
    return this.seen.reduce((a, w) => a + w.scheduled, 0);
  }

  get used(): number {
    return this.scheduled;
  }

  get remaining(): number {
    return Math.max(0, this.maxRequests - this.scheduled);
  }

  get exhausted(): boolean {
    return this.scheduled >= this.maxRequests;
  }

  /** Sentence for a cap that ended the run. */
  detail(reason: string): string {
    return reason === CAP_ABORT.requests
      ? `load.maxRequests (${this.maxRequests}) reached after ${this.scheduled} scheduled requests`
      : `load.maxDuration (${this.s.load.maxDuration} ms) reached`;
  }

  /**
   * How a run stopped by a cap ends (null when `reason` is not a cap's): after a
   * confirmed breach the critical point stands at coarse resolution; before one,
   * no critical point can be named.
   */
  stopFor(reason: string, breachFound: boolean): { stop: { reason: StopReason; detail: string }; warning?: string } | null {
    if (reason !== CAP_ABORT.duration && reason !== CAP_ABORT.requests) return null;
    const cap = reason === CAP_ABORT.duration ? 'load.maxDuration' : 'load.maxRequests';
    if (breachFound) {
      return {
        stop: { reason: 'breach', detail: `${this.detail(reason)} during refinement; critical point at coarse resolution` },
        warning: `${cap} ended refinement early: resolution is coarser than load.refine.resolution`,
      };
    }
    return { stop: { reason: 'error', detail: `${this.detail(reason)} before the ramp ended` } };
  }
}
