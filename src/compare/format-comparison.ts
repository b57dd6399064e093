// Renders a Comparison as a markdown table, JSON, or aligned plain text. Formatting only: every
// number shown was computed by compareRuns (the change column is head / base - 1 of what is shown).
import type { Comparison, RunSide } from './compare-runs.js';
import { percent, signedPercent } from '../format/numbers.js';

export type ComparisonFormat = 'md' | 'json' | 'text';

interface Row {
  label: string;
  base: string;
  head: string;
  change: string;
}

/** A number for people: integers as is, >= 1000 rounded, else 4 significant digits; '-' for none. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  if (Number.isInteger(v) || Math.abs(v) >= 1000) return Math.round(v).toString();
  return Number(v.toPrecision(4)).toString();
}

function signedPct(x: number): string {
  return Number.isFinite(x) ? signedPercent(x) : '';
}

function ratioChange(b: number | null | undefined, h: number | null | undefined): string {
  if (b === null || b === undefined || h === null || h === undefined || b === 0) return '';
  return signedPct(h / b - 1);
}

function cpCell(s: RunSide): string {
  return `${s.lowerBound ? '>= ' : ''}${formatNumber(s.criticalPoint)}`;
}

function listCell(xs: string[]): string {
  return xs.length > 0 ? xs.join(', ') : '-';
}

/** How a signal's values are shown: shares as percentages, everything else as the figure with its unit in the label. */
function signalDisplay(unit: string | undefined): { unit: string; cell: (v: number | null | undefined) => string } {
  if (unit === 'share of requests') return { unit: '% of requests', cell: (v) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : percent(v, 2)) };
  if (unit === 'achieved/offered') return { unit: '% of offered', cell: (v) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : percent(v, 1)) };
  return { unit: unit ?? 'as sampled', cell: formatNumber };
}

function rowsOf(c: Comparison): Row[] {
  const { base: b, head: h, unit } = c;
  const shiftPrefix = { exact: '', 'at-least': '>= ', 'at-most': '<= ', unknown: '' }[c.shiftBound];
  const rows: Row[] = [
    { label: `critical point (${unit})`, base: cpCell(b), head: cpCell(h), change: c.shiftBound === 'unknown' ? '?' : `${shiftPrefix}${signedPct(c.shift)}` },
    { label: `last pass (${unit})`, base: formatNumber(b.lastPass), head: formatNumber(h.lastPass), change: ratioChange(b.lastPass, h.lastPass) },
    {
      label: `first breach (${unit})`,
      base: formatNumber(b.firstBreach),
      head: formatNumber(h.firstBreach),
      change: ratioChange(b.firstBreach, h.firstBreach),
    },
    {
      label: 'resolution',
      base: percent(b.resolution),
      head: percent(h.resolution),
      change: c.combinedResolution === null ? '' : `combined ${percent(c.combinedResolution)}`,
    },
    { label: 'stop reason', base: b.stopReason, head: h.stopReason, change: '' },
    { label: 'breaching signals', base: listCell(b.breachingSignals), head: listCell(h.breachingSignals), change: '' },
    { label: 'baseline p50 (ms)', base: formatNumber(b.baselineP50), head: formatNumber(h.baselineP50), change: ratioChange(b.baselineP50, h.baselineP50) },
    { label: 'baseline p99 (ms)', base: formatNumber(b.baselineP99), head: formatNumber(h.baselineP99), change: ratioChange(b.baselineP99, h.baselineP99) },
  ];
  for (const name of c.baselineSignals) {
    const vb = b.atBaseline[name];
    const vh = h.atBaseline[name];
    const d = signalDisplay(c.signalUnits[name]);
    rows.push({ label: `${name} at baseline (median, ${d.unit})`, base: d.cell(vb), head: d.cell(vh), change: ratioChange(vb, vh) });
  }
  for (const name of c.breachSignals) {
    const d = signalDisplay(c.signalUnits[name]);
    const cell = (s: RunSide): string => {
      const vs = s.atBreach[name];
      return vs && vs.length > 0 ? vs.map(d.cell).join(', ') : '-';
    };
    rows.push({ label: `${name} at breach (${d.unit})`, base: cell(b), head: cell(h), change: '' });
  }
  return rows;
}

function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function renderMarkdown(c: Comparison): string {
  const lines = [
    `### critpoint compare: ${mdCell(c.head.name)} (head) vs ${mdCell(c.base.name)} (base)`,
    '',
    mdCell(c.summary).replace(/^([^:]+):/, '**$1**:'),
    '',
    '| | base | head | change |',
    '|---|---:|---:|---:|',
    ...rowsOf(c).map((r) => `| ${mdCell(r.label)} | ${mdCell(r.base)} | ${mdCell(r.head)} | ${mdCell(r.change)} |`),
    '',
    `Runs: base \`${mdCell(c.base.runId)}\`, head \`${mdCell(c.head.runId)}\`.`,
  ];
  if (c.notes.length > 0) lines.push('', ...c.notes.map((n) => `- ${mdCell(n)}`));
  return `${lines.join('\n')}\n`;
}

function renderText(c: Comparison): string {
  const header: Row = { label: '', base: 'base', head: 'head', change: 'change' };
  const rows = [header, ...rowsOf(c)];
  const w = {
    label: Math.max(...rows.map((r) => r.label.length)),
    base: Math.max(...rows.map((r) => r.base.length)),
    head: Math.max(...rows.map((r) => r.head.length)),
    change: Math.max(...rows.map((r) => r.change.length)),
  };
  const line = (r: Row): string =>
    `${r.label.padEnd(w.label)}  ${r.base.padStart(w.base)}  ${r.head.padStart(w.head)}  ${r.change.padStart(w.change)}`.trimEnd();
  const out = [c.summary, '', ...rows.map(line)];
  if (c.notes.length > 0) out.push('', ...c.notes.map((n) => `note: ${n}`));
  return `${out.join('\n')}\n`;
}

/** JSON with non-finite numbers as null (JSON has no NaN or Infinity). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

export function formatComparison(c: Comparison, format: ComparisonFormat): string {
  switch (format) {
    case 'md':
      return renderMarkdown(c);
    case 'json':
      return `${toJson({ kind: 'critpoint-compare', schemaVersion: 1, ...c })}\n`;
    case 'text':
      return renderText(c);
    default: {
      const never: never = format;
      throw new RangeError(`formatComparison: unknown format '${String(never)}' (md, json, text)`);
    }
  }
}
