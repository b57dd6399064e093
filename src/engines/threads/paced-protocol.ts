// Messages between an open-loop engine on load threads (paced-step.ts, main
// thread) and its paced load threads (paced-thread.ts). Typed once here, used
// by every transport (HTTP, gRPC); everything is plain data (structured
// clone), never a function. What a thread sends (its request, its
// connections) is the engine's own init type, extending PacedThreadInit.
import type { PacingMode } from '../pacing.js';
import type { ConnectionsDiagnostic } from '../../types.js';
import type { WindowGrid, WireLiveness, WireSlice } from './window-slices.js';

/** How often a thread reports liveness and checks its window boundaries, ms. */
export const THREAD_TICK_MS = 20;

/** Slots of the step's shared Int32Array. */
export const SHARED = {
  /** Non-zero once the step is stopped: checked before every send. */
  stop: 0,
  /** Requests in flight over all threads (the in-flight cap is global). */
  inFlight: 1,
  /** Sends numbered so far in the step over all threads (a request mix only): send numbers are PacedRun.seqBase + this. */
  seq: 2,
} as const;
/** Int32 slots, then one Float64 (the run-clock time of the stop), 8-byte aligned. */
export const SHARED_INTS = 3;
/** Byte offset of the Float64 stop time. */
export const SHARED_STOP_AT = 16;
export const SHARED_BYTES = SHARED_STOP_AT + 8;

/** What every paced load thread is told at start (workerData), whatever it sends. */
export interface PacedThreadInit {
  thread: number;
  threads: number;
  /** Total in flight over all threads (load.maxInFlight). */
  maxInFlight: number;
  pacing: PacingMode;
  /** How often the thread reports liveness and checks window boundaries, ms. */
  tickMs: number;
  /** Longest wait for the thread's requests in flight after its schedule ended, ms. */
  drainTimeoutMs: number;
  /** How many requests the scenario lists (a mix: the slices carry per-request tallies); absent or 1: one request. */
  requestCount?: number;
}

export interface PacedRun {
  cmd: 'run';
  /** performance.timeOrigin + performance.now() at run-clock 0: one time origin for all threads. */
  originAbs: number;
  grid: WindowGrid;
  arrival: 'uniform' | 'poisson';
  rate: number;
  seed: number;
  /** Schedule length from grid.stepStart, ms. */
  durationMs: number;
  /** The step's budget over all threads. */
  maxRequests: number;
  /** Int32 [stop, inFlight, seq] + Float64 stop time, shared by the step's threads. */
  shared: SharedArrayBuffer;
  /** The run's send number of the step's first send (sends numbered by the run before this step). */
  seqBase: number;
}

export type ToPacedThread = PacedRun | { cmd: 'stop' };

export type FromPacedThread =
  | { type: 'ready' }
  | { type: 'slice'; slice: WireSlice }
  | { type: 'live'; live: WireLiveness }
  /** The thread's schedule ended (run clock), and the last request it sent (null: none). */
  | { type: 'sending-stopped'; at: number; lastSentAt: number | null }
  /** The thread drained (or gave up after drainTimeoutMs) and posted its tail slice; the connections it opened so far in the run. */
  | { type: 'done'; connections?: ConnectionsDiagnostic };
