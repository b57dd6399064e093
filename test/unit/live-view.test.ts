// The live view's pure core (events -> state -> frame) and the progress
// mode choice. The terminal itself is exercised in
// test/light/live-view-pty.test.ts.
import { describe, it, expect } from 'vitest';
import { initialLiveState, liveFrame, livePhase, reduceLive, renderLine, type FrameContext, type LiveState } from '../../src/cli/live-state.js';
import { LiveView, rewind } from '../../src/cli/live-view.js';
import { createProgress, progressMode } from '../../src/cli/progress.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Baseline, ProgressEvent, Step, StepResult } from '../../src/types.js';
import { win } from '../helpers/windows.js';
import { runCli } from '../../src/cli/program.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ESC = String.fromCharCode(27);
const step = (over: Partial<Step>): Step => ({
  index: 0,
  phase: 'baseline',
  load: 100,
  unit: 'req/s',
  durationMs: 5000,
  warmupMs: 1000,
  maxRequests: Infinity,
  ...over,
});
const result = (over: Partial<StepResult>): StepResult => ({
  index: 0,
  phase: 'ramp',
  load: 100,
  unit: 'req/s',
  outcome: 'pass',
  breaches: [],
  windowCount: 5,
  stats: {
    sent: 500,
    completed: 500,
    errors: {},
    errorTotal: 0,
    achievedRate: 100,
    p50: 5,
    p90: 8,
    p99: 10,
    max: 12,
    mean: 5.5,
    sendLagP99: 0.5,
    maxInFlight: 3,
    aborted: false,
    elapsedMs: 5000,
  },
  ...over,
});
const baseline: Baseline = {
  load: 100,
  unit: 'req/s',
  windows: 20,
  signals: {
    p99: {
      signal: 'p99',
      statistic: 'log-p99',
      direction: 'up',
      median: Math.log(10),
      sigma: 0.05,
      robustThreshold: Math.log(10) + 0.15,
      practicalThreshold: 20,
      threshold: 20,
      medianValue: 10,
      windows: 20,
    },
    errors: {
      signal: 'errors',
      statistic: 'rate',
      direction: 'up',
      median: 0,
      sigma: 0.001,
      robustThreshold: 0.003,
      practicalThreshold: 0.01,
      threshold: 0.01,
      medianValue: 0,
      windows: 20,
    },
    goroutines: {
      signal: 'goroutines',
      statistic: 'value',
      direction: 'up',
      median: 12,
      sigma: 1,
      robustThreshold: 15,
      practicalThreshold: 18,
      threshold: 18,
      medianValue: 12,
      windows: 20,
    },
  },
};
const ctx = (now: number, columns = 100): FrameContext => ({ now, budgetMs: 60_000, rampLoads: [150, 225, 340], refineSteps: 3, columns, color: false });

/** Folds events given as [time, event] and returns the phase after each. */
function phases(events: [number, ProgressEvent][]): string[] {
  let s: LiveState = initialLiveState();
  return events.map(([t, e]) => {
    s = reduceLive(s, e, t);
    return livePhase(s, t);
  });
}

describe('live view phases', () => {
  it('go preflight, warm-up, baseline, ramp, drain, refine, done', () => {
    const seen = phases([
      [0, { type: 'phase', phase: 'preflight' }],
      [10, { type: 'phase', phase: 'baseline' }],
      [20, { type: 'step-start', step: step({}) }],
      [500, { type: 'window', window: win({ warmup: true, stepIndex: 0, phase: 'baseline' }), baseline: null }],
      [1600, { type: 'window', window: win({ stepIndex: 0, phase: 'baseline' }), baseline: null }],
      [6000, { type: 'step-end', result: result({ phase: 'baseline' }) }],
      [6001, { type: 'phase', phase: 'ramp' }],
      [6500, { type: 'step-start', step: step({ index: 1, phase: 'ramp', load: 150, warmupMs: 0 }) }],
      [9000, { type: 'step-end', result: result({ index: 1, load: 150, outcome: 'breach' }) }],
      [9001, { type: 'phase', phase: 'refine' }],
      [9500, { type: 'step-start', step: step({ index: 2, phase: 'refine', load: 125, warmupMs: 0 }) }],
      [12000, { type: 'phase', phase: 'done' }],
    ]);
    expect(seen).toEqual(['preflight', 'baseline', 'warm-up', 'warm-up', 'baseline', 'drain', 'drain', 'ramp', 'drain', 'drain', 'refine', 'done']);
  });

  it('warm-up ends by the clock even before a window closes', () => {
    let s = reduceLive(initialLiveState(), { type: 'phase', phase: 'baseline' }, 0);
    s = reduceLive(s, { type: 'step-start', step: step({ warmupMs: 2000 }) }, 100);
    expect([livePhase(s, 1000), livePhase(s, 2200)]).toEqual(['warm-up', 'baseline']);
  });
});

