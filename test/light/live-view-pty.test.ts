// The live view in a real pseudo-terminal (util-linux `script`): a short run
// against the demo target, everything the CLI drew replayed on a small
// terminal model. The phases must change in order, each redraw must replace
// the previous block exactly (no stale line left, no wrapped line), and the
// final screen must hold the finished steps and the summary. A light test (run
// beside the unit tests): nothing here depends on what the run found, only on
// what it drew against what its summary says it did (a ramp step that breaches
// early, or a baseline a busy machine left generator-limited, is as good as a
// full ramp).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoTarget, type DemoTarget } from '../../src/demo/demo-target.js';
import { runCliInPty } from '../helpers/cli-child.js';
import { VirtualTerminal } from '../helpers/virtual-terminal.js';
import type { RunResult } from '../../src/types.js';

const COLUMNS = 100;
let target: DemoTarget;
let out: string;

beforeAll(async () => {
  execFileSync('script', ['--version']);
  target = await startDemoTarget({ workers: 4, serviceMs: 10 });
  out = await mkdtemp(join(tmpdir(), 'critpoint-pty-'));
});
afterAll(async () => {
  await target?.close();
});

/** The phase word of a frame's first line ("critpoint <phase> ..."). */
const phaseOf = (screen: string[]) => screen.map((l) => /^critpoint (\S+)/.exec(l)?.[1]).filter((p): p is string => p !== undefined);

describe('live view on a terminal', () => {
  it('shows the phases change and redraws in place', async () => {
    const run = await runCliInPty(['run', 'test/fixtures/scenarios/live-short.yaml', '--target', target.url, '--out', out], COLUMNS);
    const dir = join(out, 'live-short', (await readdir(join(out, 'live-short')))[0]!);
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as RunResult;
    expect(run.code).toBe(summary.exitCode);

    const term = new VirtualTerminal(COLUMNS);
    term.write(run.stdout);
    expect(term.unknown).toEqual([]);
    // Many redraws; each frame drawn shows one live block, never two (a miscounted redraw leaves a stale one).
    expect(term.snapshots.length).toBeGreaterThan(20);
    const frames = term.snapshots.map(phaseOf);
    for (const f of frames.slice(1)) expect(f.length).toBeLessThanOrEqual(1);

    // The phases seen, in order, without repeats: those the run reached (a busy machine may end it
    // generator-limited at its baseline; the summary says which it reached).
    const seen = frames.flat().filter((p, i, a) => p !== a[i - 1]);
    const reached = (phase: string) => summary.steps.some((s) => s.phase === phase);
    const expected = ['warm-up', 'baseline', ...['ramp', 'refine'].filter(reached)];
    const order = expected.map((p) => seen.indexOf(p));
    expect(
      order.every((i) => i >= 0),
      `phases seen: ${seen.join(' > ')}`,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    // Frames show the step, the rate and the p99 against its threshold once the baseline is known.
    const texts = term.snapshots.map((s) => s.join('\n'));
    if (reached('ramp')) {
      expect(texts.some((t) => /step #\d+ \(ramp \d+ of \d+\) [\d.]+ req\/s/.test(t))).toBe(true);
      expect(texts.some((t) => /latency +p99 [\d.]+ ms \/ threshold [\d.]+ ms/.test(t))).toBe(true);
    }
    expect(texts.some((t) => /elapsed \d+:\d\d +budget 0:45/.test(t))).toBe(true);

    // Final screen: the live block is gone; one line per finished step and the summary stay.
    const screen = term.screen();
    expect(phaseOf(screen)).toEqual([]);
    expect(screen.filter((l) => /^ {2}step \d+ /.test(l))).toHaveLength(summary.steps.length);
    expect(screen.some((l) => l.startsWith(`stop reason: ${summary.stopReason}`))).toBe(true);
    // Live lines are cut to the width: none filled the row (a full row means the terminal wrapped it).
    for (const snap of term.snapshots) {
      const at = snap.findIndex((l) => l.startsWith('critpoint '));
      if (at >= 0) for (const l of snap.slice(at)) expect(l.length).toBeLessThan(COLUMNS);
    }
  });
});
