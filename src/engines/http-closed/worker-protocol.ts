// Messages between the closed-loop engine and its load worker threads
// (load-worker.ts). Typed once here, used on both sides.
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { ClosedLoopTarget } from './closed-loop-driver.js';
import type { HttpSourceConfig } from '../../requests/source.js';

/** Event codes of a batch, in the order the events happened. */
export const EVENT = { sent: 1, response: 2, failure: 3, abandoned: 4 } as const;

export interface WorkerInit {
  /** How often the thread posts a batch, ms. */
  batchMs: number;
  /** A request mix (plain config: the thread builds its own source), or null for the one request of the run message. */
  requests: HttpSourceConfig | null;
  /** The run-wide send counter (request-feed.ts's sendCounter), shared by every thread. */
  counter: Uint32Array | null;
}

export type ToWorker =
  | { cmd: 'run'; target: ClosedLoopTarget; connections: number; maxSeconds: number; /** This thread's share of the step's budget. */ maxRequests: number }
  /** Stop sending: each connection closes after its in-flight responses. */
  | { cmd: 'stop' }
  /** Close every connection now. */
  | { cmd: 'destroy' };

export interface Batch {
  type: 'batch';
  /** Events in order: EVENT.sent, .response (next latency/status), .failure (next code), .abandoned. */
  events: Uint8Array;
  latencies: Float64Array;
  statuses: Uint16Array;
  codes: string[];
  /** With a mix: the request index of each sent, response and failure event, in order (empty without one). */
  reqs: Uint16Array;
  /** performance.timeOrigin + performance.now() of the thread's last request so far. */
  lastSentAbs: number;
  /** The thread's cumulative event-loop utilization. */
  elu: EventLoopUtilization;
}

export type FromWorker =
  | Batch
  /** Once, when autocannon is loaded. */
  | { type: 'ready' }
  /** Every connection of the run closed. */
  | { type: 'closed' }
  /** autocannon finished the run. */
  | { type: 'ended' }
  | { type: 'error'; message: string };
