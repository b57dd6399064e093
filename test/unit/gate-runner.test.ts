// The interleaved gate's control flow: order, added pairs, and that a failed run ends the gate as
// an error. The runner of one scenario is the unit's collaborator and is replaced by a scripted
// one here (the real runs are in test/integration/gate-e2e.test.ts); preflight talks to a tiny
// real HTTP server on 127.0.0.1 (one request per target, no load).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import type { RunResult, StopReason } from '../../src/types.js';
import type { RunOptions, RunOutcome } from '../../src/runner/run.js';
import { runInterleavedGate, type InterleavedGateOptions } from '../../src/compare/gate-runner.js';
import { gateExitCode } from '../../src/compare/gate-outcome.js';
import { pairOrders, runSequence } from '../../src/compare/pair-order.js';
import { EXIT } from '../../src/errors.js';

let server: http.Server;
let base: string;
let head: string;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Two names for one server: the scripted runner tells the sides apart by the query.
  base = `${url}/?side=base`;
  head = `${url}/?side=head`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const scenario = (): Scenario => resolveScenario({ name: 'unit-gate', target: { url: 'http://127.0.0.1:1' } });

function result(stopReason: StopReason, cp: number | null, resolution = 0.03): RunResult {
  return {
    schemaVersion: 1,
    runId: `run-${Math.random()}`,
    name: 'unit-gate',
    startedAt: '',
    endedAt: '',
    durationMs: 1000,
    stopReason,
    stopDetail: `scripted ${stopReason}`,
    exitCode: 0,
    engine: 'http-open',
    target: '',
    scenario: { name: 'unit-gate', target: { url: '' }, load: { mode: 'rate', start: 100, end: 1000 } },
    environment: { node: '', platform: '', arch: '', cpus: 2, cpuModel: '', totalMemoryMb: 0, loadAverage: [], critpoint: '' },
    baseline: null,
    steps: [],
    windows: [],
    runtimeSamples: [],
    samplers: [],
    criticalPoint: cp === null ? null : { value: cp, unit: 'req/s', lastPass: cp, firstBreach: cp * (1 + resolution), resolution, signals: [] },
    lastPass: cp,
    evidence: [],
    files: [],
    warnings: [],
  };
}

/** A scripted runner: the n-th run of a side returns script[side][n]; records the sequence. */
function scripted(script: Record<'base' | 'head', RunResult[]>) {
  const calls: string[] = [];
  const count = { base: 0, head: 0 };
  const run = (s: Scenario, _o: RunOptions): Promise<RunOutcome> => {
    const side = s.target.url.includes('side=base') ? 'base' : 'head';
    calls.push(side);
    const r = script[side][count[side]++];
    if (!r) throw new Error(`no scripted ${side} run ${count[side]}`);
    return Promise.resolve({ result: r, runDir: `${s.report.dir}/x` });
  };
  return { run, calls };
}

function options(run: InterleavedGateOptions['run'], extra: Partial<InterleavedGateOptions> = {}): InterleavedGateOptions {
  return {
    scenario: scenario(),
    baseUrl: base,
    headUrl: head,
    maxDrop: 0.15,
    pairs: 3,
    maxPairs: 5,
    seed: 42,
    cooldownMs: 0,
    dir: '/tmp/critpoint-unit-gate',
    run,
    ...extra,
  };
}

const repeat = (n: number, f: () => RunResult) => Array.from({ length: n }, f);

