// The HTML report rendered from a real saved run (and that run with a
// synthetic runtime signal): headline figures, chart data, offline-ness,
// redaction and escaping.
import { describe, it, expect } from 'vitest';
import { renderReportHtml } from '../../src/reporters/html/html-report.js';
import { reportCharts } from '../../src/reporters/html/report-charts.js';
import { chartPointCount } from '../../src/reporters/html/svg-chart.js';
import { demoRun, withRuntimeSignal } from '../helpers/report-fixtures.js';
import type { RunResult } from '../../src/types.js';
import { chartsOf, externalReferences, field } from '../helpers/html-checks.js';

const charts = chartsOf;

describe('report.html from a real run', () => {
  it('shows the headline figures of summary.json', async () => {
    const r = await demoRun();
    const html = renderReportHtml(r);
    const cp = r.criticalPoint!;
    expect(field(html, 'critical-point')).toBe(String(cp.value));
    expect(field(html, 'unit')).toBe(cp.unit);
    expect(field(html, 'stop-reason')).toBe(r.stopReason);
    expect(field(html, 'last-pass')).toBe(`${cp.lastPass} ${cp.unit}`);
    expect(field(html, 'first-breach')).toBe(`${cp.firstBreach} ${cp.unit}`);
    expect(field(html, 'resolution')).toBe(`${(cp.resolution * 100).toFixed(1)}%`);
    expect(field(html, 'breaching-signal')).toContain(cp.signals[0]!.signal);
    expect(field(html, 'breaching-signal')).toContain(cp.signals[0]!.reason);
  });

  it('has the four core charts, each with data, and one row per step', async () => {
    const r = await demoRun();
    const html = renderReportHtml(r);
    const found = charts(html);
    expect(found.map((c) => c.id)).toEqual(['latency-vs-load', 'latency-over-time', 'rate-over-time', 'errors-over-time']);
    for (const c of found) expect(c.points, c.id).toBeGreaterThan(0);
    // The latency-vs-load chart has one p50 and one p99 point per step, and one dot per evaluated window.
    const lvl = reportCharts(r)[0]!;
    expect(lvl.series.find((s) => s.name === 'p99 (step)')!.points).toHaveLength(r.steps.length);
    expect(lvl.series.find((s) => s.name === 'p99 per window')!.points).toHaveLength(r.windows.filter((w) => !w.warmup && !w.sparse).length);
    expect(lvl.vRules!.map((v) => v.at)).toEqual([r.criticalPoint!.value, r.criticalPoint!.firstBreach]);
    expect(lvl.hRules!.find((h) => h.label.startsWith('threshold'))!.at).toBe(r.baseline!.signals.p99!.threshold);
    const stepRows = /<table id="steps">.*?<tbody>(.*?)<\/tbody>/s.exec(html)![1]!.match(/<tr>/g);
    expect(stepRows).toHaveLength(r.steps.length);
  });

  it('references nothing outside the file and draws no NaN', async () => {
    const html = renderReportHtml(await demoRun());
    expect(externalReferences(html).filter((u) => !/^[\w.-]+\.(csv|json|md)$/.test(u))).toEqual([]);
    expect(html).not.toMatch(/<script|<link|<img|<iframe/i);
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
    expect(html).not.toMatch(/NaN|Infinity/);
  });

  it('draws every runtime signal with its baseline band and threshold', async () => {
    const r = withRuntimeSignal(await demoRun(), 'goroutines');
    const spec = reportCharts(r).find((c) => c.id === 'runtime-goroutines')!;
    expect(spec).toBeDefined();
    const b = r.baseline!.signals.goroutines!;
    // Every non-gap sample is plotted; the gap breaks the line.
    expect(chartPointCount(spec)).toBe(r.runtimeSamples.filter((s) => s.value !== null).length);
    expect(spec.hRules!.find((h) => h.label.startsWith('threshold'))!.at).toBe(b.threshold);
    expect(spec.hBands![0]!.to).toBeCloseTo(b.robustThreshold, 9);
    const html = renderReportHtml(r);
    const svg = /<svg[^>]*data-chart="runtime-goroutines".*?<\/svg>/s.exec(html)![0];
    expect(svg).toContain('class="hband"');
    expect(svg).toMatch(/class="rule-label"[^>]*>threshold /);
    expect((svg.match(/<path class="series"[^>]*d="([^"]*)"/)![1]!.match(/M/g) ?? []).length).toBeGreaterThan(1);
    expect(html).toMatch(/<table id="samplers">.*goroutines.*gaps.*timeout after 500 ms/s);
  });

  it('redacts secrets in the resolved scenario and escapes run text', async () => {
    const r = await demoRun();
    const scenario = { ...r.scenario, http: { method: 'GET', path: '/', headers: { Authorization: 'Bearer s3cr3t-literal', 'x-trace': '${env:TRACE_ID}' } } };
    const html = renderReportHtml({ ...r, name: 'a<script>alert(1)</script>', scenario });
    expect(html).not.toContain('s3cr3t-literal');
    expect(html).toContain('[redacted]');
    expect(html).toContain('${env:TRACE_ID}');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('a&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('links the run files and evidence relative to the run folder', async () => {
    const r: RunResult = { ...(await demoRun()), files: ['windows.csv', 'summary.json', 'report.html', 'summary.md'], evidence: [{ kind: 'goroutine-dump', path: '/runs/x/evidence/goroutine debug2.txt', bytes: 1234 }] };
    const html = renderReportHtml(r, { dir: '/runs/x' });
    expect(html).toContain('href="summary.json"');
    expect(html).toContain('href="summary.md"');
    expect(html).toContain('href="evidence/goroutine%20debug2.txt"');
    expect(html).not.toContain('href="report.html"');
  });
});

describe('report.html for runs without a critical point', () => {
  it('a completed ramp says the critical point is above the ramp', async () => {
    const r = await demoRun();
    const html = renderReportHtml({ ...r, stopReason: 'completed', criticalPoint: null, lastPass: 3000, stopDetail: 'no breach up to load.end' });
    expect(field(html, 'critical-point')).toBe('no critical point');
    expect(field(html, 'verdict')).toMatch(/above the ramp/);
    expect(field(html, 'last-pass')).toBe('3000 req/s');
  });

  it('a generator-limited run never presents a critical point', async () => {
    const r = await demoRun();
    const html = renderReportHtml({ ...r, stopReason: 'generator-limited', criticalPoint: null, lastPass: 675 });
    expect(field(html, 'critical-point')).toBe('no critical point');
    expect(field(html, 'verdict')).toMatch(/not the target's critical point/);
  });

  it('a run that measured nothing has no chart and says why', async () => {
    const r = await demoRun();
    const html = renderReportHtml({ ...r, stopReason: 'target-unreachable', criticalPoint: null, lastPass: null, baseline: null, steps: [], windows: [], stopDetail: 'target http://127.0.0.1:1/ is unreachable' });
    expect(charts(html)).toEqual([]);
    expect(html).toContain('id="no-charts"');
    expect(field(html, 'verdict')).toContain('unreachable');
  });
});
