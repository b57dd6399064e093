// The runner repeats a step where the generator fell behind (detect.generator.retries)
// before it stops generator-limited. The engine here is a scripted collaborator: the
// thing under test is the runner's step loop, not an engine.
import { describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runScenario } from '../../src/runner/run.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Engine, Step, StepContext, StepStats, WindowStats } from '../../src/types.js';
import { fastScenario } from '../helpers/scenarios.js';
import { win } from '../helpers/windows.js';

/** Emits windows whose send lag and p99 come from `shape(load, attempt at this load)`. */
class ScriptedEngine implements Engine {
  readonly name = 'scripted';
  readonly attempts = new Map<number, number>();
  /** The load of the step running now (null between steps). */
  current: number | null = null;
  constructor(
    private readonly shape: (load: number, attempt: number) => Partial<WindowStats>,
    /** Real time per window, ms. */
    private readonly windowDelayMs = 1,
  ) {}
  describe(): string {
    return 'scripted';
  }
  async preflight(): Promise<void> {}
  async close(): Promise<void> {}
  async runStep(step: Step, ctx: StepContext): Promise<StepStats> {
    const attempt = (this.attempts.get(step.load) ?? 0) + 1;
    this.attempts.set(step.load, attempt);
    this.current = step.load;
    const n = Math.round(step.durationMs / 500);
    const windows: WindowStats[] = [];
    for (let i = 0; i < n && !ctx.signal.aborted; i++) {
      await new Promise((r) => setTimeout(r, this.windowDelayMs));
      ctx.liveness?.response(ctx.now());
      const w = win({
        index: ctx.nextWindowIndex(),
        stepIndex: step.index,
        phase: step.phase,
        offered: step.load,
        tStart: ctx.now(),
        tEnd: ctx.now() + 500,
        p99: 10 + (i % 3) * 0.3,
        ...this.shape(step.load, attempt),
      });
      windows.push(w);
      ctx.onWindow(w);
    }
    const last = windows[windows.length - 1]!;
    this.current = null;
    return {
      step,
      windows,
      sent: 0,
      completed: 0,
      errors: {},
      errorTotal: 0,
      achievedRate: step.load,
      p50: 5,
      p90: 8,
      p99: last.p99,
      max: last.max,
      mean: 5.5,
      sendLagP99: last.sendLagP99,
      maxInFlight: 5,
      aborted: ctx.signal.aborted,
      elapsedMs: 1,
      inFlightAtEnd: 0,
    };
  }
}

const scenario = (retries?: number, detect: Record<string, unknown> = {}) =>
  fastScenario('http://127.0.0.1:1', {
    load: { start: 400, end: 1200, growth: { factor: 1.5 }, drain: '1ms', warmup: '0s' },
    detect: { ...detect, generator: { maxSendLag: '5ms', ...(retries === undefined ? { retries: 1 } : { retries }) } },
  });

describe('a step where the generator fell behind', () => {
  it('is repeated once (retries 1, the schema default); a clean repeat lets the ramp go on, and the lagging attempt stays in the step table', async () => {
    // The first attempt at 600 lags (a busy machine); the repeat does not; 900 breaches on p99.
    const engine = new ScriptedEngine((load, attempt) => (load === 600 && attempt === 1 ? { sendLagP99: 12 } : load >= 800 ? { p99: 60 } : {}));
    const { result } = await runScenario(scenario(), { engine, dryWrite: true });
    const ramp = result.steps.filter((st) => st.phase !== 'baseline').map((st) => [st.load, st.outcome]);
    expect(ramp.slice(0, 4)).toEqual([
      [600, 'generator-limited'],
      [600, 'pass'],
      [900, 'breach'],
      [900, 'breach'], // detect.recheck: the breach came back
    ]);
    expect(result.stopReason).toBe('breach');
    expect(result.warnings.join('\n')).toMatch(/generator fell behind at 600 req\/s .*send lag p99 12 ms.*repeated \(1 of detect\.generator\.retries 1\)/);
  });

  it('stops generator-limited when the repeat falls behind too, and at once with retries: 0', async () => {
    const lagging = () => new ScriptedEngine((load) => (load === 600 ? { sendLagP99: 12 } : {}));
    const twice = await runScenario(scenario(), { engine: lagging(), dryWrite: true });
    expect(twice.result.stopReason).toBe('generator-limited');
    expect(twice.result.steps.filter((st) => st.load === 600).map((st) => st.outcome)).toEqual(['generator-limited', 'generator-limited']);
    expect(twice.result.criticalPoint).toBeFalsy();

    const once = await runScenario(scenario(0), { engine: lagging(), dryWrite: true });
    expect(once.result.stopReason).toBe('generator-limited');
    expect(once.result.steps.filter((st) => st.load === 600)).toHaveLength(1);
  });
});