describe('live frame', () => {
  let s: LiveState = initialLiveState();
  s = reduceLive(s, { type: 'phase', phase: 'ramp' }, 0);
  s = reduceLive(s, { type: 'step-end', result: result({ index: 1, load: 150, outcome: 'pass' }) }, 0);
  s = reduceLive(s, { type: 'step-start', step: step({ index: 2, phase: 'ramp', load: 225, warmupMs: 0, durationMs: 4000 }) }, 1000);
  s = reduceLive(
    s,
    {
      type: 'window',
      window: win({ offered: 225, achievedRate: 220, p99: 31.5, p50: 7, errorRate: 0.002, runtime: { goroutines: 25, heap_mb: null } }),
      baseline,
    },
    2000,
  );

  it('shows the step, its rates, p99 and every runtime signal against their thresholds', () => {
    const text = liveFrame(s, ctx(3000)).join('\n');
    expect(text).toContain('ramp');
    expect(text).toContain('step #2 (ramp 2 of 3) 225 req/s 2.0/4.0 s');
    expect(text).toMatch(/offered 225\/s .* achieved 220\/s \(97\.8% of offered\)/);
    expect(text).toMatch(/p99 31\.5 ms \/ threshold 20\.0 ms over threshold/);
    expect(text).toMatch(/errors +rate 0\.20% \/ threshold 1\.00%(?! over)/);
    expect(text).toMatch(/runtime +goroutines 25 \/ threshold 18 over threshold/);
    expect(text).toContain('heap_mb -');
    expect(text).toMatch(/elapsed 0:03 +budget 1:00 \(load\.maxDuration\), 0:57 left/);
    expect(text).toContain('last pass 150');
  });

  it('never draws a line wider than the terminal', () => {
    for (const cols of [20, 40, 80]) for (const line of liveFrame(s, ctx(3000, cols))) expect(line.length).toBeLessThan(cols);
    const coloured = renderLine([['abc', 'red'], ['defgh']], 15, true);
    expect(coloured.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '')).toBe('abcdefgh');
  });
});

