// The files of a gate: gate.json, gate.md and gate.xml (JUnit) in the gate's folder, plus the
// markdown appended to --summary-md (e.g. $GITHUB_STEP_SUMMARY) and the JUnit copy at --junit.
// Formatting only; a gate without a verdict (a failed run, an interrupt) still gets every file,
// so CI shows why.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { writeAtomic } from '../reporters/atomic-write.js';
import { escapeXml, gateJson, renderGateJUnit, renderGateMarkdown, type GateJson, type GateReportOptions } from './gate-report.js';
import { gateExitCode, type GateOutcome, type GateRunRecord } from './gate-outcome.js';
import { percent } from '../format/numbers.js';

/** gate.json: the decision (gateJson) and the gate's context; verdict ERROR when there is none. */
export interface GateFile extends Omit<GateJson, 'verdict'> {
  verdict: GateJson['verdict'] | 'ERROR';
  mode: GateOutcome['mode'];
  status: GateOutcome['status'];
  exitCode: number;
  error: string | null;
  scenario: string;
  seed: number | null;
  pairsPlanned: number;
  maxPairs: number;
  targets: { base: string; head: string };
  runs: GateRunRecord[];
  notes: string[];
  startedAt: string;
  endedAt: string;
}

function reportOptions(o: GateOutcome): GateReportOptions {
  return { unit: o.unit, ...(o.base.label ? { baseLabel: o.base.label } : {}), ...(o.head.label ? { headLabel: o.head.label } : {}) };
}

export function gateFile(o: GateOutcome): GateFile {
  const context = {
    mode: o.mode,
    status: o.status,
    exitCode: gateExitCode(o),
    error: o.error,
    scenario: o.scenario,
    seed: o.seed,
    pairsPlanned: o.pairsPlanned,
    maxPairs: o.maxPairs,
    targets: { base: o.base.target, head: o.head.target },
    runs: o.runs,
    notes: o.notes,
    startedAt: o.startedAt,
    endedAt: o.endedAt,
  };
  if (o.decision) return { ...gateJson(o.decision, reportOptions(o)), ...context };
  return {
    kind: 'critpoint-gate',
    schemaVersion: 1,
    verdict: 'ERROR',
    reason: o.error ?? 'no verdict',
    n: 0,
    unit: o.unit,
    base: o.base.label,
    head: o.head.label,
    ratio: null,
    change: null,
    lower: null,
    upper: null,
    widening: { lower: 1, upper: 1 },
    maxDrop: o.maxDrop,
    threshold: 1 - o.maxDrop,
    sdLog: null,
    mde: null,
    pairs: [],
    ...context,
  };
}

function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function runsTable(o: GateOutcome): string[] {
  return [
    `| pair | side | critical point (${o.unit}) | resolution | stop reason | run |`,
    '|---:|---|---:|---:|---|---|',
    ...o.runs.map((r) => {
      const where = r.stored ? `stored: \`${cell(r.target)}\`` : r.runDir ? `\`${cell(relative(o.dir, r.runDir) || '.')}\`` : '-';
      return `| ${r.pair === 0 ? 'stored' : r.pair} | ${r.side} | ${r.criticalPoint ?? '-'} | ${percent(r.resolution)} | ${r.stopReason} | ${where} |`;
    }),
  ];
}

export function gateMarkdown(o: GateOutcome): string {
  const head = o.decision
    ? renderGateMarkdown(o.decision, reportOptions(o)).trimEnd().split('\n')
    : [`### critpoint gate: ${o.status === 'interrupted' ? 'INTERRUPTED' : 'ERROR'}`, '', `**No verdict**: ${cell(o.error ?? 'unknown')}`];
  const mode =
    o.mode === 'interleaved'
      ? `Mode: interleaved pairs (order seed ${o.seed}), base \`${cell(o.base.target)}\`, head \`${cell(o.head.target)}\`.`
      : `Mode: one head run (\`${cell(o.head.target)}\`) against the stored baseline \`${cell(o.base.target)}\`.`;
  const lines = [...head, '', mode, ...o.notes.map((n) => `> ${cell(n)}`), '', '<details><summary>runs</summary>', '', ...runsTable(o), '', '</details>'];
  return `${lines.join('\n')}\n`;
}

export function gateJUnit(o: GateOutcome): string {
  if (o.decision) return renderGateJUnit(o.decision, reportOptions(o));
  const msg = escapeXml(o.error ?? 'no verdict');
  const type = o.status === 'interrupted' ? 'INTERRUPTED' : 'ERROR';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites name="critpoint" tests="1" failures="0" errors="1" skipped="0">',
    '  <testsuite name="critpoint-gate" tests="1" failures="0" errors="1" skipped="0">',
    '    <testcase classname="critpoint-gate" name="verdict">',
    `      <error message="${msg}" type="${type}">${msg}</error>`,
    '    </testcase>',
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export interface GateOutputPaths {
  /** Append the markdown here (e.g. $GITHUB_STEP_SUMMARY). */
  summaryMd?: string;
  /** Write the JUnit XML here too. */
  junit?: string;
}

/** Writes gate.json, gate.md, gate.xml into the gate folder and the extra paths; returns every path written. */
export async function writeGateOutputs(o: GateOutcome, paths: GateOutputPaths = {}): Promise<string[]> {
  await mkdir(o.dir, { recursive: true });
  const md = gateMarkdown(o);
  const xml = gateJUnit(o);
  const written: string[] = [];
  const put = async (path: string, text: string) => {
    await writeAtomic(path, text);
    written.push(path);
  };
  await put(join(o.dir, 'gate.md'), md);
  await put(join(o.dir, 'gate.xml'), xml);
  if (paths.junit) {
    await mkdir(dirname(paths.junit), { recursive: true });
    await put(paths.junit, xml);
  }
  if (paths.summaryMd) {
    await appendFile(paths.summaryMd, `${md}\n`);
    written.push(paths.summaryMd);
  }
  // Last, so a gate.json on disk means every other file is there too.
  await put(join(o.dir, 'gate.json'), `${JSON.stringify(gateFile(o), null, 2)}\n`);
  return written;
}
