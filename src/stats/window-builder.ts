// One window builder for every source of windows: the engines' StepRecorder
// (live, on the run clock) and the k6 StepAssembler (k6 output, live or after
// the fact). The rules that make a WindowStats out of a window's counts live
// here once:
//   - outcomes are responses, transport failures and requests the in-flight
//     cap refused (a hanging target yields only those): a measured window
//     closes with detect.minRequests outcomes, else runs on (it is sparse when
//     it ends short of them);
//   - rates are per second of sending, so the drain after the schedule
//     stopped does not dilute them;
//   - a step's tail (what is left when sending stops) is its own window; one
//     with less than half a window of sending is too short to judge: sparse,
//     with its rates per second of at least one window, so a sliver of sends
//     cannot show as a rate spike;
//   - errorRate = errors / outcomes;
//   - a scenario with several requests also gets the same figures per request
//     name (byRequest), from one RequestTally per name: counters and an HDR
//     histogram, so tallies of the same window from several sources (worker
//     threads, k6 runners) merge exactly.
// A window is built once, complete, and never changed afterwards.
import type { ErrorCounts, FirstMessageLatency, RequestBreakdown, RequestStats, Step, WindowStats } from '../types.js';
import { createHistogram, percentiles, type Histogram, type Percentiles } from './latency-histogram.js';

/** What was counted in one window. */
export interface WindowTally {
  scheduled: number;
  sent: number;
  /** Responses (any status). */
  completed: number;
  /** Successful responses. */
  ok: number;
  /** Requests that failed without a response. */
  transport: number;
  /** Requests not sent because the in-flight cap was reached. */
  capHits: number;
  errors: ErrorCounts;
  errorTotal: number;
  maxInFlight: number;
}

/** Responses, transport failures and cap refusals: what detect.minRequests counts. */
export function outcomes(t: Pick<WindowTally, 'completed' | 'transport' | 'capHits'>): number {
  return t.completed + t.transport + t.capHits;
}

/** A measured window may close at a boundary once it holds minRequests outcomes. */
export function mayClose(t: Pick<WindowTally, 'completed' | 'transport' | 'capHits'>, minRequests: number): boolean {
  return outcomes(t) >= minRequests;
}

/** Seconds of a window, all on one clock (ms). */
export interface WindowTiming {
  start: number;
  end: number;
  /** When sending stopped (undefined: still sending at `end`). */
  sendEnd: number | undefined;
  windowMs: number;
  /** The step's last window. */
  tail: boolean;
}

/** Seconds of sending inside the window, and the seconds its rates are per. */
export function windowSeconds(t: WindowTiming): { sendingS: number; rateS: number; shortTail: boolean } {
  const rateEnd = t.sendEnd !== undefined && t.sendEnd > t.start ? Math.min(t.end, t.sendEnd) : t.end;
  const sending = t.sendEnd === undefined ? t.end - t.start : Math.max(0, Math.min(t.end, t.sendEnd) - t.start);
  const shortTail = t.tail && (t.sendEnd ?? t.end) - t.start < t.windowMs / 2;
  const rate = shortTail ? Math.max(t.end - t.start, t.windowMs) : rateEnd - t.start;
  return { sendingS: sending / 1000, rateS: Math.max(1e-3, rate / 1000), shortTail };
}

export interface WindowFrame {
  index: number;
  step: Step;
  warmup: boolean;
  /** Run clock, ms. */
  tStart: number;
  tEnd: number;
  minRequests: number;
  /** From windowSeconds(). */
  rateS: number;
  shortTail: boolean;
}

/** What was counted for one request name in one window (or a step): mergeable, never percentiles. */
export interface RequestTally {
  sent: number;
  completed: number;
  ok: number;
  transport: number;
  capHits: number;
  errors: ErrorCounts;
  errorTotal: number;
  latency: Histogram;
}

