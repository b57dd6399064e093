// One step of an open-loop engine on N paced load threads (load.workers >= 2),
// main-thread side, for every transport (HTTP, gRPC). The main thread runs
// no request: it starts the step on every thread with the same window grid
// and time origin, merges the threads' window slices into one StepRecorder
// (window-slices.ts), feeds the watchdog from their liveness reports, and
// stops them all at once: a shared flag every thread reads before each send,
// plus a message that wakes a sleeping one. A thread that dies or hangs is
// one clear error (stop reason `error`), never a hang or a wrong result.
import { performance } from 'node:perf_hooks';
import type { ConnectionsDiagnostic, Step, StepContext, StepStats } from '../../types.js';
import { EngineStopError } from '../../errors.js';
import { StepRecorder } from '../step-recorder.js';
import type { ThreadPool } from './thread-pool.js';
import { SliceMerger, replayLiveness } from './window-slices.js';
import { SHARED, SHARED_BYTES, SHARED_INTS, SHARED_STOP_AT, type FromPacedThread, type ToPacedThread } from './paced-protocol.js';

/** Beyond the step's plan and drain, how long the threads may take to report their last slice before that is an error, ms. */
const HANG_SLACK_MS = 5_000;

/** When an aborted step stopped (run clock, ms), per thread. */
export interface ThreadsStopTiming {
  abortAt: number;
  /** Each thread's last request (null: it sent none). */
  lastSentAt: (number | null)[];
  /** Latest request any thread sent after the abort, minus abortAt; 0 when none left after it. */
  stopLagMs: number;
}

export interface PacedStepOptions {
  windowMs: number;
  minRequests: number;
  drainTimeoutMs: number;
  arrival: 'uniform' | 'poisson';
  /** The step's seed is seed + step.index, as on one thread. */
  seed: number;
  /** The step's budget over all threads. */
  maxRequests: number;
  /** Record a time-to-first-message series (server streams). */
  firstMessage?: boolean;
  /** The engine in words, for errors: 'the open-loop engine'. */
  engine: string;
  /** A request mix: the names of the scenario's requests (windows and the step carry byRequest). */
  requests?: readonly string[];
  /** A request mix: the run's send number of the step's first send. */
  seqBase?: number;
}

export interface PacedStepResult {
  stats: StepStats;
  /** Set when the step was aborted. */
  stop: ThreadsStopTiming | null;
  /** Send numbers the step took (a request mix; 0 otherwise): the next step's seqBase is this step's plus this. */
  numbered: number;
  /** Each thread's connections so far in the run, as it reported them at the step's end (absent: not reported). */
  connections: (ConnectionsDiagnostic | undefined)[];
}

