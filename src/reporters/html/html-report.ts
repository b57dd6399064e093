// report.html: one self-contained page (inline CSS and SVG, no script, no
// external reference) that opens offline. Headline, charts, tables, the
// resolved scenario (secrets redacted) and links to the run's files.
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Reporter, RunResult } from '../../types.js';
import { redactScenario } from '../../scenario/secrets.js';
import { writeAtomic } from '../atomic-write.js';
import { fmtNum, fmtPct, headlineOf } from '../headline.js';
import { escapeHtml as e } from './escape-html.js';
import { reportCharts } from './report-charts.js';
import { renderChartSvg, renderLegend, type ChartSpec } from './svg-chart.js';
import { baselineTable, breachList, environmentList, errorTable, fileList, requestTable, samplerTable, stepTable } from './html-tables.js';
import { REPORT_CSS } from './report-css.js';

export const REPORT_FILE = 'report.html';

function headlineSection(r: RunResult): string {
  const h = headlineOf(r);
  const cp = h.criticalPoint;
  const big = cp
    ? `<div class="cp"><span class="value" data-field="critical-point">${e(fmtNum(cp.value, 4))}</span> <span class="unit" data-field="unit">${e(cp.unit)}</span></div>`
    : `<div class="cp none"><span class="value" data-field="critical-point">no critical point</span> <span class="unit" data-field="unit">${e(h.unit)}</span></div>`;
  const facts: [string, string, string][] = [
    ['stop reason', 'stop-reason', `<span class="tag ${h.stopReason === 'breach' ? 'breach' : 'other'}">${e(h.stopReason)}</span>`],
    ['breaching signal', 'breaching-signal', h.breaching.length ? h.breaching.map((b) => `<b>${e(b.signal)}</b>: ${e(b.reason)}`).join('<br>') : '-'],
    ['last pass', 'last-pass', `${e(fmtNum(h.lastPass, 4))} ${e(h.unit)}`],
    ['first breach', 'first-breach', h.firstBreach === null ? '-' : `${e(fmtNum(h.firstBreach, 4))} ${e(h.unit)}`],
    ['resolution', 'resolution', e(fmtPct(h.resolution))],
    ...(h.stopDetailRepeats ? [] : [['why it stopped', 'stop-detail', e(h.stopDetail)] as [string, string, string]]),
  ];
  return `<section class="headline ${e(h.stopReason)}">${big}<p class="verdict" data-field="verdict">${e(h.verdict)}</p><dl class="facts">${facts.map(([k, f, v]) => `<dt>${e(k)}</dt><dd data-field="${f}">${v}</dd>`).join('')}</dl></section>`;
}

function chartFigure(spec: ChartSpec): string {
  return `<figure class="chart-box" data-chart="${e(spec.id)}"><figcaption><h3>${e(spec.title)}</h3></figcaption>${renderLegend(spec)}${renderChartSvg(spec)}${spec.caption ? `<p class="caption">${e(spec.caption)}</p>` : ''}${spec.note ? `<p class="note" data-note="${e(spec.id)}">${e(spec.note)}</p>` : ''}</figure>`;
}

export interface HtmlReportOptions {
  /** Run folder, to turn absolute evidence paths into relative links. */
  dir?: string;
}

export function renderReportHtml(r: RunResult, opts: HtmlReportOptions = {}): string {
  const charts = reportCharts(r);
  const warnings = r.warnings.length
    ? `<section class="warnings"><h2>Warnings</h2><ul>${r.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul></section>`
    : '';
  const scenario = stringify(redactScenario(r.scenario ?? {}), { lineWidth: 0 });
  const requests = requestTable(r);
  const body = [
    `<header><h1>critpoint: ${e(r.name)}</h1><p class="muted">${e(r.target)} &middot; ${e(r.startedAt)} &middot; ${e(fmtNum(r.durationMs / 1000))} s &middot; run ${e(r.runId)}</p></header>`,
    headlineSection(r),
    warnings,
    `<section><h2>Charts</h2>${charts.length ? charts.map(chartFigure).join('') : '<p class="muted" id="no-charts">The run measured nothing to chart (it stopped before the first window).</p>'}</section>`,
    `<section><h2>Steps</h2>${stepTable(r)}${breachList(r)}</section>`,
    ...(requests
      ? [
          `<section><h2>Per request</h2><p class="muted">Each step's totals (all) and its figures per request name; windows.csv and steps.csv hold the same per window and per step.</p>${requests}</section>`,
        ]
      : []),
    `<section><h2>Baseline</h2>${baselineTable(r)}</section>`,
    `<section><h2>Errors by kind</h2>${errorTable(r)}</section>`,
    `<section><h2>Runtime samplers</h2>${samplerTable(r)}</section>`,
    `<section><h2>Files</h2>${fileList(r, opts.dir)}</section>`,
    `<section><h2>Environment</h2>${environmentList(r)}</section>`,
    `<section><h2>Resolved scenario</h2><p class="muted">Defaults filled in; secrets redacted (<code>\${env:NAME}</code> references are kept as written).</p><pre id="scenario">${e(scenario)}</pre></section>`,
    `<footer class="muted">critpoint ${e(r.environment.critpoint)} &middot; summary schema ${r.schemaVersion} &middot; this page works offline: no script, no external resource.</footer>`,
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>critpoint ${e(r.name)}: ${e(headlineOf(r).criticalPoint ? `${fmtNum(r.criticalPoint?.value, 4)} ${headlineOf(r).unit}` : r.stopReason)}</title>
<style>${REPORT_CSS}</style></head>
<body>${body.join('\n')}</body></html>
`;
}

export const htmlReporter: Reporter = {
  name: 'html',
  files: [REPORT_FILE],
  async write(result, dir) {
    await writeAtomic(join(dir, REPORT_FILE), renderReportHtml(result, { dir }));
    return [REPORT_FILE];
  },
};
