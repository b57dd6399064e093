// `critpoint compare` through the real CLI (runCli, in process) on summary.json files written by
// real runs against the Go fixture: 8 workers x 8 ms (capacity 1000 req/s) and 6 x 8 ms (750).
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { parseRunSummary, readRunSummary } from '../../src/compare/run-file.js';
import { EXIT } from '../../src/errors.js';

const FIX = 'test/fixtures/runs';
const BASE = `${FIX}/go-8x8ms.summary.json`;
const HEAD = `${FIX}/go-6x8ms.summary.json`;
const GENLIMITED = `${FIX}/go-6x8ms-generator-limited.summary.json`;

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: {} });
  return { code, out, err };
}

describe('readRunSummary', () => {
  it('reads a real summary.json, with no per-window series', async () => {
    const r = await readRunSummary(BASE);
    expect(r.stopReason).toBe('breach');
    expect(r.criticalPoint).toMatchObject({ value: 977, firstBreach: 1010, unit: 'req/s' });
    expect(r.windows).toEqual([]);
  });
  it('reads a run folder through its summary.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'critpoint-runfile-'));
    await writeFile(join(dir, 'summary.json'), await readFile(BASE, 'utf8'));
    expect((await readRunSummary(dir)).runId).toBe('gate-e2e/2026-11-22T06-57-15Z');
  });
  it('reads null, which JSON wrote for NaN, back as NaN', async () => {
    const data = JSON.parse(await readFile(GENLIMITED, 'utf8')) as { steps: { stats: { p50: number | null } }[] };
    data.steps[0]!.stats.p50 = null;
    expect(parseRunSummary(JSON.stringify(data), 'x.json').steps[0]?.stats.p50).toBeNaN();
  });
  it.each([
    ['missing file', 'test/fixtures/runs/none.json', /\(file\): cannot read \(ENOENT\), got nothing/],
    ['not JSON', 'test/fixtures/scenarios/gate-fast.yaml', /\(file\): cannot parse .*got invalid JSON/],
    ['not a summary', 'package.json', /schemaVersion: must be one of 1, got nothing[\s\S]*stopReason: must be one of/],
  ])('%s: every problem listed', async (_name, file, msg) => {
    await expect(readRunSummary(file)).rejects.toThrow(msg);
  });
  it('names the path of a bad field', () => {
    const data = { ...JSON.parse('{}'), schemaVersion: 1 };
    expect(() => parseRunSummary(JSON.stringify(data), 'x.json')).toThrow(
      /^x\.json is not a usable critpoint summary\.json \(\d+ problems\):\n {2}runId: expected string, got nothing/,
    );
  });
});

