// Renderers for a GateDecision: a markdown summary (GitHub job summary / PR comment), JUnit XML
// (one testsuite "critpoint-gate": a testcase per pair plus the verdict), and the gate.json
// object. Formatting only: the statistics come from decideGate.
import type { GateDecision, GateVerdict } from './gate-decision.js';
import type { PairOrder } from './pair-order.js';
import { percent } from '../format/numbers.js';

export interface GateReportOptions {
  /** Unit of the critical points, e.g. 'req/s' or 'connections'. */
  unit?: string;
  /** Labels of the two sides, e.g. branch names or commits. */
  baseLabel?: string;
  headLabel?: string;
}

function num(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (Number.isInteger(v) || Math.abs(v) >= 1000) return Math.round(v).toString();
  return Number(v.toPrecision(4)).toString();
}

function signedPct(x: number): string {
  return Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : '-';
}

function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Markdown for a GitHub job summary or a PR comment. */
export function renderGateMarkdown(d: GateDecision, opts: GateReportOptions = {}): string {
  const unit = opts.unit ? ` (${mdCell(opts.unit)})` : '';
  const sides = opts.baseLabel || opts.headLabel ? ` (head \`${mdCell(opts.headLabel ?? 'head')}\` vs base \`${mdCell(opts.baseLabel ?? 'base')}\`)` : '';
  const lines = [
    `### critpoint gate: ${d.verdict}${sides}`,
    '',
    `**Verdict: ${d.verdict}**: head/base ${percent(d.ratio)} (${signedPct(d.ratio - 1)}), 95% interval ${percent(d.lower)} to ${percent(d.upper)}, floor ${percent(d.threshold)} (max drop ${percent(d.maxDrop)}), ${d.n} pairs.`,
    '',
    mdCell(d.reason),
    '',
    '| | value |',
    '|---|---:|',
    `| head / base | ${percent(d.ratio)} |`,
    `| 95% interval | ${percent(d.lower)} to ${percent(d.upper)} |`,
    `| floor (1 - max drop) | ${percent(d.threshold)} |`,
    `| pairs | ${d.n} |`,
    ...(d.widening.lower < 1 || d.widening.upper > 1 ? [`| interval widened for resolution | x${num(d.widening.lower)} / x${num(d.widening.upper)} |`] : []),
    `| per-pair noise (sd of ln ratio) | ${percent(d.sdLog)} |`,
    `| minimal detectable drop (80% power) | ${percent(d.mde)} |`,
    '',
    `| pair | order | base${unit} | head${unit} | head / base |`,
    '|---:|---|---:|---:|---:|',
    ...d.pairs.map((p, i) => `| ${i + 1} | ${p.order} | ${num(p.base)} | ${num(p.head)} | ${percent(p.head / p.base)} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Escapes text for XML content and attribute values, dropping characters XML 1.0 forbids. */
export function escapeXml(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/** JUnit XML: suite "critpoint-gate", one passing testcase per pair, one for the verdict. */
export function renderGateJUnit(d: GateDecision, opts: GateReportOptions = {}): string {
  const unit = opts.unit ? ` ${opts.unit}` : '';
  const failures = d.verdict === 'BLOCK' ? 1 : 0;
  const skipped = d.verdict === 'INCONCLUSIVE' ? 1 : 0;
  const tests = d.pairs.length + 1;
  const a = escapeXml;
  const props: [string, string][] = [
    ['verdict', d.verdict],
    ['ratio', String(d.ratio)],
    ['lower', String(d.lower)],
    ['upper', String(d.upper)],
    ['maxDrop', String(d.maxDrop)],
    ['mde', String(d.mde)],
    ...(opts.baseLabel ? [['base', opts.baseLabel] as [string, string]] : []),
    ...(opts.headLabel ? [['head', opts.headLabel] as [string, string]] : []),
  ];
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="critpoint" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">`,
    `  <testsuite name="critpoint-gate" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">`,
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${a(k)}" value="${a(v)}"/>`),
    '    </properties>',
  ];
  d.pairs.forEach((p, i) => {
    const text = `base ${num(p.base)}${unit}, head ${num(p.head)}${unit}, head/base ${percent(p.head / p.base)}`;
    out.push(
      `    <testcase classname="critpoint-gate" name="${a(`pair ${i + 1} (${p.order})`)}">`,
      `      <system-out>${a(text)}</system-out>`,
      '    </testcase>',
    );
  });
  out.push(`    <testcase classname="critpoint-gate" name="verdict">`);
  if (d.verdict === 'BLOCK') {
    out.push(`      <failure message="${a(d.reason)}" type="BLOCK">${a(d.reason)}</failure>`);
  } else if (d.verdict === 'INCONCLUSIVE') {
    out.push(`      <skipped message="${a(d.reason)}"/>`);
  }
  out.push(`      <system-out>${a(d.reason)}</system-out>`, '    </testcase>', '  </testsuite>', '</testsuites>');
  return `${out.join('\n')}\n`;
}

export interface GateJsonPair {
  index: number;
  order: PairOrder;
  base: number;
  head: number;
  ratio: number;
  /** Resolutions of the two runs, when known. */
  baseResolution?: number;
  headResolution?: number;
}

/** The gate.json document. Numbers that are undefined (fewer than 2 pairs) are null. */
export interface GateJson {
  kind: 'critpoint-gate';
  schemaVersion: 1;
  verdict: GateVerdict;
  reason: string;
  n: number;
  unit: string | null;
  base: string | null;
  head: string | null;
  ratio: number | null;
  change: number | null;
  lower: number | null;
  upper: number | null;
  /** Factors the t-interval was widened by for the runs' resolutions. */
  widening: { lower: number; upper: number };
  maxDrop: number;
  threshold: number;
  sdLog: number | null;
  mde: number | null;
  pairs: GateJsonPair[];
}

function orNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

export function gateJson(d: GateDecision, opts: GateReportOptions = {}): GateJson {
  return {
    kind: 'critpoint-gate',
    schemaVersion: 1,
    verdict: d.verdict,
    reason: d.reason,
    n: d.n,
    unit: opts.unit ?? null,
    base: opts.baseLabel ?? null,
    head: opts.headLabel ?? null,
    ratio: orNull(d.ratio),
    change: orNull(d.ratio - 1),
    lower: orNull(d.lower),
    upper: orNull(d.upper),
    widening: { ...d.widening },
    maxDrop: d.maxDrop,
    threshold: d.threshold,
    sdLog: orNull(d.sdLog),
    mde: orNull(d.mde),
    pairs: d.pairs.map((p, i) => ({
      index: i + 1,
      order: p.order,
      base: p.base,
      head: p.head,
      ratio: p.head / p.base,
      ...(p.baseResolution === undefined ? {} : { baseResolution: p.baseResolution }),
      ...(p.headResolution === undefined ? {} : { headResolution: p.headResolution }),
    })),
  };
}
