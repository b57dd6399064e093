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
//   - errorRate = errors / outcomes.
// A window is built once, complete, and never changed afterwards.
import type { ErrorCounts, FirstMessageLatency, Step, WindowStats } from '../types.js';
import type { Percentiles } from './latency-histogram.js';

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

export interface WindowExtras {
  sendLagP99: number;
  meanInFlight?: number;
  generatorBusy?: number;
  firstMessage?: FirstMessageLatency;
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
    maxInFlight: t.maxInFlight,
    ...(x.meanInFlight !== undefined ? { meanInFlight: x.meanInFlight } : {}),
    ...(x.generatorBusy !== undefined ? { generatorBusy: x.generatorBusy } : {}),
    capHits: t.capHits,
    sparse: !f.warmup && (f.shortTail || n < f.minRequests),
    runtime: {},
    ...(x.firstMessage ? { firstMessage: x.firstMessage } : {}),
  };
}
