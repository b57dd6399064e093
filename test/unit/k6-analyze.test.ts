// analyze on k6-format files: merging runner files by time window, the split
// vs unsplit equality, gzip, the abort case and bad input. The input here is
// a seeded model of a service with a known capacity written in k6's exact
// line shapes (the real-run recording is in test/integration/k6-*.test.ts).
import { describe, expect, it, beforeAll } from 'vitest';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { analyzeK6 } from '../../src/k6/analyze/analyze.js';
import { scenarioK6Plan } from '../../src/k6/export/k6-plan.js';
import { seededRandom } from '../../src/stats/seeded-random.js';
import { K6LineWriter } from '../helpers/k6-format.js';
import { ScenarioError } from '../../src/errors.js';
import { crossedThresholds } from '../../src/k6/k6-exit.js';

const CAPACITY = 250;

const scenario = (over: Record<string, unknown> = {}): Scenario =>
  resolveScenario({
    name: 'model',
    target: { url: 'http://127.0.0.1:9/' },
    load: { start: 100, end: 400, growth: { factor: 1.5 }, stepDuration: '3s', warmup: '1s', baselineWindows: 5, drain: '500ms' },
    detect: { window: '1s', minRequests: 50 },
    report: { dir: '/nonexistent' },
    ...over,
  });

/** Writes the model's k6 output for a plan; returns its path. stopAfterStep: the run ends there (as an abort would). */
async function writeModelRun(dir: string, s: Scenario, stopAfterStep = Infinity): Promise<string> {
  const plan = scenarioK6Plan(s);
  const path = join(dir, 'run.json');
  const out = createWriteStream(path);
  const w = new K6LineWriter();
  const rnd = seededRandom(7);
  const t0 = Date.UTC(2026, 10, 22, 6, 0, 0);
  for (const st of plan.steps) {
    if (st.index > stopAfterStep) break;
    const len = st.endMs - st.startMs;
    const n = Math.floor((st.load * len) / 1000);
    for (let i = 0; i < n; i++) {
      const tIn = ((i + 1) * 1000) / st.load;
      const base = 3 + -Math.log(1 - rnd()) * 1.2;
      const queue = st.load > CAPACITY ? ((st.load - CAPACITY) / CAPACITY) * tIn : 0;
      const d = base + queue;
      const line = w.request({ endMs: t0 + st.startMs + tIn + d, durationMs: d, status: 200, step: st.index, load: st.load });
      if (!out.write(line)) await once(out, 'drain');
      if (i % Math.round(st.load) === 0) out.write(w.vus(t0 + st.startMs + tIn, Math.ceil(st.load * 0.1) + 10));
    }
  }
  out.end();
  await once(out, 'finish');
  return path;
}

async function splitAlternate(path: string, dir: string): Promise<[string, string]> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
  const a = lines.filter((_, i) => i % 2 === 0);
  const b = lines.filter((_, i) => i % 2 === 1);
  const pa = join(dir, 'runner-0.json');
  const pb = join(dir, 'runner-1.json.gz');
  await writeFile(pa, `${a.join('\n')}\n`);
  await writeFile(pb, gzipSync(`${b.join('\n')}\n`));
  return [pa, pb];
}

