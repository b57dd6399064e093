// Closed cells of one step -> the WindowStats and StepStats every engine
// produces, built by the same window builder as the StepRecorder's
// (stats/window-builder.ts): warm-up slices are their own windows (reported,
// never evaluated); a measured window with fewer than minRequests outcomes
// runs on into the next slice; the tail is a window of its own. Used live by
// the k6 engine and after the fact by `analyze`.
//
// What k6 cannot tell: when each request was meant to leave. Its
// arrival-rate executor starts iterations on schedule or drops them (no free
// VU), so a window's sends are the schedule minus the drops, drops count as
// 'in-flight-cap' errors against the target (as in the http-open engine),
// and the send lag is unknown (NaN): latency is k6's http_req_duration, from
// the actual send.
import type { Step, StepStats, WindowStats } from '../types.js';
import { percentiles } from '../stats/latency-histogram.js';
import { buildWindow, createRequestTally, mayClose, mergeRequestTally, requestBreakdown, windowSeconds, type RequestTally } from '../stats/window-builder.js';
import { WindowCell, type StepGrid } from './window-cell.js';

export interface StepAssemblerOptions {
  step: Step;
  grid: StepGrid;
  minRequests: number;
  /** k6 time (epoch ms) -> the run clock (ms since the run started). */
  toRunClock: (epochMs: number) => number;
  nextWindowIndex: () => number;
  onWindow?: (w: WindowStats) => void;
  /**
   * The scenario's request names, in order (its requests: list). With several, windows and the step carry
   * byRequest, tallied from the critpoint_request tag; dropped iterations never picked a request and count in
   * the totals only.
   */
  requests?: readonly string[];
}

export class StepAssembler {
  private current = new WindowCell();
  private currentStart: number;
  private nextCell = 0;
  private sendEnd: number;
  private readonly step = new WindowCell();
  private readonly windows: WindowStats[] = [];
  private finished = false;
  /** Requests scheduled in the windows emitted so far. */
  private scheduledSoFar = 0;
  /** Several requests: the step's per-request tallies (measured windows), in names order. */
  private readonly names: readonly string[] | null;
  private readonly stepTallies: RequestTally[] = [];

  constructor(private readonly o: StepAssemblerOptions) {
    this.currentStart = o.grid.anchor;
    this.sendEnd = o.grid.plannedEnd;
    this.names = o.requests && o.requests.length > 1 ? o.requests : null;
    if (this.names) for (const _ of this.names) this.stepTallies.push(createRequestTally());
  }

  /** The cell's tallies in names order (a name with no point gets an empty tally). */
  private talliesOf(c: WindowCell): RequestTally[] {
    return (this.names ?? []).map((n) => c.byRequest.get(n) ?? createRequestTally());
  }

  /** Index of the next cell this assembler expects. */
  get pending(): number {
    return this.nextCell;
  }

  /** Sending stopped early (the step was stopped), epoch ms. */
  sendingStopped(at: number): void {
    this.sendEnd = Math.min(this.sendEnd, Math.max(at, this.o.grid.anchor));
  }

  /** Takes cell i (cells must come in order); emits a window when one is complete. */
  closeCell(cell: WindowCell): void {
    const { grid, minRequests } = this.o;
    const i = this.nextCell++;
    this.current.merge(cell);
    const warm = grid.isWarmup(i);
    if (i >= grid.cells - 1) return; // the last slice closes in finish()
    if (warm || mayClose({ completed: this.current.completed, transport: this.current.transport, capHits: this.current.drops }, minRequests))
      this.emit(grid.end(i), warm);
  }

  private emit(end: number, warm: boolean, tail = false): void {
    const { step, grid, minRequests } = this.o;
    const c = this.current;
    const start = this.currentStart;
    const { sendingS, rateS, shortTail } = windowSeconds({ start, end, sendEnd: this.sendEnd, windowMs: grid.windowMs, tail });
    // k6 does not report its schedule: a window's is the offered rate over its seconds of sending,
    // never past the step's budget (the engine's script sends nothing past Step.maxRequests).
    const scheduled = Math.max(0, Math.min(Math.round(step.load * sendingS), step.maxRequests - this.scheduledSoFar));
    this.scheduledSoFar += scheduled;
    const w = buildWindow(
      { index: this.o.nextWindowIndex(), step, warmup: warm, tStart: this.o.toRunClock(start), tEnd: this.o.toRunClock(end), minRequests, rateS, shortTail },
      {
        scheduled,
        sent: Math.max(0, scheduled - c.drops),
        completed: c.completed,
        ok: c.ok,
        transport: c.transport,
        capHits: c.drops,
        errors: c.errors,
        errorTotal: c.errorTotal,
        maxInFlight: c.totalVus,
      },
      percentiles(c.latency),
      { sendLagP99: NaN, ...(this.names ? { byRequest: { names: this.names, tallies: this.talliesOf(c) } } : {}) },
    );
    if (!warm) {
      this.step.merge(c);
      if (this.names) this.talliesOf(c).forEach((t, k) => mergeRequestTally(this.stepTallies[k] as RequestTally, t));
    }
    this.windows.push(w);
    this.current = new WindowCell();
    this.currentStart = end;
    this.o.onWindow?.(w);
  }

  /**
   * Closes what is left and returns the step's statistics. The caller first
   * closes every cell up to the one holding `end` (epoch ms: the step's last
   * event, or when it stopped); the last window runs to `end`.
   */
  finish(end: number, aborted: boolean): StepStats {
    const { grid, step } = this.o;
    if (!this.finished) {
      this.finished = true;
      const warm = this.currentStart < grid.warmupEnd;
      const tailEnd = Math.max(end, this.currentStart);
      if (this.current.answered + this.current.drops > 0 || tailEnd > this.currentStart) this.emit(tailEnd, warm, true);
    }
    const s = this.step;
    const p = percentiles(s.latency);
    const measuredS = Math.max(1e-3, (this.sendEnd - Math.max(grid.warmupEnd, grid.anchor)) / 1000);
    return {
      step,
      windows: this.windows,
      sent: this.windows.filter((w) => !w.warmup).reduce((a, w) => a + w.sent, 0),
      // k6 reports a request only once it ended, and k6 has exited before the step is assembled.
      inFlightAtEnd: 0,
      completed: s.completed,
      errors: { ...s.errors },
      errorTotal: s.errorTotal,
      achievedRate: s.ok / measuredS,
      p50: p.p50,
      p90: p.p90,
      p99: p.p99,
      max: p.max,
      mean: p.mean,
      sendLagP99: NaN,
      maxInFlight: Math.max(0, ...this.windows.filter((w) => !w.warmup).map((w) => w.maxInFlight)),
      aborted,
      elapsedMs: this.o.toRunClock(Math.max(end, this.currentStart)) - this.o.toRunClock(grid.anchor),
      ...(this.names ? { byRequest: requestBreakdown(this.names, this.stepTallies, measuredS) } : {}),
    };
  }
}
