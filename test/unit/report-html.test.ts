// The HTML report rendered from a real saved run (and that run with a
// synthetic runtime signal): headline figures, chart data, offline-ness,
// redaction and escaping.
import { describe, it, expect } from 'vitest';
import { renderReportHtml } from '../../src/reporters/html/html-report.js';
import { JUDGED_P99, reportCharts, SEND_LAG } from '../../src/reporters/html/report-charts.js';
import { signalSpecs, type DetectConfig } from '../../src/detector/signals.js';
import { phaseLabel } from '../../src/reporters/headline.js';
import { chartPointCount } from '../../src/reporters/html/svg-chart.js';
import { demoRun, manyStepRun, withRuntimeSignal } from '../helpers/report-fixtures.js';
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
    expect(lvl.series.find((s) => s.name === 'raw p99 (step)')!.points).toHaveLength(r.steps.length);
    expect(lvl.series.find((s) => s.name === `${JUDGED_P99} per window`)!.points).toHaveLength(r.windows.filter((w) => !w.warmup && !w.sparse).length);
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
    const r: RunResult = {
      ...(await demoRun()),
      files: ['windows.csv', 'summary.json', 'report.html', 'summary.md'],
      evidence: [{ kind: 'goroutine-dump', path: '/runs/x/evidence/goroutine debug2.txt', bytes: 1234 }],
    };
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
    const html = renderReportHtml({
      ...r,
      stopReason: 'target-unreachable',
      criticalPoint: null,
      lastPass: null,
      baseline: null,
      steps: [],
      windows: [],
      stopDetail: 'target http://127.0.0.1:1/ is unreachable',
    });
    expect(charts(html)).toEqual([]);
    expect(html).toContain('id="no-charts"');
    expect(field(html, 'verdict')).toContain('unreachable');
  });
});

