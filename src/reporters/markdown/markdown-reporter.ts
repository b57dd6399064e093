// summary.md: the headline and the step table in markdown, for a pull
// request comment or a CI job summary. Formatting only.
import { connectionsLine } from '../../runner/diagnostics.js';
import { join } from 'node:path';
import type { Reporter, RunResult } from '../../types.js';
import { writeAtomic } from '../atomic-write.js';
import { fmtNum, fmtPct, headlineOf } from '../headline.js';

export const MARKDOWN_FILE = 'summary.md';

/** Text safe inside a markdown table cell or a line. */
export function mdText(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/([*_`<>[\]])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

export function markdownStepTable(r: RunResult): string {
  const unit = r.steps[0]?.unit ?? 'req/s';
  const head = ['step', 'phase', `load (${unit})`, 'outcome', 'sent', 'achieved/s', 'p50 ms', 'p99 ms', 'errors', 'send lag p99 ms'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 || i === 3 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const s of r.steps) {
    const outcome = `${s.outcome}${s.breaches.length ? ` (${s.breaches.map((b) => b.signal).join(', ')})` : ''}`;
    const cp = r.criticalPoint && s.load === r.criticalPoint.value && s.outcome === 'pass' ? ' **critical point**' : '';
    lines.push(
      `| ${[String(s.index), s.phase, `${fmtNum(s.load, 4)}${cp}`, mdText(outcome), String(s.stats.sent), fmtNum(s.stats.achievedRate, 4), fmtNum(s.stats.p50), fmtNum(s.stats.p99), String(s.stats.errorTotal), fmtNum(s.stats.sendLagP99)].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** Several requests: each step's figures per request name (empty string otherwise). */
export function markdownRequestTable(r: RunResult): string {
  if (!r.steps.some((s) => s.stats.byRequest)) return '';
  const unit = r.steps[0]?.unit ?? 'req/s';
  const head = ['step', `load (${unit})`, 'request', 'sent', 'achieved/s', 'p50 ms', 'p99 ms', 'errors'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 2 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const s of r.steps)
    for (const [name, q] of Object.entries(s.stats.byRequest ?? {}))
      lines.push(
        `| ${[String(s.index), fmtNum(s.load, 4), mdText(name), String(q.sent), fmtNum(q.achievedRate, 4), fmtNum(q.p50), fmtNum(q.p99), q.errorTotal > 0 ? `${q.errorTotal} (${fmtPct(q.errorRate, 2)})` : '0'].join(' | ')} |`,
      );
  return lines.join('\n');
}

export function renderSummaryMarkdown(r: RunResult): string {
  const h = headlineOf(r);
  const cp = h.criticalPoint;
  const out: string[] = [
    `# critpoint: ${mdText(r.name)}`,
    '',
    cp ? `**Critical point: ${fmtNum(cp.value, 4)} ${cp.unit}**` : `**No critical point** (${h.stopReason})`,
    '',
    mdText(h.verdict),
    '',
    `| | |`,
    `| --- | --- |`,
    `| stop reason | \`${h.stopReason}\` |`,
    `| breaching signal | ${h.breaching.length ? h.breaching.map((b) => `**${mdText(b.signal)}**: ${mdText(b.reason)}`).join('<br>') : '-'} |`,
    `| last pass | ${fmtNum(h.lastPass, 4)} ${h.unit} |`,
    `| first breach | ${h.firstBreach === null ? '-' : `${fmtNum(h.firstBreach, 4)} ${h.unit}`} |`,
    `| resolution | ${fmtPct(h.resolution)} |`,
    ...(h.stopDetailRepeats ? [] : [`| why it stopped | ${mdText(h.stopDetail)} |`]),
    `| target | ${mdText(r.target)} (${mdText(r.engine)}) |`,
    ...(r.diagnostics?.connections ? [`| connections | ${mdText(connectionsLine(r.diagnostics.connections))} |`] : []),
    `| started | ${r.startedAt}, ${fmtNum(r.durationMs / 1000)} s |`,
    '',
    '## Steps',
    '',
    markdownStepTable(r),
  ];
  const requests = markdownRequestTable(r);
  if (requests) out.push('', '## Per request', '', requests);
  if (r.warnings.length > 0) out.push('', '## Warnings', '', ...r.warnings.map((w) => `- ${mdText(w)}`));
  const links = r.files.filter((f) => f !== MARKDOWN_FILE);
  if (links.length > 0 || r.evidence.length > 0) {
    out.push(
      '',
      '## Files',
      '',
      ...links.map((f) => `- [${mdText(f)}](${encodeURI(f)})`),
      ...r.evidence.map((f) => `- [${mdText(f.path)}](${encodeURI(f.path)}) (${mdText(f.kind)} evidence, ${f.bytes} bytes)`),
    );
  }
  return `${out.join('\n')}\n`;
}

export const markdownReporter: Reporter = {
  name: 'md',
  files: [MARKDOWN_FILE],
  async write(result, dir) {
    await writeAtomic(join(dir, MARKDOWN_FILE), renderSummaryMarkdown(result));
    return [MARKDOWN_FILE];
  },
};
