// Shared by the accuracy-suite benchmarks: the mode (--quick default, --full),
// short loopback scenarios, and a run that also times each stop: an Engine
// wrapper passed through RunOptions.engine (no hook in the runner) plus
// undici's diagnostics channels, which see every request the pool creates
// and every request whose headers reach the socket.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { median, sampleStandardDeviation, mean } from 'simple-statistics';
import { createEngine } from '../../src/engines/registry.js';
import { runScenario } from '../../src/runner/run.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Scenario, ScenarioInput } from '../../src/scenario/schema.js';
import type { Engine, LivenessSink, RunResult, Step, StepContext, StepStats } from '../../src/types.js';
import { GO_TARGET_BUILD_SCRIPT, goTargetAvailable } from '../../test/helpers/go-target.js';

/** --full: 5 runs per case and the 10-minute memory run; otherwise the quick variant. */
export const FULL = process.argv.includes('--full');
export const MODE = FULL ? 'full' : 'quick';

export function ensureGoTarget(): void {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
}

/** Generator send-lag allowance of the bench scenarios: the machine is shared, so a 5 ms p99 lag would end runs generator-limited (the gate's e2e scenario does the same). */
export const BENCH_MAX_SEND_LAG = '25ms';

/** A short rate scenario on loopback (500 ms windows, 1.5 s steps, 10 baseline windows); fields as in a scenario file. */
export function shortScenario(
  url: string,
  over: { load?: Record<string, unknown>; detect?: Record<string, unknown>; http?: Record<string, unknown>; name?: string } = {},
): Scenario {
  if (!/^http:\/\/127\.0\.0\.1:/.test(url)) throw new Error(`bench targets are loopback only, got ${url}`);
  const input = {
    name: over.name ?? 'bench',
    target: { url },
    http: { method: 'GET', path: '/work', timeout: '3s', ...over.http },
    load: {
      start: 400,
      end: 4000,
      growth: { factor: 1.4 },
      stepDuration: '1500ms',
      warmup: '1s',
      baselineWindows: 10,
      drain: '300ms',
      maxDuration: '90s',
      maxInFlight: 500,
      refine: { resolution: 0.05, maxSteps: 6 },
      ...over.load,
    },
    detect: { window: '500ms', minRequests: 150, generator: { maxSendLag: BENCH_MAX_SEND_LAG }, ...over.detect },
    report: { dir: 'results', formats: ['json'] },
  } as ScenarioInput;
  return resolveScenario(input);
}

/** One stop the runner decided (step aborted with reason 'breach'), timed on performance.now(). */
export interface StopTiming {
  load: number;
  /** Requests the pool was handed after the decision. */
  createdAfter: number;
  /** Last request handed to the pool after the decision, ms after it (0 = none). */
  lastCreateMs: number;
  /** Last request whose headers were written to a socket after the decision, ms after it (0 = none). */
  lastOnWireMs: number;
  /** Last response or failure seen after the decision, ms after it (0 = none in flight). */
  lastOutcomeMs: number;
  /** The engine's step returned (in-flight drained or its drain timeout), ms after the decision. */
  stepReturnedMs: number;
}

/** Watches undici's request creation and header writes while subscribed. */
class RequestClock {
  lastCreate = -Infinity;
  lastOnWire = -Infinity;
  createdSince = 0;
  private since = Infinity;
  private readonly onCreate = () => {
    const t = performance.now();
    this.lastCreate = t;
    if (t >= this.since) this.createdSince++;
  };
  private readonly onWire = () => {
    this.lastOnWire = performance.now();
  };
  start(): void {
    subscribe('undici:request:create', this.onCreate);
    subscribe('undici:client:sendHeaders', this.onWire);
  }
  stop(): void {
    unsubscribe('undici:request:create', this.onCreate);
    unsubscribe('undici:client:sendHeaders', this.onWire);
  }
  mark(t: number): void {
    this.since = t;
    this.createdSince = 0;
  }
  reset(): void {
    this.since = Infinity;
    this.createdSince = 0;
  }
}

/** Wraps the scenario's own engine: records, per step, when the runner aborted it for a breach and what the engine did after. */
class StopTimedEngine implements Engine {
  readonly name: string;
  readonly stops: StopTiming[] = [];
  constructor(
    private readonly inner: Engine,
    private readonly clock: RequestClock,
  ) {
    this.name = inner.name;
  }
  describe(): string {
    return this.inner.describe();
  }
  preflight(timeoutMs: number): Promise<void> {
    return this.inner.preflight(timeoutMs);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  async runStep(step: Step, ctx: StepContext): Promise<StepStats> {
    let abortAt: number | null = null;
    let lastOutcome = -Infinity;
    this.clock.reset();
    // Registered before the engine's own listener, so it reads the clock first.
    const onAbort = () => {
      abortAt = performance.now();
      this.clock.mark(abortAt);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const sink = ctx.liveness;
    const liveness: LivenessSink = {
      response: (at) => {
        lastOutcome = performance.now();
        sink?.response(at);
      },
      failed: (kind, at) => {
        lastOutcome = performance.now();
        sink?.failed(kind, at);
      },
    };
    try {
      const stats = await this.inner.runStep(step, { ...ctx, liveness });
      const returned = performance.now();
      if (abortAt !== null && String(ctx.signal.reason) === 'breach') {
        const after = (t: number) => (abortAt !== null && t > abortAt ? t - abortAt : 0);
        this.stops.push({
          load: step.load,
          createdAfter: this.clock.createdSince,
          lastCreateMs: after(this.clock.lastCreate),
          lastOnWireMs: after(this.clock.lastOnWire),
          lastOutcomeMs: after(lastOutcome),
          stepReturnedMs: returned - abortAt,
        });
      }
      return stats;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }
}

export interface TimedRun {
  result: RunResult;
  stops: StopTiming[];
  wallS: number;
}

/** Runs the scenario (no files written) with its stops timed. */
export async function timedRun(s: Scenario): Promise<TimedRun> {
  const clock = new RequestClock();
  const engine = new StopTimedEngine(await createEngine(s, { env: process.env }), clock);
  const t0 = performance.now();
  clock.start();
  try {
    const { result } = await runScenario(s, { engine, dryWrite: true });
    return { result, stops: engine.stops, wallS: (performance.now() - t0) / 1000 };
  } finally {
    clock.stop();
  }
}

/** Seconds under load: every step's wall time (warm-up and in-flight drain included), the pauses between steps not. */
export function loadSeconds(r: RunResult): number {
  return r.steps.reduce((a, s) => a + s.stats.elapsedMs, 0) / 1000;
}

/** Coefficient of variation (sample SD / mean); 0 for fewer than 2 values. */
export function cv(xs: number[]): number {
  return xs.length < 2 ? 0 : sampleStandardDeviation(xs) / mean(xs);
}

export const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
export const fixed = (x: number, digits = 1) => Number(x.toFixed(digits));
export { median };