export function createRequestTally(): RequestTally {
  return { sent: 0, completed: 0, ok: 0, transport: 0, capHits: 0, errors: {}, errorTotal: 0, latency: createHistogram() };
}

/** Adds `from` into `into` (counts add, histograms add). */
export function mergeRequestTally(into: RequestTally, from: RequestTally): void {
  into.sent += from.sent;
  into.completed += from.completed;
  into.ok += from.ok;
  into.transport += from.transport;
  into.capHits += from.capHits;
  into.errorTotal += from.errorTotal;
  for (const [k, v] of Object.entries(from.errors)) into.errors[k] = (into.errors[k] ?? 0) + v;
  into.latency.add(from.latency);
}

export function resetRequestTally(t: RequestTally): void {
  t.sent = t.completed = t.ok = t.transport = t.capHits = t.errorTotal = 0;
  t.errors = {};
  t.latency.reset();
}

/** One request's figures; rates per `rateS` seconds (the window's, or the step's measured seconds). */
export function requestStats(t: RequestTally, rateS: number): RequestStats {
  const n = outcomes(t);
  const p = percentiles(t.latency);
  return {
    count: n,
    sent: t.sent,
    completed: t.completed,
    errors: { ...t.errors },
    errorTotal: t.errorTotal,
    errorRate: n === 0 ? 0 : t.errorTotal / n,
    achievedRate: t.ok / rateS,
    p50: p.p50,
    p90: p.p90,
    p99: p.p99,
    max: p.max,
    mean: p.mean,
  };
}

/** Request name -> figures, in the scenario's order (names[i] is tallies[i]'s). */
export function requestBreakdown(names: readonly string[], tallies: readonly RequestTally[], rateS: number): RequestBreakdown {
  const out: RequestBreakdown = {};
  names.forEach((name, i) => (out[name] = requestStats(tallies[i] as RequestTally, rateS)));
  return out;
}

/** Per-request tallies of a window, with their names. */
export interface RequestTallies {
  names: readonly string[];
  tallies: readonly RequestTally[];
}

export interface WindowExtras {
  sendLagP99: number;
  /** Worker-thread engines: the load thread whose send lag set sendLagP99. */
  sendLagThread?: number;
  meanInFlight?: number;
  generatorBusy?: number;
  firstMessage?: FirstMessageLatency;
  /** Several requests: the window's per-request tallies (byRequest is built from them). */
  byRequest?: RequestTallies;
}

export function buildWindow(f: WindowFrame, t: WindowTally, latency: Percentiles, x: WindowExtras): WindowStats {
  const n = outcomes(t);
  return {
    index: f.index,
    stepIndex: f.step.index,
    phase: f.step.phase,
    warmup: f.warmup,
    tStart: f.tStart,
    tEnd: f.tEnd,
    offered: f.step.load,
    scheduled: t.scheduled,
    sent: t.sent,
    completed: t.completed,
    errors: { ...t.errors },
    errorTotal: t.errorTotal,
    errorRate: n === 0 ? 0 : t.errorTotal / n,
    sendRate: t.sent / f.rateS,
    achievedRate: t.ok / f.rateS,
    p50: latency.p50,
    p90: latency.p90,
    p99: latency.p99,
    max: latency.max,
    mean: latency.mean,
    sendLagP99: x.sendLagP99,
    ...(x.sendLagThread !== undefined ? { sendLagThread: x.sendLagThread } : {}),
    maxInFlight: t.maxInFlight,
    ...(x.meanInFlight !== undefined ? { meanInFlight: x.meanInFlight } : {}),
    ...(x.generatorBusy !== undefined ? { generatorBusy: x.generatorBusy } : {}),
    capHits: t.capHits,
    sparse: !f.warmup && (f.shortTail || n < f.minRequests),
    runtime: {},
    ...(x.firstMessage ? { firstMessage: x.firstMessage } : {}),
    ...(x.byRequest ? { byRequest: requestBreakdown(x.byRequest.names, x.byRequest.tallies, f.rateS) } : {}),
  };
}
