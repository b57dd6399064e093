// The unit k6 points are accumulated in: one cell per window-length slice of
// a step, holding an HDR histogram and counters. Cells of the same slice from
// different runner files merge exactly (histogram counts are added, never
// percentiles averaged), so windows built from merged cells are the windows
// one machine would have measured.
import type { ErrorCounts } from '../types.js';
import { createHistogram, recordMs, type Histogram } from '../stats/latency-histogram.js';
import type { K6Event } from './k6-events.js';
import { createRequestTally, mergeRequestTally, type RequestTally } from '../stats/window-builder.js';

function tallyRequestError(t: RequestTally, kind: string): void {
  t.errors[kind] = (t.errors[kind] ?? 0) + 1;
  t.errorTotal++;
}

export class WindowCell {
  readonly latency: Histogram = createHistogram();
  /** Requests with a response (any status): they have a latency. */
  completed = 0;
  ok = 0;
  /** Requests that ended without an answer (timeout, connection...). */
  transport = 0;
  errors: ErrorCounts = {};
  errorTotal = 0;
  /** Iterations k6 dropped: no free VU (the in-flight cap). */
  drops = 0;
  /** Highest VU count per runner. */
  readonly vus = new Map<string, number>();
  /** Latest request end seen, epoch ms (0: none). */
  lastEnd = 0;
  /** Per request name (the critpoint_request tag), created on first use: what byRequest is built from. */
  readonly byRequest = new Map<string, RequestTally>();

  private tally(name: string): RequestTally {
    let t = this.byRequest.get(name);
    if (!t) this.byRequest.set(name, (t = createRequestTally()));
    return t;
  }

  private error(kind: string, n = 1): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + n;
    this.errorTotal += n;
  }

  add(ev: K6Event): void {
    switch (ev.type) {
      case 'response':
        this.completed++;
        recordMs(this.latency, ev.latencyMs);
        if (ev.ok) this.ok++;
        else this.error(ev.kind ?? 'error');
        this.lastEnd = Math.max(this.lastEnd, ev.t);
        if (ev.request !== null) {
          // An iteration sends its one request: a request k6 reported was sent.
          const t = this.tally(ev.request);
          t.sent++;
          t.completed++;
          recordMs(t.latency, ev.latencyMs);
          if (ev.ok) t.ok++;
          else tallyRequestError(t, ev.kind ?? 'error');
        }
        break;
      case 'failed':
        this.transport++;
        this.error(ev.kind ?? 'other');
        this.lastEnd = Math.max(this.lastEnd, ev.t);
        if (ev.request !== null) {
          const t = this.tally(ev.request);
          t.sent++;
          t.transport++;
          tallyRequestError(t, ev.kind ?? 'other');
        }
        break;
      case 'dropped':
        this.drops += ev.value;
        this.error('in-flight-cap', ev.value);
        break;
      case 'vus':
        this.vus.set(ev.runner, Math.max(this.vus.get(ev.runner) ?? 0, ev.value));
        break;
    }
  }

  /** Adds another cell of the same slice (another runner's, or the next slice of a sparse window). */
  merge(o: WindowCell): void {
    this.latency.add(o.latency);
    this.completed += o.completed;
    this.ok += o.ok;
    this.transport += o.transport;
    for (const [k, v] of Object.entries(o.errors)) this.error(k, v);
    this.drops += o.drops;
    // Per runner the highest count; runners (instance_id) are summed when read.
    for (const [r, v] of o.vus) this.vus.set(r, Math.max(this.vus.get(r) ?? 0, v));
    this.lastEnd = Math.max(this.lastEnd, o.lastEnd);
    for (const [name, t] of o.byRequest) mergeRequestTally(this.tally(name), t);
  }

  /** Responses plus requests that failed without one: what minRequests counts. */
  get answered(): number {
    return this.completed + this.transport;
  }

  /** VUs summed over runners. */
  get totalVus(): number {
    let n = 0;
    for (const v of this.vus.values()) n += v;
    return n;
  }
}

/**
 * The slices of one step on k6's clock: from the anchor (the step's first
 * send), windowMs long, the warm-up cut into its own slices (as the other
 * engines' StepRecorder does). Times past the last slice belong to it.
 */
export class StepGrid {
  readonly warmCells: number;
  readonly cells: number;
  readonly warmupEnd: number;

  constructor(
    readonly anchor: number,
    readonly windowMs: number,
    readonly warmupMs: number,
    readonly durationMs: number,
  ) {
    this.warmCells = Math.ceil(warmupMs / windowMs);
    this.warmupEnd = anchor + warmupMs;
    this.cells = this.warmCells + Math.max(1, Math.ceil(durationMs / windowMs));
  }

  indexOf(t: number): number {
    const raw = t < this.warmupEnd ? Math.floor((t - this.anchor) / this.windowMs) : this.warmCells + Math.floor((t - this.warmupEnd) / this.windowMs);
    return Math.min(this.cells - 1, Math.max(0, raw));
  }

  start(i: number): number {
    return i < this.warmCells ? this.anchor + i * this.windowMs : this.warmupEnd + (i - this.warmCells) * this.windowMs;
  }

  end(i: number): number {
    return i < this.warmCells ? Math.min(this.warmupEnd, this.anchor + (i + 1) * this.windowMs) : this.warmupEnd + (i - this.warmCells + 1) * this.windowMs;
  }

  isWarmup(i: number): boolean {
    return i < this.warmCells;
  }

  /** When the step's schedule ends, epoch ms. */
  get plannedEnd(): number {
    return this.warmupEnd + this.durationMs;
  }
}
