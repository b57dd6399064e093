// summary.md, the run-folder reader (the inverse of the json and csv
// reporters), writeReports' file list and `critpoint report` re-rendering.
import { describe, it, expect } from 'vitest';
import { mkdtemp, readFile, readdir, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSummaryMarkdown, mdText } from '../../src/reporters/markdown/markdown-reporter.js';
import { readRunFolder, RunFolderError, windowsFromCsv, runtimeFromCsv } from '../../src/reporters/run-folder.js';
import { windowsCsv, runtimeCsv } from '../../src/reporters/csv/csv-reporter.js';
import { writeReports } from '../../src/runner/outputs.js';
import { runCli } from '../../src/cli/program.js';
import { demoRun, withRuntimeSignal, DEMO_RUN_DIR } from '../helpers/report-fixtures.js';
import { win } from '../helpers/windows.js';

const tmp = () => mkdtemp(join(tmpdir(), 'critpoint-report-'));

describe('summary.md', () => {
  it('has the headline and one table row per step', async () => {
    const r = await demoRun();
    const md = renderSummaryMarkdown(r);
    const cp = r.criticalPoint!;
    expect(md).toContain(`**Critical point: ${cp.value} ${cp.unit}**`);
    expect(md).toContain(`| stop reason | \`${r.stopReason}\` |`);
    expect(md).toContain(`| resolution | ${(cp.resolution * 100).toFixed(1)}% |`);
    const rows = md.split('\n').filter((l) => /^\| \d+ \| /.test(l));
    expect(rows).toHaveLength(r.steps.length);
    expect(rows.find((l) => l.includes('**critical point**'))).toMatch(new RegExp(`^\\| \\d+ \\| \\w+ \\| ${cp.value} \\*\\*critical point\\*\\*`));
  });
  it('escapes table-breaking text', () => {
    expect(mdText('a|b\nc *d*')).toBe('a\\|b c \\*d\\*');
  });
});