describe('report.html explains the decision', () => {
  const p99Spec = (series: DetectConfig['latencySeries'] = 'response') =>
    signalSpecs({
      k: 3,
      confirm: 2,
      p99: { enabled: true, minRatio: 2, sigmaFloor: 0.02 },
      errors: { enabled: false, maxRate: 0.01 },
      throughput: { enabled: false, minRatio: 0.95 },
      generator: { maxSendLag: 5, minSendRatio: 0.98 },
      arrival: 'uniform',
      latencySeries: series,
      runtime: [],
    })[0]!;
  const ys = (spec: ReturnType<typeof reportCharts>[number], name: string) => spec.series.find((s) => s.name === name)!.points.map((p) => p[1]);

  it('draws the p99 the detector read from each window (net of its send lag), and the send lag', async () => {
    const r = await demoRun();
    const [lvl, lot] = reportCharts(r);
    const evaluated = r.windows.filter((w) => !w.warmup && !w.sparse);
    const read = evaluated.map((w) => Math.exp(p99Spec().read(w)!));
    ys(lvl!, `${JUDGED_P99} per window`).forEach((y, i) => expect(y).toBeCloseTo(read[i]!, 9));
    // Over time: the same values, warm-up and sparse windows left out (never judged), breaks between steps.
    expect(ys(lot!, JUDGED_P99).filter((y) => y !== null)).toEqual(ys(lvl!, `${JUDGED_P99} per window`));
    // The run lagged: the judged value is below the raw p99 by the window's send lag.
    expect(evaluated.some((w, i) => w.p99 - read[i]! > 1)).toBe(true);
    expect(ys(lot!, SEND_LAG).filter((y) => y !== null)).toHaveLength(r.windows.length);
    expect(ys(lvl!, `${SEND_LAG} (step)`)).toEqual([...r.steps].sort((a, b) => a.load - b.load).map((s) => s.stats.sendLagP99));
  });

  it('puts the breach markers at the values the breach sentence quotes', async () => {
    const r = await demoRun();
    const quoted = r.criticalPoint!.signals[0]!.values;
    for (const spec of reportCharts(r).slice(0, 2)) {
      const marks = ys(spec, 'p99 breach (confirming windows)');
      expect(marks).toHaveLength(quoted.length);
      marks.forEach((y, i) => expect(y).toBeCloseTo(quoted[i]!, 9));
    }
  });

  it('marks error-rate and runtime-signal breaches on their own charts, at the recorded values', async () => {
    const r = withRuntimeSignal(await demoRun(), 'goroutines');
    const step = r.steps[3]!;
    const w = r.windows.filter((x) => x.stepIndex === 3).slice(1, 3);
    const breaches = [
      {
        signal: 'errors',
        values: [0.04, 0.07],
        windowIndexes: w.map((x) => x.index),
        baselineMedian: 0,
        sigma: 0.001,
        threshold: 0.01,
        reason: 'errors 4.00%, 7.00% > threshold 1.00%',
      },
      {
        signal: 'goroutines',
        values: [80, 95],
        windowIndexes: w.map((x) => x.index),
        baselineMedian: 12,
        sigma: 1,
        threshold: 18,
        reason: 'goroutines 80, 95 > threshold 18',
      },
    ];
    const charts = reportCharts({ ...r, steps: r.steps.map((s) => (s === step ? { ...s, breaches } : s)) });
    ys(
      charts.find((c) => c.id === 'errors-over-time')!,
      'errors breach (confirming windows)',
    ).forEach((y, i) => expect(y).toBeCloseTo([4, 7][i]!, 9));
    expect(
      ys(
        charts.find((c) => c.id === 'runtime-goroutines')!,
        'goroutines breach (confirming windows)',
      ),
    ).toEqual([80, 95]);
    // The latency charts mark only what the p99 signal confirmed.
    expect(charts[1]!.series.map((s) => s.name)).not.toContain('errors breach (confirming windows)');
  });

  it('says once, in one sentence, what was compared with the threshold', async () => {
    const r = await demoRun();
    const html = renderReportHtml(r);
    const notes = [...html.matchAll(/<p class="note"[^>]*>(.*?)<\/p>/gs)].map((m) => m[1]!);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/judged p99, its p99 minus its send-lag p99 .* threshold 24\.3 ms and calls a breach after 2 consecutive windows above it/);
    expect(notes[0]!.split('. ')).toHaveLength(1);
    // A run without send lag (closed loop, k6) says there was nothing to subtract.
    const noLag = renderReportHtml({
      ...r,
      windows: r.windows.map((w) => ({ ...w, sendLagP99: 0 })),
      steps: r.steps.map((s) => ({ ...s, stats: { ...s.stats, sendLagP99: 0 } })),
    });
    expect(noLag).toMatch(/recorded no send lag to subtract/);
    expect(noLag).not.toContain(`data-series="${SEND_LAG}`);
  });

  it('prints the breach sentence once', async () => {
    const r = await demoRun();
    const reason = r.criticalPoint!.signals[0]!.reason.replace(/>/g, '&gt;');
    const html = renderReportHtml(r);
    expect(html.split(reason)).toHaveLength(2);
    expect(field(html, 'stop-detail')).toBeNull();
    expect(html).toMatch(/step 3 \(1010 req\/s\): <b>p99<\/b> as in the headline; windows 31, 32/);
    // A stop detail that says something new is kept.
    const completed = renderReportHtml({ ...r, stopReason: 'completed', criticalPoint: null, stopDetail: 'no breach up to load.end (3000 req/s)' });
    expect(field(completed, 'stop-detail')).toBe('no breach up to load.end (3000 req/s)');
  });

  it('marks a passing step whose raw p99 is above the threshold, and explains it', async () => {
    const r = await demoRun();
    expect(renderReportHtml(r)).not.toContain('id="steps-note"');
    const steps = r.steps.map((s) => (s.index === 2 ? { ...s, stats: { ...s.stats, p99: 30 } } : s));
    const html = renderReportHtml({ ...r, steps });
    expect(html).toMatch(/<td>30<sup class="flag"/);
    expect(html.match(/<sup class="flag"/g)).toHaveLength(1);
    expect(html).toMatch(/id="steps-note"><sup>\*<\/sup> raw p99 above the threshold 24\.3 ms on a passing step/);
  });

  it('names the recheck and a generator-limited repeat', async () => {
    const r = await manyStepRun();
    const html = renderReportHtml(r);
    const phases = [.../<table id="steps">.*?<\/table>/s.exec(html)![0].matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td>/g)].map((m) => m[2]);
    expect(phases.filter((p) => p === 'recheck')).toHaveLength(1);
    expect(phases[r.steps.findIndex((s) => s.outcome === 'breach') + 1]).toBe('recheck');
    const [a, b] = [r.steps[3]!, r.steps[4]!];
    expect(phaseLabel({ ...b, load: a.load }, { ...a, outcome: 'generator-limited' })).toBe('ramp repeat');
    expect(phaseLabel({ ...b, phase: 'refine', load: a.load }, { ...a, phase: 'refine', outcome: 'breach' })).toBe('refine');
    expect(phaseLabel(b, a)).toBe('ramp');
    expect(phaseLabel(r.steps[0]!, undefined)).toBe('baseline');
  });
});
