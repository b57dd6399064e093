// Messages between the open-loop HTTP engine and its load threads
// (open-worker.ts). Typed once here, used on both sides; everything is plain
// data (structured clone), never a function.
import type { HttpRequestConfig } from '../http-request.js';
import type { PacingMode } from '../pacing.js';
import type { HttpDispatcherConfig } from '../http-dispatcher.js';
import type { WindowGrid, WireLiveness, WireSlice } from '../threads/window-slices.js';

/** Slots of the step's shared Int32Array. */
export const SHARED = {
  /** Non-zero once the step is stopped: checked before every send. */
  stop: 0,
  /** Requests in flight over all threads (the in-flight cap is global). */
  inFlight: 1,
} as const;
/** Int32 slots, then one Float64 (the run-clock time of the stop), 8-byte aligned. */
export const SHARED_INTS = 2;
export const SHARED_BYTES = 8 + 8;

/** What a thread sends: the request (one today; the request mix builds its own from plain config, per sequence number). */
export interface OpenWorkerInit
  extends
    Pick<HttpDispatcherConfig, 'version' | 'streams' | 'tls'>,
    Pick<HttpRequestConfig, 'method' | 'path' | 'headers' | 'body' | 'timeoutMs' | 'okStatus' | 'check' | 'drainTimeoutMs'> {
  thread: number;
  threads: number;
  origin: string;
  /** Total in flight over all threads (load.maxInFlight); the thread's connection pool allows as many. */
  maxInFlight: number;
  pacing: PacingMode;
  /** How often the thread reports liveness and checks window boundaries, ms. */
  tickMs: number;
}

export interface OpenRun {
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
  /** Int32 [stop, inFlight] + Float64 stop time, shared by the step's threads. */
  shared: SharedArrayBuffer;
}

export type ToOpenWorker = OpenRun | { cmd: 'stop' };

export type FromOpenWorker =
  | { type: 'ready' }
  | { type: 'slice'; slice: WireSlice }
  | { type: 'live'; live: WireLiveness }
  /** The thread's schedule ended (run clock), and the last request it sent (null: none). */
  | { type: 'sending-stopped'; at: number; lastSentAt: number | null }
  /** The thread drained (or gave up after drainTimeoutMs) and posted its tail slice. */
  | { type: 'done' };
