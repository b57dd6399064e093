import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideGate } from '../../src/compare/gate-decision.js';
import { decideBaselineGate } from '../../src/compare/baseline-gate.js';
import { gateFile, gateJUnit, gateMarkdown, writeGateOutputs } from '../../src/compare/gate-outputs.js';
import type { GateOutcome, GateRunRecord } from '../../src/compare/gate-outcome.js';

function run(pair: number, side: 'base' | 'head', cp: number | null, stopReason: GateRunRecord['stopReason'] = 'breach'): GateRunRecord {
  return {
    pair,
    side,
    order: 'base-first',
    target: `http://127.0.0.1:${side === 'base' ? 8081 : 8082}/`,
    runId: `r${pair}${side}`,
    runDir: `/g/pair-${pair}-${side}/n/t`,
    stopReason,
    stopDetail: `stopped: ${stopReason}`,
    criticalPoint: cp,
    unit: 'req/s',
    lastPass: cp,
    firstBreach: cp === null ? null : cp * 1.03,
    resolution: cp === null ? null : 0.03,
    durationMs: 20_000,
    stored: false,
  };
}

function outcome(extra: Partial<GateOutcome>): GateOutcome {
  return {
    mode: 'interleaved',
    status: 'decided',
    decision: null,
    error: null,
    signal: null,
    scenario: 'checkout',
    unit: 'req/s',
    maxDrop: 0.15,
    pairsPlanned: 2,
    maxPairs: 10,
    seed: 7,
    base: { label: 'main', target: 'http://127.0.0.1:8081/' },
    head: { label: 'pr-42', target: 'http://127.0.0.1:8082/' },
    runs: [],
    notes: [],
    startedAt: 's',
    endedAt: 'e',
    dir: '/g',
    ...extra,
  };
}

const blocked = outcome({
  decision: decideGate(
    [
      { base: 1000, head: 750, order: 'base-first', baseResolution: 0.03, headResolution: 0.03 },
      { base: 1000, head: 740, order: 'head-first', baseResolution: 0.03, headResolution: 0.03 },
    ],
    0.15,
  ),
  runs: [run(1, 'base', 1000), run(1, 'head', 750), run(2, 'head', 740), run(2, 'base', 1000)],
});
const failed = outcome({
  status: 'error',
  error: 'head run of pair 1 (r1head) was generator-limited: at 700 req/s & <more>',
  runs: [run(1, 'base', 1000), run(1, 'head', null, 'generator-limited')],
});

describe('gate outputs', () => {
  it('gate.json of a verdict: the decision plus the context', () => {
    const j = gateFile(blocked);
    expect(j).toMatchObject({
      kind: 'critpoint-gate',
      verdict: 'BLOCK',
      exitCode: 10,
      mode: 'interleaved',
      status: 'decided',
      seed: 7,
      base: 'main',
      head: 'pr-42',
      n: 2,
      error: null,
    });
    expect(j.runs).toHaveLength(4);
    expect(j.targets).toEqual({ base: 'http://127.0.0.1:8081/', head: 'http://127.0.0.1:8082/' });
  });
  it('gate.json without a verdict: ERROR, exit 12, the reason, no numbers', () => {
    const j = gateFile(failed);
    expect(j).toMatchObject({ verdict: 'ERROR', exitCode: 12, status: 'error', ratio: null, lower: null, upper: null, n: 0, pairs: [] });
    expect(j.reason).toContain('generator-limited');
  });
  it('markdown: verdict, mode, and a runs table with folders relative to the gate folder', () => {
    const md = gateMarkdown(blocked);
    expect(md).toMatch(/^### critpoint gate: BLOCK \(head `pr-42` vs base `main`\)/);
    expect(md).toContain('Mode: interleaved pairs (order seed 7)');
    expect(md).toContain('| 2 | head | 740 | 3.0% | breach | `pair-2-head/n/t` |');
  });
  it('markdown without a verdict says why', () => {
    const md = gateMarkdown(failed);
    expect(md).toMatch(/^### critpoint gate: ERROR\n\n\*\*No verdict\*\*: head run of pair 1/);
    expect(md).toContain('| 1 | head | - | - | generator-limited |');
  });
  it('markdown of a baseline gate shows the stored run and the weaker-mode note', () => {
    const o = outcome({
      mode: 'baseline',
      seed: null,
      base: { label: null, target: 'results/main/summary.json' },
      decision: decideBaselineGate({ criticalPoint: 1000, resolution: 0.03 }, { criticalPoint: 990, resolution: 0.03 }, 0.15),
      runs: [{ ...run(0, 'base', 1000), stored: true, target: 'results/main/summary.json', runDir: null }, run(1, 'head', 990)],
      notes: ['Baseline mode ... weaker than interleaving'],
    });
    const md = gateMarkdown(o);
    expect(md).toContain('Mode: one head run (`http://127.0.0.1:8082/`) against the stored baseline `results/main/summary.json`.');
    expect(md).toContain('> Baseline mode ... weaker than interleaving');
    expect(md).toContain('| stored | base | 1000 | 3.0% | breach | stored: `results/main/summary.json` |');
  });
  it('JUnit without a verdict is one errored testcase with the escaped reason', () => {
    const xml = gateJUnit(failed);
    expect(xml).toContain('<testsuite name="critpoint-gate" tests="1" failures="0" errors="1" skipped="0">');
    expect(xml).toContain('type="ERROR">head run of pair 1 (r1head) was generator-limited: at 700 req/s &amp; &lt;more&gt;</error>');
  });
  it('JUnit of a BLOCK has one failure', () => {
    expect(gateJUnit(blocked)).toMatch(/<failure message="BLOCK: /);
  });
  it('writes gate.json, gate.md, gate.xml, the --junit copy, and appends to --summary-md', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'critpoint-gate-out-'));
    const summary = join(dir, 'step-summary.md');
    await writeFile(summary, '# earlier step\n');
    const o = { ...blocked, dir: join(dir, 'gate') };
    const written = await writeGateOutputs(o, { summaryMd: summary, junit: join(dir, 'reports', 'gate.xml') });
    expect(written.map((p) => p.slice(dir.length + 1))).toEqual(['gate/gate.md', 'gate/gate.xml', 'reports/gate.xml', 'step-summary.md', 'gate/gate.json']);
    expect(JSON.parse(await readFile(join(dir, 'gate', 'gate.json'), 'utf8'))).toMatchObject({ verdict: 'BLOCK', exitCode: 10 });
    expect(await readFile(join(dir, 'reports', 'gate.xml'), 'utf8')).toBe(await readFile(join(dir, 'gate', 'gate.xml'), 'utf8'));
    const appended = await readFile(summary, 'utf8');
    expect(appended.startsWith('# earlier step\n### critpoint gate: BLOCK')).toBe(true);
  });
});
