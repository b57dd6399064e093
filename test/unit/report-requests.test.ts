// Per-request breakdown in every report: summary.json (steps), windows.csv and
// steps.csv (a request column: the total row, then one row per request),
// report.html (a per-request table and a p99-per-request chart), summary.md;
// and the run-folder reader puts the per-request rows back in their windows.
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import type { RequestBreakdown, RequestStats, RunResult } from '../../src/types.js';
import { demoRun } from '../helpers/report-fixtures.js';
import { stepsCsv, windowsCsv } from '../../src/reporters/csv/csv-reporter.js';
import { windowsFromCsv } from '../../src/reporters/run-folder.js';
import { parseSummary, summaryOf } from '../../src/result/summary-io.js';
import { renderReportHtml } from '../../src/reporters/html/html-report.js';
import { renderSummaryMarkdown } from '../../src/reporters/markdown/markdown-reporter.js';
import { chartsOf } from '../helpers/html-checks.js';

/** 90% "fast" at the total's p50, 10% "slow" at 3x its p99 (one slow 5xx per window when there are any errors). */
function split(t: { sent: number; completed: number; errorTotal: number; achievedRate: number; p50: number; p99: number }): RequestBreakdown {
  const fastSent = Math.round(t.sent * 0.9);
  const fastDone = Math.round(t.completed * 0.9);
  const q = (sent: number, completed: number, errorTotal: number, rate: number, p: number): RequestStats => ({
    count: completed,
    sent,
    completed,
    errors: errorTotal ? { 'check-failed': errorTotal } : {},
    errorTotal,
    errorRate: completed ? errorTotal / completed : 0,
    achievedRate: rate,
    p50: p,
    p90: p,
    p99: p,
    max: p,
    mean: p,
  });
  return {
    fast: q(fastSent, fastDone, 0, t.achievedRate * 0.9, t.p50),
    'slow, "cold" key': q(t.sent - fastSent, t.completed - fastDone, t.errorTotal, t.achievedRate * 0.1, 3 * t.p99),
  };
}

async function mixRun(): Promise<RunResult> {
  const r = await demoRun();
  return {
    ...r,
    windows: r.windows.map((w) => ({ ...w, byRequest: split(w) })),
    steps: r.steps.map((s) => ({ ...s, stats: { ...s.stats, byRequest: split(s.stats) } })),
  };
}

describe('per-request reports', () => {
  it('summary.json steps carry byRequest through the one schema', async () => {
    const r = await mixRun();
    const json = JSON.parse(JSON.stringify(summaryOf(r)));
    expect(Object.keys(json.steps[1].stats.byRequest)).toEqual(['fast', 'slow, "cold" key']);
    const back = parseSummary(json);
    expect(back.ok).toBe(true);
    if (back.ok) expect(back.summary.steps[1]!.stats.byRequest).toEqual(r.steps[1]!.stats.byRequest);
  });

  it('windows.csv: a request column, the total row then one row per request; read back into byRequest', async () => {
    const r = await mixRun();
    const rows = parse(windowsCsv(r), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(r.windows.length * 3);
    const w = r.windows[3]!;
    const of = rows.filter((x) => Number(x.index) === w.index);
    expect(of.map((x) => x.request)).toEqual(['', 'fast', 'slow, "cold" key']);
    expect(Number(of[2]!.p99_ms)).toBeCloseTo(w.byRequest!['slow, "cold" key']!.p99, 2);
    expect(Number(of[1]!.sent) + Number(of[2]!.sent)).toBe(Number(of[0]!.sent));
    // Totals-only columns stay empty on a request's row.
    expect([of[1]!.send_lag_p99_ms, of[1]!.generator_busy]).toEqual(['', '']);

    const back = windowsFromCsv(windowsCsv(r));
    expect(back).toHaveLength(r.windows.length);
    const b = back[3]!.byRequest!;
    const o = w.byRequest!;
    for (const name of Object.keys(o)) {
      expect(b[name]!.sent).toBe(o[name]!.sent);
      expect(b[name]!.count).toBe(o[name]!.count);
      expect(b[name]!.errors).toEqual(o[name]!.errors);
      expect(b[name]!.p99).toBeCloseTo(o[name]!.p99, 2);
    }
    // A run without a breakdown keeps its columns exactly.
    const plain = await demoRun();
    expect(windowsCsv(plain).split('\n')[0]).not.toContain('request');
  });

  it('steps.csv: the same shape per step', async () => {
    const r = await mixRun();
    const rows = parse(stepsCsv(r), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(r.steps.length * 3);
    const s = r.steps[2]!;
    const of = rows.filter((x) => Number(x.index) === s.index);
    expect(of.map((x) => x.request)).toEqual(['', 'fast', 'slow, "cold" key']);
    expect(of[0]!.outcome).toBe(s.outcome);
    expect(of[1]!.outcome).toBe('');
    expect(Number(of[1]!.load)).toBe(s.load);
    expect(Number(of[2]!.p99_ms)).toBeCloseTo(s.stats.byRequest!['slow, "cold" key']!.p99, 2);
  });

  it('report.html: a per-request table per step and a p99-per-request chart; summary.md a per-request table', async () => {
    const r = await mixRun();
    const html = renderReportHtml(r);
    const table = /<table id="requests">(.*?)<\/table>/s.exec(html)?.[1] ?? '';
    expect((table.match(/<tr>/g) ?? []).length).toBe(1 + r.steps.length * 3);
    expect(table).toContain('slow, &quot;cold&quot; key');
    const chart = chartsOf(html).find((c) => c.id === 'latency-by-request');
    expect(chart?.points).toBeGreaterThanOrEqual(2 * r.windows.filter((w) => w.completed > 0).length);

    const md = renderSummaryMarkdown(r);
    expect(md).toContain('## Per request');
    expect(md.split('\n').filter((l) => l.includes('| fast |'))).toHaveLength(r.steps.length);

    const plain = await demoRun();
    expect(renderReportHtml(plain)).not.toContain('id="requests"');
    expect(chartsOf(renderReportHtml(plain)).some((c) => c.id === 'latency-by-request')).toBe(false);
    expect(renderSummaryMarkdown(plain)).not.toContain('Per request');
  });
});