describe('critpoint analyze on k6 output', () => {
  let dir: string;
  let unsplit: string;
  let parts: [string, string];
  const s = scenario();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k6-analyze-'));
    unsplit = await writeModelRun(dir, s);
    parts = await splitAlternate(unsplit, dir);
  });

  it('finds the critical point below the model capacity and the breach above it', async () => {
    const { result } = await analyzeK6([unsplit], s, { dryWrite: true });
    const loads = scenarioK6Plan(s).steps.map((st) => st.load);
    const below = loads.filter((l) => l <= CAPACITY);
    const above = loads.filter((l) => l > CAPACITY);
    expect(result.stopReason).toBe('breach');
    expect(result.criticalPoint?.lastPass).toBe(below[below.length - 1]);
    expect(result.criticalPoint?.firstBreach).toBe(above[0]);
    expect(result.criticalPoint?.signals.map((x) => x.signal)).toContain('p99');
    expect(result.exitCode).toBe(0);
    expect(result.steps.map((x) => x.outcome)).toEqual(['pass', ...below.slice(1).map(() => 'pass'), ...above.map(() => 'breach')]);
    expect(result.warnings.join('\n')).toContain('k6 ran 1 more step(s) after the decision');
  });

  it('two runner files split by alternate points (one gzipped) give the same windows and critical point', async () => {
    const one = (await analyzeK6([unsplit], s, { dryWrite: true })).result;
    const two = (await analyzeK6(parts, s, { dryWrite: true })).result;
    expect(two.criticalPoint).toEqual(one.criticalPoint);
    expect(two.stopReason).toBe(one.stopReason);
    const strip = (r: typeof one) => r.windows.map(({ maxInFlight: _m, ...w }) => w);
    expect(strip(two)).toEqual(strip(one));
    expect(two.windows.length).toBeGreaterThan(10);
    expect(two.steps.map((x) => x.stats.completed)).toEqual(one.steps.map((x) => x.stats.completed));
    expect(two.baseline).toEqual(one.baseline);
  });

  it('writes a normal run folder', async () => {
    const out = await mkdtemp(join(tmpdir(), 'k6-analyze-out-'));
    const { runDir, result } = await analyzeK6(parts, scenario({ report: { dir: out, formats: ['json', 'csv'] } }));
    expect(result.files).toEqual(['windows.csv', 'steps.csv', 'summary.json']);
    const summary = JSON.parse(await readFile(join(runDir!, 'summary.json'), 'utf8')) as { engine: string; criticalPoint: unknown; stopReason: string };
    expect(summary.engine).toBe('k6 (analyze)');
    expect(summary.stopReason).toBe('breach');
    const csv = await readFile(join(runDir!, 'windows.csv'), 'utf8');
    expect(csv.split('\n')[0]).toContain('p99_ms');
  });

  it('output cut short by a k6 threshold abort (exit 99) names the step it stopped in', async () => {
    const d = await mkdtemp(join(tmpdir(), 'k6-abort-'));
    const low = scenario({ load: { start: 100, end: 225, growth: { factor: 1.5 }, stepDuration: '3s', warmup: '1s', baselineWindows: 5, drain: '500ms' } });
    const file = await writeModelRun(d, low, 1);
    const stderr = await readFile(new URL('../fixtures/k6/abort.stderr.txt', import.meta.url), 'utf8');
    const noExit = (await analyzeK6([file], low, { dryWrite: true })).result;
    expect(noExit.stopReason).toBe('error');
    expect(noExit.stopDetail).toContain('the k6 output ends at step 1 of 2 with no breach; pass --k6-exit-code');
    const aborted = (await analyzeK6([file], low, { dryWrite: true, k6Exit: { code: 99, stderr } })).result;
    expect(aborted.stopReason).toBe('breach');
    expect(aborted.criticalPoint).toMatchObject({ lastPass: 100, firstBreach: 150 });
    expect(aborted.criticalPoint?.signals[0]?.reason).toContain('k6 thresholds on checks, http_req_failed were crossed (exit 99)');
    const summary = JSON.parse(await readFile(new URL('../fixtures/k6/summary-export.abort.json', import.meta.url), 'utf8')) as unknown;
    const fromSummary = (await analyzeK6([file], low, { dryWrite: true, k6Exit: { code: 99, crossed: crossedThresholds(summary) } })).result;
    expect(fromSummary.criticalPoint?.signals[0]?.reason).toContain(
      'k6 thresholds (checks: rate>0.9; http_req_failed: rate<0.5) were crossed (exit 99) during the 150 req/s step',
    );
    const stopped = (await analyzeK6([file], low, { dryWrite: true, k6Exit: { code: 105 } })).result;
    expect(stopped.stopReason).toBe('interrupted');
  });

  it('refuses output of another plan or without step tags, listing every problem', async () => {
    const other = scenario({ load: { start: 120, end: 400, growth: { factor: 1.5 }, stepDuration: '3s', warmup: '1s', baselineWindows: 5, drain: '500ms' } });
    const err = (await analyzeK6([unsplit], other, { dryWrite: true }).catch((e: unknown) => e)) as ScenarioError;
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err.problems.some((p) => /step 0 ran at a load the scenario does not plan \(120 req\/s\).*got critpoint_load=100$/.test(p))).toBe(true);
    const d = await mkdtemp(join(tmpdir(), 'k6-untagged-'));
    const plain = join(d, 'plain.json');
    await writeFile(plain, await readFile(new URL('../fixtures/k6/out-json.first40.jsonl', import.meta.url)));
    const e2 = (await analyzeK6([plain], s, { dryWrite: true }).catch((e: unknown) => e)) as ScenarioError;
    expect(e2.problems).toEqual([
      `${plain}: no request carries a critpoint_step tag: analyze reads output of scripts made by \`critpoint export k6\`, got 2 untagged requests`,
    ]);
    const csv = join(d, 'out.csv');
    await writeFile(csv, await readFile(new URL('../fixtures/k6/out.header-plus10.csv', import.meta.url)));
    const e3 = (await analyzeK6([csv, plain], s, { dryWrite: true }).catch((e: unknown) => e)) as ScenarioError;
    expect(e3.problems).toHaveLength(2);
    expect(e3.problems[0]).toBe(
      `${csv}: this is k6 CSV output (--out csv); analyze reads k6 JSON output (--out json=file.json.gz), got the header "metric_name,timestamp,metric_value,check"...`,
    );
  });
});