describe('run folder reader', () => {
  it('windows.csv round-trips every field the report reads, with error kinds and runtime values', async () => {
    // Windows made here, not by the reader under test.
    const r = withRuntimeSignal({
      ...(await demoRun()),
      windows: [
        win({ index: 0, stepIndex: 0, phase: 'baseline', warmup: true, tStart: 10.5, tEnd: 1010.5 }),
        win({ index: 1, stepIndex: 0, phase: 'baseline', tStart: 1010.5, tEnd: 2010.5, p99: 12.345 }),
        win({
          index: 2,
          stepIndex: 1,
          phase: 'ramp',
          offered: 750,
          errors: { 'http-5xx': 3, timeout: 1 },
          errorTotal: 4,
          errorRate: 0.013,
          tStart: 2500,
          tEnd: 3500,
        }),
        win({ index: 3, stepIndex: 1, phase: 'ramp', offered: 750, sparse: true, completed: 0, p50: NaN, p99: NaN, tStart: 3500, tEnd: 3520 }),
      ],
    });
    r.windows[2] = { ...r.windows[2]!, runtime: { goroutines: null } };
    const back = windowsFromCsv(windowsCsv(r));
    expect(back).toHaveLength(r.windows.length);
    back.forEach((w, i) => {
      const o = r.windows[i]!;
      for (const k of ['index', 'stepIndex', 'phase', 'warmup', 'sparse', 'offered', 'sent', 'completed', 'errorTotal', 'maxInFlight', 'capHits'] as const)
        expect(w[k], `${k} of window ${i}`).toEqual(o[k]);
      for (const k of ['tStart', 'tEnd', 'achievedRate', 'sendRate', 'p50', 'p99', 'errorRate', 'sendLagP99'] as const) {
        if (Number.isNaN(o[k])) expect(w[k]).toBeNaN();
        else expect(w[k]).toBeCloseTo(o[k], 2);
      }
      expect(w.errors).toEqual(o.errors);
      expect(w.runtime).toEqual(o.runtime);
    });
    const samples = runtimeFromCsv(runtimeCsv(r));
    expect(samples.map((s) => [s.signal, s.value, s.error])).toEqual(r.runtimeSamples.map((s) => [s.signal, s.value, s.error]));
  });

  it('reads a saved run folder', async () => {
    const { result, notes } = await readRunFolder(DEMO_RUN_DIR);
    const csvRows = (await readFile(join(DEMO_RUN_DIR, 'windows.csv'), 'utf8')).trim().split('\n').slice(1);
    expect(result.windows.length).toBe(csvRows.length);
    expect(result.windows.filter((w) => w.warmup).length).toBe(csvRows.filter((l) => l.split(',')[3] === '1').length);
    expect(result.windows.filter((w) => w.warmup).length).toBeGreaterThan(0);
    expect(result.windows.filter((w) => w.sparse).length).toBe(csvRows.filter((l) => l.split(',')[4] === '1').length);
    expect(result.criticalPoint?.value).toBe(969);
    expect(notes).toEqual([]);
  });

  it('names every problem of a bad summary.json as <dot.path>: <what>, got <value>', async () => {
    const dir = await tmp();
    const summary = JSON.parse(await readFile(join(DEMO_RUN_DIR, 'summary.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ ...summary, schemaVersion: 99, name: undefined, stopReason: 'exploded' }));
    const err = await readRunFolder(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunFolderError);
    const problems = (err as RunFolderError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'summary.json: schemaVersion: must be one of 1, got 99',
        'summary.json: name: expected string, got nothing',
        expect.stringMatching(/^summary\.json: stopReason: must be one of "breach", .*, got "exploded"$/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('refuses a folder without summary.json', async () => {
    const err = await readRunFolder(await tmp()).catch((e: unknown) => e);
    expect((err as RunFolderError).problems).toEqual(['summary.json: missing, got no file']);
  });
});

describe('writeReports', () => {
  it('summary.json lists every file and the reports link to each other, whatever the order of formats', async () => {
    const dir = await tmp();
    const r = await demoRun();
    const { files, failures } = await writeReports(r, dir, ['md', 'html', 'json', 'csv']);
    expect(failures).toEqual([]);
    expect(new Set(files)).toEqual(new Set(['windows.csv', 'steps.csv', 'summary.md', 'report.html', 'summary.json']));
    expect(new Set(await readdir(dir))).toEqual(new Set(files));
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as { files: string[] };
    expect(new Set(summary.files)).toEqual(new Set(files));
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    for (const f of ['summary.json', 'summary.md', 'windows.csv', 'steps.csv']) expect(html).toContain(`href="${f}"`);
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain('[report.html](report.html)');
  });
});

describe('critpoint report <run-dir>', () => {
  it('re-renders report.html and summary.md from summary.json and the CSVs', async () => {
    const dir = await tmp();
    await cp(DEMO_RUN_DIR, dir, { recursive: true });
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['report', dir, '--json'], { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {} });
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual({ dir, files: ['report.html', 'summary.md'] });
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('data-field="critical-point">969<');
    expect([...html.matchAll(/data-points="(\d+)"/g)].every((m) => Number(m[1]) > 0)).toBe(true);
    // Data files are the source: never rewritten.
    expect(await readFile(join(dir, 'summary.json'), 'utf8')).toBe(await readFile(join(DEMO_RUN_DIR, 'summary.json'), 'utf8'));
  });

  it('a folder that is not a run folder is an invalid-input error (exit 2) that writes nothing', async () => {
    const dir = await tmp();
    const err: string[] = [];
    const code = await runCli(['report', dir], { stdout: () => undefined, stderr: (s) => err.push(s), env: {} });
    expect(code).toBe(2);
    expect(err.join('')).toContain('summary.json: missing, got no file');
    expect(await readdir(dir)).toEqual([]);
  });
});
