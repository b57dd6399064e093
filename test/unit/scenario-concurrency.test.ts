import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/load.js';
import { summarizePlan } from '../../src/load/ramp-plan.js';
import { engineName } from '../../src/engines/registry.js';
import { runCli } from '../../src/cli/program.js';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenarioProblems } from '../helpers/scenarios.js';

const minimal = { name: 'x', target: { url: 'http://127.0.0.1:8080' } };
const closed = (load: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) => ({ ...minimal, ...rest, load: { mode: 'concurrency', ...load } });

const problems = (data: unknown) => scenarioProblems(data);

describe('load.mode concurrency: defaults differ from rate', () => {
  it('start 1, end 256 connections, growth x2, engine http-closed, pipelining/workers left to the engine', () => {
    const s = resolveScenario(closed());
    expect(s.load).toMatchObject({ mode: 'concurrency', start: 1, end: 256, growth: { factor: 2 } });
    expect(s.load.pipelining).toBeUndefined();
    expect(engineName(s)).toBe('http-closed');
    expect(s.detect.plateau).toEqual({ minGain: 0.05, minEfficiency: 0.5, enabled: true });
    expect(s.detect.generator.maxBusy).toBe(0.9);
  });
  it('rate mode keeps its defaults and engine', () => {
    const s = resolveScenario(minimal);
    expect(s.load).toMatchObject({ mode: 'rate', start: 100, end: 20_000, growth: { factor: 1.5 } });
    expect(engineName(s)).toBe('http-open');
  });
  it('explicit values win over mode defaults', () => {
    const s = resolveScenario(closed({ start: 2, end: 40, growth: { step: 6 }, pipelining: 2, workers: 2 }));
    expect(s.load).toMatchObject({ start: 2, end: 40, growth: { step: 6 }, pipelining: 2, workers: 2 });
  });
  it('the plan is in connections, baseline windows at detect.window, no request count', () => {
    const p = summarizePlan(resolveScenario(closed({ end: 64, warmup: '2s', baselineWindows: 10 })));
    expect(p.rampLoads).toEqual([2, 4, 8, 16, 32, 64]);
    expect(p.baselineMs).toBe(2_000 + 10 * 1_000);
    expect(p.coarseRequests).toBeNull();
  });
});

describe('load.mode concurrency: problems, all at once', () => {
  const cases: { name: string; data: unknown; want: string[] }[] = [
    {
      name: 'fractional connections',
      data: closed({ start: 1.5, end: 10.5 }),
      want: [
        'load.start: must be a whole number of connections in load.mode concurrency, got 1.5',
        'load.end: must be a whole number of connections in load.mode concurrency, got 10.5',
      ],
    },
    {
      name: 'open-loop engine',
      data: closed({ engine: 'http-open' }),
      want: ['load.engine: load.mode concurrency runs on http-closed (HTTP) or grpc, got "http-open"'],
    },
    {
      name: 'the k6 engine (its own words, shared with export k6)',
      data: closed({ engine: 'k6' }),
      want: [
        'load.mode: k6 (load.engine k6 and export k6) runs rate steps only (ramping-arrival-rate); concurrency steps run on the http-closed or grpc engine, got "concurrency"',
      ],
    },
    { name: 'rate cap', data: closed({ maxRate: 500 }), want: ['load.maxRate: applies to load.mode rate only (concurrency steps are connections), got 500'] },
    {
      name: 'poisson arrivals',
      data: closed({ arrival: 'poisson' }),
      want: ['load.arrival: applies to load.mode rate only (a closed loop sends when the last response arrived), got "poisson"'],
    },
    {
      name: 'spin pacing',
      data: closed({ pacing: 'spin' }),
      want: ['load.pacing: applies to load.mode rate only (a closed loop sends when the last response arrived), got "spin"'],
    },
    {
      name: 'spin pacing on the k6 engine',
      data: { ...minimal, load: { engine: 'k6', pacing: 'spin' } },
      want: ['load.pacing: k6 paces its own iterations (ramping-arrival-rate); spin applies to the http-open and grpc engines, got "spin"'],
    },
    { name: 'unknown pacing', data: { ...minimal, load: { pacing: 'busy' } }, want: ['load.pacing: must be one of "timer", "spin", got "busy"'] },
    {
      name: 'in flight above the cap',
      data: closed({ end: 300, pipelining: 4, maxInFlight: 1000 }),
      want: ['load.end: 300 connections x load.pipelining 4 keep 1200 requests in flight, above load.maxInFlight (1000), got 300'],
    },
    {
      name: 'sub-second timeout',
      data: closed({}, { http: { timeout: '500ms' } }),
      want: ["http.timeout: must be at least 1s in load.mode concurrency (autocannon's timeout is in seconds), got 500ms"],
    },
    { name: 'bad pipelining', data: closed({ pipelining: 0 }), want: ['load.pipelining: must be at least 1, got 0'] },
    {
      name: 'closed engine in rate mode',
      data: { ...minimal, load: { engine: 'http-closed', pipelining: 2, workers: 1 } },
      want: ['load.engine: http-closed runs load.mode concurrency only, got "http-closed"', 'load.pipelining: applies to load.mode concurrency only, got 2'],
    },
    { name: 'bad workers', data: closed({ workers: 'all' }), want: ['load.workers: must be \'auto\' or a whole number >= 0, got "all"'] },
    { name: 'unknown mode', data: { ...minimal, load: { mode: 'users' } }, want: ['load.mode: must be one of "rate", "concurrency", got "users"'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = problems(c.data);
      for (const w of c.want) expect(got).toContain(w);
      for (const p of got) expect(p).toMatch(/^[^:]+: .+, got .+$/);
    });
  }
  it('a few connections never trip the rate-mode requests-per-step rule', () => {
    expect(problems(closed({ start: 1, end: 8 }))).toEqual([]);
  });
});

describe('CLI: validate prints a concurrency plan, run --dry-run sends nothing', () => {
  it('plan lines are in connections', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'critpoint-closed-'));
    const file = join(dir, 's.yaml');
    await writeFile(file, 'name: c\ntarget: { url: http://127.0.0.1:9 }\nload: { mode: concurrency, end: 32 }\n');
    let err = '';
    const code = await runCli(['validate', file], { stdout: () => undefined, stderr: (s) => (err += s), env: {} });
    expect(code).toBe(0);
    expect(err).toContain('baseline: 1 connections');
    expect(err).toContain('ramp: 2, 4, 8, 16, 32 connections');
    expect(err).toContain('closed loop: as many as the target answers');
  });
});
