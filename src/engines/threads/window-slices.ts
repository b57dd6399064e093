// Windows measured on several load threads, merged on the main thread.
//
// Each load thread records its requests' outcomes into slices cut at the
// step's window boundaries (the same grid the main thread's StepRecorder
// uses: windowBoundaryAfter, one run clock for all threads) and posts each
// slice as it closes, with its histograms encoded (SliceRecorder). The main
// thread merges, boundary by boundary, once every thread's slice is in, and
// lets its StepRecorder close the window by the usual rules (SliceMerger):
// the merged window holds exactly the counts and histogram buckets one
// thread would have recorded for the same outcomes. With a request mix the
// slice also carries one tally per request (byRequest), merged the same way;
// without one it carries none and the thread's events cost what they did.
import type { ErrorCounts, LivenessSink } from '../../types.js';
import { createHistogram, decodeHistogram, encodeHistogram, p99Ms, recordMs, type EncodedHistogram, type Histogram } from '../../stats/latency-histogram.js';
import { windowBoundaryAfter, type MergedSlice, type StepRecorder } from '../step-recorder.js';
import { createRequestTally, resetRequestTally, type RequestTally } from '../../stats/window-builder.js';

/** The window grid of a step, as the main thread's StepRecorder cuts it. */
export interface WindowGrid {
  stepStart: number;
  warmupEnd: number;
  windowMs: number;
}

/** A slice on the wire: counts, encoded histograms. */
export interface WireSlice {
  thread: number;
  /** Sequence number of the boundary that ends the slice (0 = the step's first boundary). */
  k: number;
  /** The boundary (run clock, ms); a thread's last slice (tail) ends when the thread finished instead. */
  end: number;
  tail: boolean;
  scheduled: number;
  sent: number;
  completed: number;
  ok: number;
  transportErrors: number;
  capHits: number;
  errors: ErrorCounts;
  errorTotal: number;
  maxInFlight: number;
  inFlightArea: number;
  /** The thread's requests in flight at `end`. */
  inFlightEnd: number;
  latency: EncodedHistogram;
  lag: EncodedHistogram;
  lagP99: number;
  /** Time to the first message of server streams that got one in the slice (absent when none did). */
  first?: EncodedHistogram;
  errorExample?: string;
  /** Several requests: one tally per request index, in the scenario's order. */
  byRequest?: WireRequestTally[];
}

/** A request's tally on the wire: its counts, its latency histogram encoded. */
export type WireRequestTally = Omit<RequestTally, 'latency'> & { latency: EncodedHistogram };

/** Liveness since the last report: the latest response and every transport failure. */
export interface WireLiveness {
  /** Responses since the last report, and when the latest arrived. */
  responses: number;
  lastResponseAt: number | null;
  failures: { kind: string; at: number }[];
}

/**
 * One load thread's recorder: the same event calls as StepRecorder (so the
 * same response handlers feed it), counted into the slice of the window
 * boundary they precede.
 */
export class SliceRecorder {
  private k = 0;
  private nextBoundary: number;
  private c = blank();
  private latency: Histogram = createHistogram();
  private lag: Histogram = createHistogram();
  private first: Histogram = createHistogram();
  private inFlight = 0;
  private inFlightAt: number;
  private example: string | undefined;
  private exampleSent = false;
  private live: WireLiveness = { responses: 0, lastResponseAt: null, failures: [] };
  /** Several requests only; undefined keeps every event's extra work to one check (as StepRecorder's). */
  private readonly per: RequestTally[] | undefined;

  constructor(
    private readonly thread: number,
    private readonly grid: WindowGrid,
    private readonly post: (s: WireSlice) => void,
    /** How many requests the scenario lists: events' `req` indexes them; one (or none) keeps no per-request tallies. */
    requests = 1,
  ) {
    if (requests > 1) this.per = Array.from({ length: requests }, createRequestTally);
    this.inFlightAt = grid.stepStart;
    this.nextBoundary = windowBoundaryAfter(grid.stepStart, grid.stepStart, grid.warmupEnd, grid.windowMs);
  }