describe('LiveView on a fake terminal', () => {
  const tick = () => new Promise((r) => setImmediate(r));
  it('redraws in place, one frame per tick of events, and keeps finished steps above the block', async () => {
    const out: string[] = [];
    let t = 0;
    const view = new LiveView({ write: (x) => out.push(x), columns: () => 80, budgetMs: 10_000, rampLoads: [], refineSteps: 0, color: false, now: () => t });
    view.start();
    const first = out[0]!.split('\n').length - 1;
    t = 100;
    view.onEvent({ type: 'step-end', result: result({ index: 3, load: 340 }) });
    view.onEvent({ type: 'phase', phase: 'refine' });
    view.onEvent({ type: 'step-start', step: step({ index: 4, phase: 'refine', load: 300, warmupMs: 0 }) });
    await tick();
    expect(out).toHaveLength(2);
    expect(out[1]!.startsWith(rewind(first))).toBe(true);
    expect(out[1]).toContain('step 3 ramp 340 req/s: pass');
    expect(out[1]).toMatch(/critpoint refine +step #4/);
    view.onEvent({ type: 'step-end', result: result({ index: 4, phase: 'refine', load: 300 }) });
    view.onEvent({ type: 'phase', phase: 'done' });
    // The block is cleared and the last finished step printed, at once.
    expect(out.at(-1)).toMatch(new RegExp(`^\\r${ESC}\\[\\d+A${ESC}\\[Jstep 4 refine 300 req/s: pass.*\\n$`.replace('Jstep', 'J {2}step')));
    const n = out.length;
    view.onEvent({ type: 'warning', message: 'late' });
    await tick();
    expect(out.slice(n)).toEqual(['warning: late\n']);
  });
});

describe('an interrupt while the live view is drawn', () => {
  it('leaves the last frame and the notice on screen; later lines print below', async () => {
    const err: string[] = [];
    const ctl = new AbortController();
    const s = resolveScenario({ name: 'x', target: { url: 'http://127.0.0.1:1' } });
    const p = createProgress({ stderr: (x) => err.push(x), env: {}, stderrIsTTY: true, signal: ctl.signal }, s, false);
    err.push('\nSIGINT: stopping load\n');
    ctl.abort('SIGINT');
    const n = err.length;
    p.onProgress({ type: 'step-end', result: result({ index: 2, load: 340 }) });
    p.onProgress({ type: 'phase', phase: 'done' });
    p.stop();
    // Flushed by stop() itself: the summary printed right after must come below it.
    expect(err.slice(n).join('')).toBe('  step 2 ramp 340 req/s: pass - achieved 100.0/s, p50 5.00 ms, p99 10.00 ms, errors 0\n');
  });
});

describe('progress mode', () => {
  const s = resolveScenario({ name: 'x', target: { url: 'http://127.0.0.1:1' } });
  it('is live on a terminal, plain lines otherwise, nothing with --quiet', () => {
    expect(progressMode({ stderr: () => undefined, env: {}, stderrIsTTY: true }, false)).toBe('live');
    expect(progressMode({ stderr: () => undefined, env: { TERM: 'dumb' }, stderrIsTTY: true }, false)).toBe('plain');
    expect(progressMode({ stderr: () => undefined, env: {} }, false)).toBe('plain');
    expect(progressMode({ stderr: () => undefined, env: {}, stderrIsTTY: true }, true)).toBe('none');
  });
  it('plain mode writes one line per step and no escape code', () => {
    const err: string[] = [];
    const p = createProgress({ stderr: (x) => err.push(x), env: {} }, s, false);
    p.onProgress({ type: 'step-start', step: step({}) });
    p.onProgress({ type: 'window', window: win({}), baseline });
    p.onProgress({ type: 'step-end', result: result({}) });
    p.stop();
    expect(err).toHaveLength(1);
    expect(err.join('')).not.toContain('\x1b');
  });
});

describe('--quiet and --json on a run that sends nothing (unreachable target)', () => {
  const args = async (...extra: string[]) => [
    'run',
    'test/fixtures/scenarios/live-short.yaml',
    '--target',
    'http://127.0.0.1:1',
    '--out',
    await mkdtemp(join(tmpdir(), 'critpoint-quiet-')),
    ...extra,
  ];
  it('--quiet writes nothing on stderr; --json one object on stdout', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(await args('--quiet', '--json'), { stdout: (x) => out.push(x), stderr: (x) => err.push(x), env: {}, stderrIsTTY: true });
    expect(code).toBe(4);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    expect((JSON.parse(out[0]!) as { stopReason: string }).stopReason).toBe('target-unreachable');
  });
  it('without --quiet, stderr has the progress, the summary and where the report is', async () => {
    const out: string[] = [];
    const err: string[] = [];
    await runCli(await args(), { stdout: (x) => out.push(x), stderr: (x) => err.push(x), env: {} });
    expect(out).toEqual([]);
    const text = err.join('');
    expect(text).toMatch(/^\[preflight\] /);
    expect(text).toMatch(/stop reason: target-unreachable/);
    // A run that sent no load writes summary.json only (no report clutter) and says where.
    expect(text).toMatch(/run folder: .*live-short/);
    expect(text).not.toMatch(/diagnostics/);
  });
});