describe('a baseline where the generator fell behind', () => {
  it('is repeated like a ramp step; the repeat is the baseline, and the lagging attempt stays in the step table', async () => {
    const engine = new ScriptedEngine((load, attempt) => (load === 400 && attempt === 1 ? { sendLagP99: 12 } : load >= 900 ? { p99: 60 } : {}));
    const { result } = await runScenario(scenario(), { engine, dryWrite: true });
    expect(result.steps.filter((st) => st.phase === 'baseline').map((st) => st.outcome)).toEqual(['generator-limited', 'pass']);
    expect(result.stopReason).toBe('breach');
    expect(result.criticalPoint?.value).toBeGreaterThanOrEqual(600);
    expect(result.warnings.join('\n')).toMatch(/could not keep up even at load\.start \(400 req\/s\).*baseline repeated \(1 of detect\.generator\.retries 1\)/);
  });

  it('stops the run generator-limited when every attempt falls behind (and at once with retries: 0)', async () => {
    const lagging = () => new ScriptedEngine((load) => (load === 400 ? { sendLagP99: 12 } : {}));
    const twice = await runScenario(scenario(), { engine: lagging(), dryWrite: true });
    expect(twice.result.stopReason).toBe('generator-limited');
    expect(twice.result.steps.filter((st) => st.phase === 'baseline')).toHaveLength(2);
    const once = await runScenario(scenario(0), { engine: lagging(), dryWrite: true });
    expect(once.result.stopReason).toBe('generator-limited');
    expect(once.result.steps).toHaveLength(1);
  });
});

describe("the coarse ramp's first breach (detect.recheck)", () => {
  it('is repeated: one that does not come back is taken as noise and the ramp goes on', async () => {
    // A noisy burst at 600 on the first attempt only; the real knee is at 900.
    const engine = new ScriptedEngine((load, attempt) => ((load === 600 && attempt === 1) || load >= 900 ? { p99: 60 } : {}));
    const { result } = await runScenario(scenario(), { engine, dryWrite: true });
    const ramp = result.steps.filter((st) => st.phase === 'ramp').map((st) => [st.load, st.outcome]);
    expect(ramp).toEqual([
      [600, 'breach'],
      [600, 'pass'],
      [900, 'breach'],
      [900, 'breach'],
    ]);
    expect(result.stopReason).toBe('breach');
    // Refinement brackets 600..900, not 400..600.
    expect(result.criticalPoint?.value).toBeGreaterThan(800);
    expect(result.warnings.join('\n')).toMatch(/breach at 600 req\/s .* did not come back .*taken as noise/);
  });

  it('with recheck: false the first breach sets the bracket at once', async () => {
    const engine = new ScriptedEngine((load, attempt) => ((load === 600 && attempt === 1) || load >= 900 ? { p99: 60 } : {}));
    const { result } = await runScenario(scenario(undefined, { recheck: false }), { engine, dryWrite: true });
    expect(result.steps.filter((st) => st.phase === 'ramp').map((st) => [st.load, st.outcome])).toEqual([[600, 'breach']]);
    expect(result.criticalPoint?.value).toBeLessThan(600);
  });

  it('is not repeated when the breach is not on p99 alone (errors here): only latency is that noisy', async () => {
    const engine = new ScriptedEngine((load) => (load >= 600 ? { errorRate: 0.3, errorTotal: 150, errors: { 'http-5xx': 150 } } : {}));
    const { result } = await runScenario(scenario(), { engine, dryWrite: true });
    const ramp = result.steps.filter((st) => st.phase === 'ramp');
    expect(ramp.map((st) => [st.load, st.outcome])).toEqual([[600, 'breach']]);
    expect(ramp[0]!.breaches.map((b) => b.signal)).toContain('errors');
  });
});

describe('evidence (runtime.capture) and detect.recheck', () => {
  it('is not taken at a p99 breach that the recheck dismisses, only at the breach that comes back', async () => {
    // A real local server stands in for the target's /debug/pprof and records when each profile was
    // fetched. The engine is the scripted collaborator above, 25 ms per window: a passing step takes
    // 100 ms, so a capture fired at the dismissed breach (600, first attempt) would arrive long before
    // the step at 900 is repeated, the breach that comes back.
    const engine = new ScriptedEngine((load, attempt) => ((load === 600 && attempt === 1) || load >= 900 ? { p99: 60 } : {}), 25);
    const fetchedAt: number[] = [];
    const stepStarts: { load: number; at: number }[] = [];
    const server = http.createServer((req, res) => {
      fetchedAt.push(performance.now());
      res.end(req.url?.startsWith('/debug/pprof/goroutine') ? 'goroutine 1 [running]:\nmain.main()\n' : 'heap');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { runtime: _none, ...base } = scenario();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const s = resolveScenario({ ...structuredClone(base), target: { url }, runtime: { capture: ['goroutine'] } });
      const { result } = await runScenario(s, {
        engine,
        onProgress: (e) => void (e.type === 'step-start' && stepStarts.push({ load: e.step.load, at: performance.now() })),
      });
      expect(result.stopReason).toBe('breach');
      expect(result.evidence.map((e) => e.kind)).toEqual(['goroutine']);
      expect(fetchedAt).toHaveLength(1);
      const repeatAt900 = stepStarts.filter((x) => x.load === 900)[1];
      expect(repeatAt900, JSON.stringify(stepStarts)).toBeDefined();
      expect(fetchedAt[0]!).toBeGreaterThan(repeatAt900!.at);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