  /** Posts every slice whose boundary is at or before t. */
  flushDue(t: number): void {
    while (t >= this.nextBoundary) {
      this.flush(this.nextBoundary, false);
      this.nextBoundary = windowBoundaryAfter(this.nextBoundary, this.grid.stepStart, this.grid.warmupEnd, this.grid.windowMs);
      this.k++;
    }
  }

  /** The thread is done (drained or given up): posts what is left as its tail slice, ending at t. */
  finish(t: number): void {
    this.flushDue(t);
    this.flush(t, true);
  }

  private flush(end: number, tail: boolean): void {
    this.advance(end);
    const c = this.c;
    const s: WireSlice = {
      thread: this.thread,
      k: this.k,
      end,
      tail,
      ...c,
      inFlightEnd: this.inFlight,
      latency: encodeHistogram(this.latency),
      lag: encodeHistogram(this.lag),
      lagP99: p99Ms(this.lag),
    };
    if (this.first.totalCount > 0) {
      s.first = encodeHistogram(this.first);
      this.first.reset();
    }
    if (this.example !== undefined && !this.exampleSent) {
      s.errorExample = this.example;
      this.exampleSent = true;
    }
    if (this.per !== undefined) {
      s.byRequest = this.per.map((t) => ({ ...t, errors: { ...t.errors }, latency: encodeHistogram(t.latency) }));
      for (const t of this.per) resetRequestTally(t);
    }
    this.c = blank();
    this.c.maxInFlight = this.inFlight;
    this.latency.reset();
    this.lag.reset();
    this.post(s);
  }

  private advance(t: number): void {
    if (t <= this.inFlightAt) return;
    this.c.inFlightArea += this.inFlight * (t - this.inFlightAt);
    this.inFlightAt = t;
  }

  /** Liveness since the last call (null when nothing came back). */
  takeLiveness(): WireLiveness | null {
    const l = this.live;
    if (l.lastResponseAt === null && l.failures.length === 0) return null;
    this.live = { responses: 0, lastResponseAt: null, failures: [] };
    return l;
  }

  scheduled(at: number): void {
    this.flushDue(at);
    this.c.scheduled++;
  }

  /**
   * A request left at `at`, lagMs after its intended time; `inFlightAll` = requests in flight over all threads now.
   * `req`: the request's index in the scenario's list (default 0), as in every event below.
   */
  sent(lagMs: number, at: number, inFlightAll: number, req?: number): void {
    this.flushDue(at);
    this.advance(at);
    this.c.sent++;
    recordMs(this.lag, lagMs);
    this.inFlight++;
    if (inFlightAll > this.c.maxInFlight) this.c.maxInFlight = inFlightAll;
    if (this.per !== undefined) this.tally(req).sent++;
  }

  response(latencyMs: number, ok: boolean, at: number, errorKind?: string, req?: number): void {
    this.flushDue(at);
    this.advance(at);
    this.live.lastResponseAt = at;
    this.live.responses++;
    this.inFlight--;
    this.c.completed++;
    recordMs(this.latency, latencyMs);
    if (ok) this.c.ok++;
    else this.error(errorKind ?? 'error');
    if (this.per !== undefined) {
      const t = this.tally(req);
      t.completed++;
      recordMs(t.latency, latencyMs);
      if (ok) t.ok++;
      else tallyError(t, errorKind ?? 'error');
    }
  }

  /** A server stream's first message arrived at `at`, latencyMs after its intended send time. */
  firstMessage(latencyMs: number, at: number): void {
    this.flushDue(at);
    recordMs(this.first, latencyMs);
  }

  failed(kind: string, at: number, req?: number): void {
    this.flushDue(at);
    this.advance(at);
    this.live.failures.push({ kind, at });
    this.inFlight--;
    this.c.transportErrors++;
    this.error(kind);
    if (this.per !== undefined) {
      const t = this.tally(req);
      t.transport++;
      tallyError(t, kind);
    }
  }

  capHit(at: number, req?: number): void {
    this.flushDue(at);
    this.c.capHits++;
    this.error('in-flight-cap');
    if (this.per !== undefined) {
      const t = this.tally(req);
      t.capHits++;
      tallyError(t, 'in-flight-cap');
    }
  }

  private tally(req: number | undefined): RequestTally {
    const t = (this.per as RequestTally[])[req ?? 0];
    if (t === undefined) throw new RangeError(`request index ${req} is outside the scenario's ${(this.per as RequestTally[]).length} requests`);
    return t;
  }