export async function runPacedThreadsStep(
  pool: ThreadPool<ToPacedThread, FromPacedThread>,
  step: Step,
  ctx: StepContext,
  o: PacedStepOptions,
): Promise<PacedStepResult> {
  const threads = pool.size;
  await pool.ready();
  if (pool.dead) throw new EngineStopError(`${o.engine} cannot run: ${pool.dead}`, 'error');
  const recorder = new StepRecorder({
    step,
    windowMs: o.windowMs,
    minRequests: o.minRequests,
    now: ctx.now,
    onWindow: ctx.onWindow,
    nextWindowIndex: ctx.nextWindowIndex,
    liveness: ctx.liveness,
    firstMessage: o.firstMessage,
    external: true,
    ...(o.requests ? { requests: o.requests } : {}),
  });
  const merger = new SliceMerger(recorder, threads);
  const shared = new SharedArrayBuffer(SHARED_BYTES);
  const ints = new Int32Array(shared, 0, SHARED_INTS);
  const stopAt = new Float64Array(shared, SHARED_STOP_AT, 1);
  const lastSentAt: (number | null)[] = Array.from({ length: threads }, () => null);
  const connections: (ConnectionsDiagnostic | undefined)[] = Array.from({ length: threads }, () => undefined);
  let sendEnd = -Infinity;
  let sendingStopped = 0;
  let death: string | null = null;
  const done = new Set<number>();
  let wake = () => undefined as void;
  let abortAt: number | null = null;

  const stopAll = () => {
    if (Atomics.load(ints, SHARED.stop) !== 0) return;
    stopAt[0] = ctx.now();
    Atomics.store(ints, SHARED.stop, 1);
    for (let i = 0; i < threads; i++) pool.post(i, { cmd: 'stop' });
  };
  const onAbort = () => {
    abortAt = ctx.now();
    stopAll();
  };
  for (let i = 0; i < threads; i++) {
    pool.attach(i, (m) => {
      if (m.type === 'slice') merger.add(m.slice);
      else if (m.type === 'live') replayLiveness(m.live, ctx.liveness);
      else if (m.type === 'sending-stopped') {
        lastSentAt[i] = m.lastSentAt;
        sendEnd = Math.max(sendEnd, m.at);
        if (++sendingStopped === threads) recorder.sendingStopped(sendEnd);
      }
      if (m.type === 'done') {
        done.add(i);
        connections[i] = m.connections;
      }
      if (m.type === 'done' || m.type === 'slice') wake();
    });
  }
  // A thread died: stop the others at once, and let them drain (bounded) so the error leaves nothing in flight.
  let drainBound: NodeJS.Timeout | undefined;
  pool.watchDeath((reason) => {
    death = reason;
    stopAll();
    drainBound = setTimeout(() => {
      for (let i = 0; i < threads; i++) done.add(i);
      wake();
    }, o.drainTimeoutMs + 1_000);
    wake();
  });
  const grid = { stepStart: recorder.startedAt, warmupEnd: recorder.startedAt + step.warmupMs, windowMs: o.windowMs };
  const originAbs = performance.timeOrigin + performance.now() - ctx.now();
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  for (let i = 0; i < threads; i++)
    pool.post(i, {
      cmd: 'run',
      originAbs,
      grid,
      arrival: o.arrival,
      rate: step.load,
      seed: o.seed + step.index,
      durationMs: step.warmupMs + step.durationMs,
      maxRequests: o.maxRequests,
      shared,
      seqBase: o.seqBase ?? 0,
    });
  // Until every thread drained and its last slice is merged, or a thread died; bounded, so a thread that hangs is an error too.
  const longestMs = step.warmupMs + step.durationMs + o.drainTimeoutMs + HANG_SLACK_MS;
  await new Promise<void>((resolve) => {
    const hang = setTimeout(() => {
      death ??= `load worker threads did not finish step ${step.index} within ${longestMs} ms`;
      stopAll();
      for (let i = 0; i < threads; i++) done.add(i);
      wake();
    }, longestMs);
    const settled = () => {
      for (let i = 0; i < threads; i++) if (!done.has(i) && !pool.isDead(i)) return false;
      return true;
    };
    const check = () => {
      if (merger.done || (death !== null && settled())) {
        clearTimeout(hang);
        clearTimeout(drainBound);
        wake = () => undefined;
        resolve();
      }
    };
    wake = check;
    check();
  });
  ctx.signal.removeEventListener('abort', onAbort);
  pool.watchDeath(null);
  for (let i = 0; i < threads; i++) pool.attach(i, null);
  if (death !== null) {
    recorder.finish(true);
    throw new EngineStopError(`${o.engine} stopped in step ${step.index}: ${death}`, 'error');
  }
  let stop: ThreadsStopTiming | null = null;
  if (abortAt !== null) {
    const after = lastSentAt.filter((t): t is number => t !== null && t >= (abortAt as number));
    stop = { abortAt, lastSentAt, stopLagMs: after.length ? Math.max(...after) - abortAt : 0 };
  }
  return { stats: recorder.finish(abortAt !== null), stop, numbered: Atomics.load(ints, SHARED.seq), connections };
}
