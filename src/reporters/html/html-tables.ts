// The report's tables: steps, baseline signals, errors by kind, sampler
// health, files and evidence. Formatting only.
import { isAbsolute, relative } from 'node:path';
import type { RunResult } from '../../types.js';
import { fmtNum, fmtPct, fmtSignal, phaseLabels } from '../headline.js';
import { escapeHtml as e } from './escape-html.js';
import { bandOf } from './report-charts.js';

const row = (cells: string[], tag = 'td') => `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
const table = (id: string, head: string[], rows: string[][]) =>
  `<div class="scroll"><table id="${id}"><thead>${row(head.map(e), 'th')}</thead><tbody>${rows.map((r) => row(r)).join('')}</tbody></table></div>`;

export function stepTable(r: RunResult): string {
  const cp = r.criticalPoint;
  const phases = phaseLabels(r);
  const threshold = r.baseline?.signals.p99?.threshold;
  // A passing step's raw p99 can sit above the threshold: the detector judged its windows net of send lag.
  const above = (p99: number) => threshold !== undefined && Number.isFinite(p99) && p99 > threshold;
  const flagged = r.steps.filter((s) => s.outcome === 'pass' && s.phase !== 'baseline' && above(s.stats.p99));
  const rows = r.steps.map((s) => {
    const mark = cp && s.load === cp.value && s.outcome === 'pass' ? ' <span class="tag cp">critical point</span>' : '';
    const outcome = `<span class="tag ${e(s.outcome)}">${e(s.outcome)}</span>${s.breaches.length ? ` ${e(s.breaches.map((b) => b.signal).join(', '))}` : ''}`;
    const p99 = `${e(fmtNum(s.stats.p99))}${flagged.includes(s) ? '<sup class="flag" title="above the threshold: judged net of send lag">*</sup>' : ''}`;
    return [
      String(s.index),
      e(phases.get(s.index) ?? s.phase),
      `${e(fmtNum(s.load, 4))}${mark}`,
      outcome,
      String(s.stats.sent),
      String(s.stats.completed),
      e(fmtNum(s.stats.achievedRate, 4)),
      e(fmtNum(s.stats.p50)),
      e(fmtNum(s.stats.p90)),
      p99,
      e(fmtNum(s.stats.max)),
      String(s.stats.errorTotal),
      e(fmtNum(s.stats.sendLagP99)),
      String(s.stats.maxInFlight),
      String(s.windowCount),
    ];
  });
  const unit = r.steps[0]?.unit ?? 'req/s';
  const note =
    flagged.length > 0 && threshold !== undefined
      ? `<p class="muted" id="steps-note"><sup>*</sup> raw p99 above the threshold ${e(fmtSignal('p99', threshold))} on a passing step: the judged p99 of its windows was not above it in enough consecutive windows (see the latency charts).</p>`
      : '';
  return (
    table(
      'steps',
      [
        'step',
        'phase',
        `load (${unit})`,
        'outcome',
        'sent',
        'completed',
        'achieved/s',
        'p50 ms',
        'p90 ms',
        'raw p99 ms',
        'max ms',
        'errors',
        'send lag p99 ms',
        'max in flight',
        'windows',
      ],
      rows,
    ) + note
  );
}

/** Request names of a run with several requests, in the scenario's order (the first step that has them). */
export function requestNames(r: RunResult): string[] {
  const s = r.steps.find((x) => x.stats.byRequest);
  return s ? Object.keys(s.stats.byRequest ?? {}) : [];
}

/** Several requests: each step's figures per request name, the step's totals first. Empty otherwise. */
export function requestTable(r: RunResult): string {
  const names = requestNames(r);
  if (names.length === 0) return '';
  const phases = phaseLabels(r);
  const rows = r.steps.flatMap((s) => {
    const by = s.stats.byRequest;
    if (!by) return [];
    const head = [String(s.index), e(phases.get(s.index) ?? s.phase), e(fmtNum(s.load, 4))];
    const total = [
      ...head,
      '<b>all</b>',
      String(s.stats.sent),
      String(s.stats.completed),
      e(fmtNum(s.stats.achievedRate, 4)),
      e(fmtNum(s.stats.p50)),
      e(fmtNum(s.stats.p90)),
      e(fmtNum(s.stats.p99)),
      e(fmtNum(s.stats.max)),
      String(s.stats.errorTotal),
    ];
    const per = Object.entries(by).map(([name, q]) => [
      '',
      '',
      '',
      e(name),
      String(q.sent),
      String(q.completed),
      e(fmtNum(q.achievedRate, 4)),
      e(fmtNum(q.p50)),
      e(fmtNum(q.p90)),
      e(fmtNum(q.p99)),
      e(fmtNum(q.max)),
      `${q.errorTotal}${q.errorTotal > 0 ? ` (${e(fmtPct(q.errorRate, 2))})` : ''}`,
    ]);
    return [total, ...per];
  });
  const unit = r.steps[0]?.unit ?? 'req/s';
  return table(
    'requests',
    ['step', 'phase', `load (${unit})`, 'request', 'sent', 'completed', 'achieved/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors'],
    rows,
  );
}

/** Each step's breaches with their windows; a breach sentence the headline or a warning already quotes is pointed at, not repeated. */
export function breachList(r: RunResult): string {
  const headline = new Set((r.criticalPoint?.signals ?? []).map((b) => b.reason));
  const said = (reason: string) => (headline.has(reason) ? 'as in the headline' : r.warnings.some((w) => w.includes(reason)) ? 'as in the warnings' : null);
  const items = r.steps.flatMap((s) =>
    s.breaches.map(
      (b) =>
        `<li>step ${s.index} (${e(fmtNum(s.load, 4))} ${e(s.unit)}): <b>${e(b.signal)}</b> ${e(said(b.reason) ?? b.reason)}; windows ${e(b.windowIndexes.join(', '))}</li>`,
    ),
  );
  return items.length > 0 ? `<ul class="breaches">${items.join('')}</ul>` : '';
}

export function baselineTable(r: RunResult): string {
  const b = r.baseline;
  if (!b) return '<p class="muted">No baseline was learned (the run ended before the ramp).</p>';
  const rows = Object.values(b.signals).map((s) => {
    const [lo, hi] = bandOf(s);
    return [
      e(s.signal),
      e(s.statistic),
      e(s.direction === 'up' ? 'rises above' : 'falls below'),
      e(fmtSignal(s.signal, s.medianValue)),
      `${e(fmtSignal(s.signal, lo))} .. ${e(fmtSignal(s.signal, hi))}`,
      e(fmtSignal(s.signal, s.practicalThreshold)),
      `<b>${e(fmtSignal(s.signal, s.threshold))}</b>`,
      String(s.windows),
    ];
  });
  return `<p>Learned at ${e(fmtNum(b.load, 4))} ${e(b.unit)} from ${b.windows} windows.</p>${table('baseline', ['signal', 'statistic', 'breaches when it', 'median', 'band (median \u00b1 k\u00b7sigma)', 'practical floor', 'threshold', 'windows'], rows)}`;
}

export function errorTable(r: RunResult): string {
  const kinds = [...new Set(r.steps.flatMap((s) => Object.keys(s.stats.errors)))].sort();
  if (kinds.length === 0) return '<p class="muted">No request failed.</p>';
  const rows = r.steps.map((s) => [String(s.index), e(fmtNum(s.load, 4)), ...kinds.map((k) => String(s.stats.errors[k] ?? 0)), String(s.stats.errorTotal)]);
  return table('errors', ['step', 'load', ...kinds, 'total'], rows);
}

export function samplerTable(r: RunResult): string {
  if (r.samplers.length === 0) return '<p class="muted">No runtime sampler was configured.</p>';
  const rows = r.samplers.map((s) => [
    e(s.signal),
    `<span class="tag ${s.status === 'ok' ? 'pass' : 'breach'}">${e(s.status)}</span>`,
    String(s.samples),
    String(s.gaps),
    e(s.lastError ?? ''),
  ]);
  return table('samplers', ['signal', 'status', 'samples', 'gaps', 'last error'], rows);
}

const href = (path: string, dir: string | undefined) => {
  const rel = isAbsolute(path) && dir ? relative(dir, path) : path;
  return rel.split(/[\\/]/).map(encodeURIComponent).join('/');
};

export function fileList(r: RunResult, dir?: string): string {
  const files = r.files.filter((f) => f !== 'report.html').map((f) => `<li><a href="${href(f, dir)}">${e(f)}</a></li>`);
  const evidence = r.evidence.map((f) => `<li><a href="${href(f.path, dir)}">${e(f.path)}</a> <span class="muted">${e(f.kind)}, ${f.bytes} bytes</span></li>`);
  return [
    `<h3>Run files</h3>${files.length ? `<ul class="files">${files.join('')}</ul>` : '<p class="muted">No other file was written.</p>'}`,
    `<h3>Evidence</h3>${evidence.length ? `<ul class="files evidence">${evidence.join('')}</ul>` : '<p class="muted">No evidence was captured (the target exposes no profile endpoint, or the run did not stop on a breach).</p>'}`,
  ].join('');
}

export function environmentList(r: RunResult): string {
  const env = r.environment;
  const items: [string, string][] = [
    ['run', r.runId],
    ['target', r.target],
    ['engine', r.engine],
    ['started', r.startedAt],
    ['ended', r.endedAt],
    ['duration', `${fmtNum(r.durationMs / 1000)} s`],
    ['exit code', String(r.exitCode)],
    ['critpoint', env.critpoint],
    ['node', env.node],
    ['machine', `${env.platform}/${env.arch}, ${env.cpus} x ${env.cpuModel}, ${env.totalMemoryMb} MB`],
    ['load average at start', env.loadAverage.join(', ')],
  ];
  return `<dl class="facts">${items.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl>`;
}