  get wantsErrorExample(): boolean {
    return this.example === undefined;
  }

  errorExample(text: string): void {
    this.example ??= text;
  }

  get currentInFlight(): number {
    return this.inFlight;
  }

  private error(kind: string): void {
    this.c.errors[kind] = (this.c.errors[kind] ?? 0) + 1;
    this.c.errorTotal++;
  }
}

function tallyError(t: RequestTally, kind: string): void {
  t.errors[kind] = (t.errors[kind] ?? 0) + 1;
  t.errorTotal++;
}

function blank() {
  return {
    scheduled: 0,
    sent: 0,
    completed: 0,
    ok: 0,
    transportErrors: 0,
    capHits: 0,
    errors: {} as ErrorCounts,
    errorTotal: 0,
    maxInFlight: 0,
    inFlightArea: 0,
  };
}

export function decodeSlice(s: WireSlice): MergedSlice {
  const { byRequest, first, ...rest } = s;
  return {
    ...rest,
    latency: decodeHistogram(s.latency),
    lag: decodeHistogram(s.lag),
    ...(first ? { first: decodeHistogram(first) } : {}),
    ...(byRequest ? { byRequest: byRequest.map((t) => ({ ...t, latency: decodeHistogram(t.latency) })) } : {}),
  };
}

/** Replays a thread's liveness report into the step's sink (the watchdog works at ~1 s; reports come every few tens of ms). */
export function replayLiveness(l: WireLiveness, sink: LivenessSink): void {
  // One call per response, as a single-thread engine makes them (the watchdog only reads the latest time).
  if (l.lastResponseAt !== null) for (let i = 0; i < l.responses; i++) sink.response(l.lastResponseAt);
  for (const f of l.failures) sink.failed(f.kind, f.at);
}

/**
 * Main thread: collects the threads' slices and merges them into the step's
 * recorder boundary by boundary, in order, once every thread's slice for a
 * boundary is in (a thread that finished contributes its tail to the
 * boundary after its last one, and nothing later).
 */
export class SliceMerger {
  private readonly slices: Map<number, WireSlice>[];
  /** Boundary index of each thread's tail slice, once it finished. */
  private readonly tailAt: (number | null)[];
  private readonly inFlight: number[];
  private k = 0;

  constructor(
    private readonly recorder: StepRecorder,
    threads: number,
  ) {
    this.slices = Array.from({ length: threads }, () => new Map());
    this.tailAt = Array.from({ length: threads }, () => null);
    this.inFlight = Array.from({ length: threads }, () => 0);
  }

  get done(): boolean {
    return this.tailAt.every((t) => t !== null);
  }

  add(s: WireSlice): void {
    (this.slices[s.thread] as Map<number, WireSlice>).set(s.k, s);
    if (s.tail) this.tailAt[s.thread] = s.k;
    this.advance();
  }

  /** Merges every boundary all threads have delivered; when all threads finished, everything left. */
  private advance(): void {
    for (;;) {
      const k = this.k;
      let end = -Infinity;
      let complete = true;
      let allTails = true;
      for (let i = 0; i < this.slices.length; i++) {
        const tail = this.tailAt[i] ?? null;
        if (tail !== null && tail < k) continue;
        const s = (this.slices[i] as Map<number, WireSlice>).get(k);
        if (!s) {
          complete = false;
          break;
        }
        if (!s.tail) {
          allTails = false;
          end = s.end;
        } else if (allTails) end = Math.max(end, s.end);
      }
      if (!complete || end === -Infinity) return;
      for (let i = 0; i < this.slices.length; i++) {
        const m = this.slices[i] as Map<number, WireSlice>;
        const s = m.get(k);
        if (!s) continue;
        m.delete(k);
        this.inFlight[i] = s.inFlightEnd;
        this.recorder.merge(decodeSlice(s));
      }
      const inFlight = this.inFlight.reduce((a, n) => a + n, 0);
      // A boundary some thread reached closes windows; a boundary only tails reach is the step's end (finish() closes the tail window).
      this.recorder.mergeThrough(end, inFlight);
      this.k++;
      if (allTails) return;
    }
  }
}
