// A real run through the CLI without a terminal (CI mode): stdout carries only
// the --json summary, stderr one plain line per step, and the run folder's
// report.html and summary.md show what summary.json says, with data in every
// chart and no external reference. Then `critpoint report` re-renders it.
// A light test (run beside the unit tests): every check holds whatever the run
// found (a critical point or none, any stop reason), so a busy machine changes
// what the report says, never whether it matches the summary.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoTarget, type DemoTarget } from '../../src/demo/demo-target.js';
import { runCliChild } from '../helpers/cli-child.js';
import { externalReferences, field } from '../helpers/html-checks.js';
import type { RunResult } from '../../src/types.js';

const SCENARIO = 'test/fixtures/scenarios/live-short.yaml';
let target: DemoTarget;
let out: string;

beforeAll(async () => {
  target = await startDemoTarget({ workers: 4, serviceMs: 10 });
  out = await mkdtemp(join(tmpdir(), 'critpoint-report-run-'));
});
afterAll(async () => {
  await target?.close();
});

describe('a real run writes a report that matches its summary', () => {
  it('runs, keeps stdout clean, and renders report.html and summary.md from the same result', async () => {
    const run = await runCliChild(['run', SCENARIO, '--target', target.url, '--out', out, '--json']);
    expect(run.stderr).not.toContain('\x1b');
    // stdout: exactly one JSON object.
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0]!) as Omit<RunResult, 'windows'>;
    // stderr: one plain line per step.
    const stepLines = run.stderr.split('\n').filter((l) => /^ {2}step \d+ /.test(l));
    expect(stepLines).toHaveLength(printed.steps.length);
    expect(run.code).toBe(printed.exitCode);

    const dir = join(out, 'live-short', (await readdir(join(out, 'live-short')))[0]!);
    expect(new Set(await readdir(dir))).toEqual(new Set(['summary.json', 'windows.csv', 'steps.csv', 'report.html', 'summary.md']));
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as RunResult & { windowCount: number };
    expect(summary.runId).toBe(printed.runId);
    expect(summary.windowCount).toBeGreaterThan(5);

    const html = await readFile(join(dir, 'report.html'), 'utf8');
    const cp = summary.criticalPoint;
    expect(field(html, 'stop-reason')).toBe(summary.stopReason);
    if (cp) {
      expect(field(html, 'critical-point')).toBe(String(cp.value));
      expect(field(html, 'unit')).toBe(cp.unit);
      expect(field(html, 'last-pass')).toBe(`${cp.lastPass} ${cp.unit}`);
      expect(field(html, 'first-breach')).toBe(`${cp.firstBreach} ${cp.unit}`);
      expect(field(html, 'resolution')).toBe(`${(cp.resolution * 100).toFixed(1)}%`);
      for (const s of cp.signals) expect(field(html, 'breaching-signal')).toContain(s.signal);
    } else {
      expect(field(html, 'critical-point')).toBe('no critical point');
    }
    const charts = [...html.matchAll(/data-chart="([^"]+)" data-points="(\d+)"/g)].map((m) => [m[1], Number(m[2])] as const);
    expect(charts.map((c) => c[0])).toEqual(['latency-vs-load', 'latency-over-time', 'rate-over-time', 'errors-over-time']);
    for (const [id, n] of charts) expect(n, id).toBeGreaterThan(0);
    // The latency chart has a p99 point for every step of the summary.
    const lvl = /<svg[^>]*data-chart="latency-vs-load".*?<\/svg>/s.exec(html)![0];
    expect(lvl.match(/<circle class="dot" data-series="raw p99 \(step\)"/g)).toHaveLength(summary.steps.filter((s) => Number.isFinite(s.stats.p99)).length);
    expect(externalReferences(html).filter((u) => !/^[\w.-]+\.(csv|json|md)$/.test(u))).toEqual([]);
    expect(html).not.toMatch(/NaN|Infinity|<script/);

    const md = await readFile(join(dir, 'summary.md'), 'utf8');
    expect(md).toContain(cp ? `**Critical point: ${cp.value} ${cp.unit}**` : `**No critical point** (${summary.stopReason})`);
    expect(md.split('\n').filter((l) => /^\| \d+ \| /.test(l))).toHaveLength(summary.steps.length);

    // Re-rendered from the folder: same headline, same charts.
    const again = await runCliChild(['report', dir, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ dir, files: ['report.html', 'summary.md'] });
    const html2 = await readFile(join(dir, 'report.html'), 'utf8');
    for (const f of ['critical-point', 'unit', 'stop-reason', 'last-pass', 'first-breach', 'resolution', 'breaching-signal'])
      expect(field(html2, f), f).toBe(field(html, f));
    expect([...html2.matchAll(/data-chart="([^"]+)" data-points="(\d+)"/g)].map((m) => [m[1], Number(m[2])])).toEqual(charts);
  });
});
