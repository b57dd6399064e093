// summary.json through its one schema: every saved summary in the fixtures parses, a written
// summary reads back equal (NaN figures included), a malformed one is one clear line per
// problem, and `critpoint schema --summary` publishes the fields the writer writes.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSummary, summaryOf } from '../../src/result/summary-io.js';
import { SUMMARY_SCHEMA_VERSION } from '../../src/result/summary-schema.js';
import { jsonReporter } from '../../src/reporters/json/json-reporter.js';
import { readRunSummary } from '../../src/compare/run-file.js';
import { runDiagnostics } from '../../src/runner/diagnostics.js';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/errors.js';
import type { RunResult } from '../../src/types.js';
import { demoRun } from '../helpers/report-fixtures.js';

const RUNS = 'test/fixtures/runs';

async function fixtureSummaries(): Promise<string[]> {
  const entries = await readdir(RUNS, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('summary.json')) files.push(join(RUNS, e.name));
    if (e.isDirectory() && (await readdir(join(RUNS, e.name))).includes('summary.json')) files.push(join(RUNS, e.name, 'summary.json'));
  }
  return files;
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: {} });
  return { code, out, err };
}

/** The demo fixture run with the optional parts filled and figures that have no value. */
async function fullRun(): Promise<RunResult> {
  const r = await demoRun();
  const [first, ...rest] = r.steps;
  const steps = [{ ...first!, stats: { ...first!.stats, p99: NaN, firstMessage: { p50: 1.5, p99: NaN } } }, ...rest];
  const cp = r.criticalPoint!;
  return {
    ...r,
    steps,
    criticalPoint: { ...cp, signals: [{ ...cp.signals[0]!, values: [30.1, NaN] }] },
    diagnostics: runDiagnostics(steps, 'req/s'),
    evidence: [{ kind: 'pprof-goroutine', path: 'evidence/goroutine.txt', bytes: 1234 }],
    warnings: ['a warning'],
    // A gRPC run's field (every optional field is present in the full run).
    serviceDescription: { source: 'server-reflection', reflectionApi: 'grpc.reflection.v1alpha' },
  };
}

describe('summary.json schema', () => {
  it('parses every saved summary in the fixtures', async () => {
    const files = await fixtureSummaries();
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const parsed = parseSummary(JSON.parse(await readFile(file, 'utf8')));
      expect(parsed.ok ? [] : parsed.problems, file).toEqual([]);
    }
  });

  it('round-trips a written summary: what is read back equals what was written, NaN figures included', async () => {
    const r = await fullRun();
    const dir = await mkdtemp(join(tmpdir(), 'critpoint-summary-'));
    await jsonReporter.write(r, dir);
    const text = await readFile(join(dir, 'summary.json'), 'utf8');
    expect(text).not.toContain('NaN');
    const json = JSON.parse(text) as { steps: { stats: { p99: unknown } }[]; windowCount: number; schemaVersion: number };
    expect(json.steps[0]!.stats.p99).toBeNull();
    expect(json.windowCount).toBe(r.windows.length);
    expect(json.schemaVersion).toBe(SUMMARY_SCHEMA_VERSION);
    const back = await readRunSummary(dir);
    expect(back).toEqual({ ...r, windows: [], runtimeSamples: [] });
    expect(back.steps[0]!.stats.p99).toBeNaN();
    expect(back.criticalPoint!.signals[0]!.values[1]).toBeNaN();
  });

  it('keeps the recorded scenario whole, fields added by later versions included', async () => {
    const r = await demoRun();
    const scenario = { ...r.scenario, load: { ...r.scenario.load, someFutureField: 7 }, extra: { a: 1 } };
    const parsed = parseSummary(JSON.parse(JSON.stringify(summaryOf({ ...r, scenario }))));
    expect(parsed.ok && parsed.summary.scenario).toEqual(scenario);
  });

  it('names each problem of a malformed summary as <dot.path>: <what is wrong>, got <value>', async () => {
    const data = JSON.parse(await readFile(join(RUNS, 'go-8x8ms.summary.json'), 'utf8')) as Record<string, unknown> & {
      steps: { stats: Record<string, unknown> }[];
      scenario: Record<string, unknown>;
    };
    data.steps[2]!.stats.p99 = 'fast';
    data.scenario.load = { mode: 'sideways', start: 1, end: 2 };
    delete data.runId;
    const parsed = parseSummary(data);
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      'runId: expected string, got nothing',
      'scenario.load.mode: must be one of "rate", "concurrency", got "sideways"',
      'steps.2.stats.p99: expected number, got "fast"',
    ]);
  });

  it('compare on a malformed summary: one clear error, exit 2, no stack', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'critpoint-summary-'));
    const bad = join(dir, 'bad.json');
    const data = JSON.parse(await readFile(join(RUNS, 'go-8x8ms.summary.json'), 'utf8')) as { criticalPoint: Record<string, unknown> };
    data.criticalPoint.value = '977';
    await writeFile(bad, JSON.stringify(data));
    const r = await cli(['compare', join(RUNS, 'go-8x8ms.summary.json'), bad]);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toContain('criticalPoint.value: expected number, got "977"');
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.err.split('\n').length).toBeLessThan(6);
  });

  it('`critpoint schema --summary` publishes the fields the writer writes', async () => {
    const r = await cli(['schema', '--summary']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.out) as { title: string; properties: Record<string, { properties?: Record<string, unknown> }>; required: string[] };
    expect(schema.title).toBe('critpoint summary.json');
    const written = summaryOf(await fullRun()) as Record<string, unknown>;
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(written).sort());
    expect(schema.required.filter((k) => !(k in written))).toEqual([]);
    expect(schema.properties.schemaVersion).toMatchObject({ const: SUMMARY_SCHEMA_VERSION });
    // A figure with no value is null in the file: the schema says so.
    const stats = (schema.properties.steps as unknown as { items: { properties: { stats: { properties: Record<string, { type: unknown }> } } } }).items
      .properties.stats;
    expect(stats.properties.p99!.type).toEqual(['number', 'null']);
  });
});

describe('a result that does not fit the schema', () => {
  it('is still written, unchecked, and reported as a failure naming the field', async () => {
    const r = await demoRun();
    const bad = { ...r, durationMs: NaN };
    const dir = await mkdtemp(join(tmpdir(), 'critpoint-summary-'));
    await expect(jsonReporter.write(bad, dir)).rejects.toThrow(/does not fit the summary\.json schema \(durationMs: expected number, got NaN\)/);
    const kept = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as { runId: string; steps: unknown[] };
    expect(kept.runId).toBe(r.runId);
    expect(kept.steps).toHaveLength(r.steps.length);
  });
});
