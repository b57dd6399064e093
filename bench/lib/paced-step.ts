// One paced open-loop step against a local target, as the generator
// benchmarks run it (paced-engine interleaves them, paced-sweep runs a rate
// list in one process): a fresh engine (load.workers threads, load.pacing
// mode), a 1 s warm-up, the step, and what it cost this process in CPU
// (every thread: process.cpuUsage counts worker threads too).
import { performance } from 'node:perf_hooks';
import { HttpOpenEngine, type HttpOpenConfig } from '../../src/engines/http-open/http-open-engine.js';
import { HttpOpenThreadsEngine } from '../../src/engines/http-open/http-open-threads.js';
import type { PacingMode } from '../../src/engines/pacing.js';
import type { Engine, Step, StepStats } from '../../src/types.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';

export interface PacedStepOptions {
  pacing: PacingMode;
  /** Load threads: 1 = the single-thread engine. */
  workers: number;
  stepMs: number;
  warmupMs?: number;
}

export interface PacedStepResult {
  stats: StepStats;
  /** achieved / offered. */
  ratio: number;
  /** Step send-lag p99 and the worst window's (per thread when threaded), ms. */
  lag: number;
  worstWindowLag: number;
  /** CPU of the whole process (every thread) per completed request, us. */
  usPerReq: number;
  /** CPU cores the process used on average while the step ran. */
  cores: number;
}

export function pacedEngine(url: string, pacing: PacingMode, workers: number): Engine {
  const u = new URL(url);
  const cfg: HttpOpenConfig = {
    url: u.origin,
    method: 'GET',
    path: u.pathname,
    headers: {},
    body: null,
    timeoutMs: 5_000,
    maxInFlight: 1000,
    arrival: 'uniform',
    pacing,
    seed: 1,
    windowMs: 1000,
    minRequests: 1,
    drainTimeoutMs: 2_000,
  };
  return workers > 1 ? new HttpOpenThreadsEngine(cfg, workers) : new HttpOpenEngine(cfg);
}

/** Runs one measured step on an engine the caller built (and has prepared): the step, then its rates, send lag and CPU per request. The caller closes the engine. */
export async function measureStep(engine: Engine, rate: number, stepMs: number, warmupMs = 1_000): Promise<PacedStepResult> {
  const t0 = performance.now();
  const step: Step = { index: 0, phase: 'ramp', load: rate, unit: 'req/s', durationMs: stepMs, warmupMs, maxRequests: rate * 10 };
  const c0 = process.cpuUsage();
  const s = await engine.runStep(step, {
    now: () => performance.now() - t0,
    signal: new AbortController().signal,
    liveness: ignoreLiveness,
    onWindow: () => undefined,
    nextWindowIndex: () => 0,
  });
  const c = process.cpuUsage(c0);
  const cpuUs = c.user + c.system;
  const requests = s.windows.reduce((a, w) => a + w.completed, 0);
  const measured = s.windows.filter((w) => !w.warmup && !w.sparse);
  return {
    stats: s,
    ratio: s.achievedRate / rate,
    lag: s.sendLagP99,
    worstWindowLag: measured.length ? Math.max(...measured.map((w) => w.sendLagP99)) : s.sendLagP99,
    usPerReq: cpuUs / Math.max(1, requests),
    cores: cpuUs / 1000 / (performance.now() - t0),
  };
}

export async function pacedStep(url: string, rate: number, o: PacedStepOptions): Promise<PacedStepResult> {
  const engine = pacedEngine(url, o.pacing, o.workers);
  try {
    // Threads are started (and the target checked) before the clock runs, as the runner's preflight does.
    await engine.preflight(10_000);
    return await measureStep(engine, rate, o.stepMs, o.warmupMs);
  } finally {
    await engine.close();
  }
}
