// Cells and windows from k6 events: the StepRecorder's rules on k6's clock.
import { describe, expect, it } from 'vitest';
import type { Step, WindowStats } from '../../src/types.js';
import type { K6Event } from '../../src/k6/k6-events.js';
import { StepGrid, WindowCell } from '../../src/k6/window-cell.js';
import { StepAssembler } from '../../src/k6/step-assembler.js';

const T0 = 1_800_000_000_000;
const ev = (over: Partial<K6Event>): K6Event => ({
  type: 'response',
  t: T0,
  latencyMs: 5,
  ok: true,
  step: 1,
  load: 100,
  request: null,
  runner: '',
  value: 0,
  ...over,
});

function assemble(step: Step, perCell: number[], minRequests: number, extra: (cells: WindowCell[]) => void = () => undefined) {
  const grid = new StepGrid(T0, 1000, step.warmupMs, step.durationMs);
  const cells = perCell.map((n, i) => {
    const c = new WindowCell();
    for (let k = 0; k < n; k++) c.add(ev({ t: grid.start(i) + ((k + 0.5) * 1000) / Math.max(n, 1), latencyMs: 5 + (k % 10) }));
    return c;
  });
  extra(cells);
  const windows: WindowStats[] = [];
  let idx = 0;
  const a = new StepAssembler({ step, grid, minRequests, toRunClock: (t) => t - T0, nextWindowIndex: () => idx++, onWindow: (w) => windows.push(w) });
  cells.forEach((c) => a.closeCell(c));
  const stats = a.finish(grid.start(cells.length - 1) + 1000, false);
  return { windows, stats, grid };
}

describe('k6 step windows', () => {
  it('cuts the warm-up into its own windows, then windows of windowMs from its end', () => {
    const step: Step = { index: 0, phase: 'baseline', load: 100, unit: 'req/s', durationMs: 3000, warmupMs: 1500, maxRequests: Infinity };
    const { windows, grid } = assemble(step, [100, 50, 100, 100, 100], 10);
    expect(grid.cells).toBe(5);
    expect(windows.map((w) => [w.tStart, w.tEnd, w.warmup])).toEqual([
      [0, 1000, true],
      [1000, 1500, true],
      [1500, 2500, false],
      [2500, 3500, false],
      [3500, 4500, false],
    ]);
  });

  it('runs a sparse window on into the next slice; a sparse tail is kept and marked', () => {
    const step: Step = { index: 1, phase: 'ramp', load: 100, unit: 'req/s', durationMs: 4000, warmupMs: 0, maxRequests: Infinity };
    const { windows, stats } = assemble(step, [100, 30, 30, 10], 50);
    expect(windows.map((w) => [w.tStart, w.tEnd, w.completed, w.sparse])).toEqual([
      [0, 1000, 100, false],
      [1000, 3000, 60, false],
      [3000, 4000, 10, true],
    ]);
    expect(stats.completed).toBe(170);
  });

  it('sends are the schedule minus dropped iterations, which count as in-flight-cap errors; send lag is unknown', () => {
    const step: Step = { index: 2, phase: 'ramp', load: 200, unit: 'req/s', durationMs: 2000, warmupMs: 0, maxRequests: Infinity };
    const { windows, stats } = assemble(step, [150, 150], 10, (cells) => {
      for (let i = 0; i < 50; i++) cells[1]!.add(ev({ type: 'dropped', t: T0 + 1500, value: 1 }));
      cells[1]!.add(ev({ type: 'failed', t: T0 + 1600, kind: 'timeout' }));
      cells[1]!.add(ev({ type: 'vus', t: T0 + 1000, value: 40, runner: '0' }));
      cells[1]!.add(ev({ type: 'vus', t: T0 + 1000, value: 60, runner: '1' }));
    });
    const w = windows[1]!;
    expect(w).toMatchObject({
      scheduled: 200,
      sent: 150,
      capHits: 50,
      completed: 150,
      errorTotal: 51,
      errors: { 'in-flight-cap': 50, timeout: 1 },
      maxInFlight: 100,
    });
    expect(w.errorRate).toBeCloseTo(51 / 201, 10);
    expect(w.sendLagP99).toBeNaN();
    expect(windows[0]).toMatchObject({ scheduled: 200, sent: 200, capHits: 0, errorRate: 0, achievedRate: 150 });
    expect(stats.sendLagP99).toBeNaN();
    expect(stats.errors).toEqual({ 'in-flight-cap': 50, timeout: 1 });
  });

  it('merging cells adds histograms: the merged p99 is the p99 of all requests', () => {
    const a = new WindowCell();
    const b = new WindowCell();
    for (let i = 1; i <= 99; i++) a.add(ev({ latencyMs: 1 }));
    for (let i = 1; i <= 1; i++) b.add(ev({ latencyMs: 1000 }));
    const m = new WindowCell();
    m.merge(a);
    m.merge(b);
    expect(m.completed).toBe(100);
    expect(m.latency.getValueAtPercentile(99) / 1000).toBeCloseTo(1, 2);
    expect(m.latency.getValueAtPercentile(99.5) / 1000).toBeCloseTo(1000, 0);
  });

  it('late points past the last slice belong to it; points before the anchor to the first', () => {
    const g = new StepGrid(T0, 1000, 0, 3000);
    expect(g.indexOf(T0 - 5)).toBe(0);
    expect(g.indexOf(T0 + 2999)).toBe(2);
    expect(g.indexOf(T0 + 60_000)).toBe(2);
  });
});