describe('critpoint compare', () => {
  it('text: the shift of real runs, 1000 vs 750 req/s capacity', async () => {
    const r = await cli(['compare', BASE, HEAD]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Regression: the critical point moved -22\.0% \(977 -> 762 req\/s\), beyond the combined resolution of 5\.9%\./);
    expect(r.out).toMatch(/critical point \(req\/s\) +977 +762 +-22\.0%/);
    expect(r.out).toMatch(/p99 at breach \(ms\) +25\.25, 30\.37 +69\.06, 89\.21/);
    expect(r.out).toMatch(/^throughput at baseline \(median, % of offered\) +100\.3% +100\.5% +\+0\.2%$/m);
    expect(r.err).toBe('');
  });
  it('md: a table fit for a PR comment', async () => {
    const r = await cli(['compare', BASE, HEAD, '--format', 'md']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('| critical point (req/s) | 977 | 762 | -22.0% |');
    expect(r.out).toContain('| resolution | 3.4% | 2.5% | combined 5.9% |');
  });
  it('json: the comparison as data', async () => {
    const r = await cli(['compare', BASE, HEAD, '--format', 'json']);
    const j = JSON.parse(r.out) as { kind: string; change: string; shift: number; base: { criticalPoint: number } };
    expect(j).toMatchObject({ kind: 'critpoint-compare', change: 'regression', base: { criticalPoint: 977 } });
    expect(j.shift).toBeCloseTo(762 / 977 - 1, 12);
  });
  it('a run against itself: no measurable change, and a warning on stderr and in the notes', async () => {
    const r = await cli(['compare', BASE, BASE]);
    expect(r.out).toMatch(/^No measurable change: shift \+0\.0% is within the combined resolution of 6\.8%\./);
    const warning = 'base and head are the same run (gate-e2e/2026-11-22T06-57-15Z): a run compared with itself shows no change; compare two runs.';
    expect(r.err).toBe(`warning: ${warning}\n`);
    expect(r.out).toContain(`note: ${warning}`);
  });
  it('refuses runs of different scenarios, naming every differing field (exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'critpoint-compare-'));
    const data = JSON.parse(await readFile(HEAD, 'utf8')) as { scenario: { http: { path: string }; load: { start: number; end: number } } };
    data.scenario.http.path = '/fast';
    data.scenario.load.end = 5000;
    await mkdir(join(dir, 'run'));
    await writeFile(join(dir, 'run', 'summary.json'), JSON.stringify(data));
    const r = await cli(['compare', BASE, join(dir, 'run')]);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.out).toBe('');
    expect(r.err).toContain("error: runs differ in http.path, load.end (http.path: base '/work', head '/fast'; load.end: base 3000, head 5000)");
  });
  it('refuses a generator-limited run (exit 2)', async () => {
    const r = await cli(['compare', BASE, GENLIMITED]);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toMatch(/head run .* has no critical point to compare \(stopReason 'generator-limited'\)/);
  });
  it('--fail-on regression: exit 9 on the 22% regression, the comparison still on stdout; 0 the other way round', async () => {
    const r = await cli(['compare', BASE, HEAD, '--fail-on', 'regression']);
    expect(r.code).toBe(EXIT.compareFailed);
    expect(EXIT.compareFailed).toBe(9);
    expect(r.out).toMatch(/^Regression: the critical point moved -22\.0%/);
    expect(r.err).toBe('compare: fails (--fail-on regression): the critical point moved -22.0% (977 -> 762 req/s)\n');
    const back = await cli(['compare', HEAD, BASE, '--fail-on', 'regression']);
    expect(back.code).toBe(0);
    expect(back.out).toMatch(/^Improvement/);
    expect(back.err).toBe('');
  });
  it('--fail-on any: exit 9 on the improvement too, 0 on no measurable change', async () => {
    expect((await cli(['compare', HEAD, BASE, '--fail-on', 'any'])).code).toBe(EXIT.compareFailed);
    expect((await cli(['compare', BASE, BASE, '--fail-on', 'any'])).code).toBe(0);
  });
  it('--fail-on <percent>: a 22% drop fails 20%, passes 25%; with --format json too', async () => {
    const r20 = await cli(['compare', BASE, HEAD, '--fail-on', '20%', '--format', 'json']);
    expect(r20.code).toBe(EXIT.compareFailed);
    expect(JSON.parse(r20.out)).toMatchObject({ change: 'regression' });
    expect(r20.err).toMatch(/, a drop of at least 20\.0%\n$/);
    expect((await cli(['compare', BASE, HEAD, '--fail-on', '25%'])).code).toBe(0);
  });
  it('--fail-on with a bad value: one line, exit 2, before any file is read', async () => {
    const r = await cli(['compare', 'no-such-base', 'no-such-head', '--fail-on', 'worse']);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.out).toBe('');
    expect(r.err).toBe('error: compare: --fail-on: must be regression, any, or a drop between 0% and 100% such as 5%, got "worse"\n');
  });
  it('an unknown format is a usage error (exit 2)', async () => {
    const r = await cli(['compare', BASE, HEAD, '--format', 'html']);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toMatch(/Allowed choices are text, md, json/);
  });
});