describe('runInterleavedGate', () => {
  it('runs the planned pairs in the seeded balanced order and BLOCKs a 25% drop', async () => {
    const s = scripted({ base: repeat(3, () => result('breach', 1000)), head: repeat(3, () => result('breach', 750)) });
    const o = await runInterleavedGate(options(s.run));
    expect(s.calls).toEqual(runSequence(pairOrders(5, 42).slice(0, 3)).map((r) => r.side));
    expect(o.status).toBe('decided');
    expect(o.decision?.verdict).toBe('BLOCK');
    expect(o.decision?.pairs.map((p) => p.order)).toEqual(pairOrders(5, 42).slice(0, 3));
    expect(o.decision?.widening.upper).toBeCloseTo(1.03, 12);
    expect(o.runs.map((r) => `${r.pair}${r.side}`)).toEqual(runSequence(pairOrders(5, 42).slice(0, 3)).map((r) => `${r.pair + 1}${r.side}`));
    expect(o.runs[0]?.runDir).toMatch(/^\/tmp\/critpoint-unit-gate\/pair-1-(base|head)\/x$/);
    expect(gateExitCode(o)).toBe(EXIT.gateBlock);
  });

  it('A/A: identical critical points PASS after the planned pairs, no pair added', async () => {
    const s = scripted({ base: repeat(3, () => result('breach', 977)), head: repeat(3, () => result('breach', 977)) });
    const o = await runInterleavedGate(options(s.run));
    expect(o.decision?.verdict).toBe('PASS');
    expect(s.calls).toHaveLength(6);
    expect(gateExitCode(o)).toBe(EXIT.gatePass);
  });

  it('adds pairs while INCONCLUSIVE, up to maxPairs, then reports INCONCLUSIVE', async () => {
    const heads = [1000, 800, 950, 820, 900].map((v) => result('breach', v));
    const s = scripted({ base: repeat(5, () => result('breach', 1000)), head: heads });
    const events: string[] = [];
    const o = await runInterleavedGate(
      options(s.run, { onEvent: (e) => e.type === 'decision' && events.push(`${e.decision.n}:${e.decision.verdict}:${e.final}`) }),
    );
    expect(events).toEqual(['3:INCONCLUSIVE:false', '4:INCONCLUSIVE:false', '5:INCONCLUSIVE:true']);
    expect(o.decision?.n).toBe(5);
    expect(o.decision?.reason).toMatch(/detect drops of \d+\.\d% or more/);
    expect(gateExitCode(o)).toBe(EXIT.gateInconclusive);
  });

  it.each([
    ['generator-limited', 'was generator-limited'],
    ['target-unreachable', 'could not reach its target'],
    ['completed', 'completed its ramp with no breach'],
    ['error', 'ended with error'],
  ] as const)('a %s run makes the gate an error at once, never a verdict', async (stop, msg) => {
    // The second pair's head fails; base is a clear PASS otherwise.
    const s = scripted({ base: repeat(3, () => result('breach', 1000)), head: [result('breach', 1000), result(stop, null), result('breach', 1000)] });
    const o = await runInterleavedGate(options(s.run));
    expect(o.status).toBe('error');
    expect(o.decision).toBeNull();
    expect(o.error).toContain(msg);
    expect(o.runs.at(-1)?.stopReason).toBe(stop);
    expect(s.calls.filter((c) => c === 'head')).toHaveLength(2);
    expect(gateExitCode(o)).toBe(EXIT.gateError);
  });

  it('an unreachable target sends no load', async () => {
    const s = scripted({ base: [], head: [] });
    const o = await runInterleavedGate(options(s.run, { headUrl: 'http://127.0.0.1:1/' }));
    expect(o.status).toBe('error');
    expect(o.error).toMatch(/^no load sent: head: target http:\/\/127\.0\.0\.1:1\/ is unreachable/);
    expect(s.calls).toEqual([]);
  });

  it("an interrupt stops the gate with the signal's exit code", async () => {
    const ctl = new AbortController();
    const s = scripted({ base: repeat(3, () => result('breach', 1000)), head: repeat(3, () => result('breach', 1000)) });
    const run: InterleavedGateOptions['run'] = async (sc, o) => {
      const out = await s.run(sc, o);
      ctl.abort('SIGTERM');
      return out;
    };
    const o = await runInterleavedGate(options(run, { signal: ctl.signal }));
    expect(o.status).toBe('interrupted');
    expect(s.calls).toHaveLength(1);
    expect(gateExitCode(o)).toBe(EXIT.sigterm);
  });
});
