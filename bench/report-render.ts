// Benchmark (not a test): how long the human reports take to render, and how
// big report.html gets, as a run grows; and what one live-view redraw costs.
// Pure CPU, no load, no network. Built from a real run folder (the demo run in
// test/fixtures/runs/demo-breach) repeated to the size of longer runs.
//   flock /tmp/critpoint-load.lock npx tsx bench/report-render.ts
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import type { RunResult, WindowStats } from '../src/types.js';
import { readRunFolder } from '../src/reporters/run-folder.js';
import { renderReportHtml } from '../src/reporters/html/html-report.js';
import { renderSummaryMarkdown } from '../src/reporters/markdown/markdown-reporter.js';
import { initialLiveState, liveFrame, reduceLive } from '../src/cli/live-state.js';

const REPEATS = 7;
const FIXTURE = fileURLToPath(new URL('../test/fixtures/runs/demo-breach/', import.meta.url));

/** The real run's windows repeated until there are about n, times shifted so the series stays in order. */
function scaled(r: RunResult, n: number): RunResult {
  const span = Math.max(...r.windows.map((w) => w.tEnd));
  const windows: WindowStats[] = [];
  for (let k = 0; windows.length < n; k++) {
    for (const w of r.windows)
      windows.push({ ...w, index: windows.length, stepIndex: w.stepIndex + k * r.steps.length, tStart: w.tStart + k * span, tEnd: w.tEnd + k * span });
  }
  const steps = Array.from({ length: Math.ceil(windows.length / r.windows.length) }, (_, k) =>
    r.steps.map((s) => ({ ...s, index: s.index + k * r.steps.length })),
  ).flat();
  return { ...r, windows: windows.slice(0, n), steps };
}

function timeMs(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export async function run(): Promise<{ title: string; rows: Record<string, string | number>[]; notes?: string[] }> {
  const base = (await readRunFolder(FIXTURE)).result;
  const rows: Record<string, string | number>[] = [];
  for (const n of [base.windows.length, 600, 3600]) {
    const r = scaled(base, n);
    renderReportHtml(r); // warm the JIT
    const html = Array.from({ length: REPEATS }, () => timeMs(() => renderReportHtml(r)));
    const md = Array.from({ length: REPEATS }, () => timeMs(() => renderSummaryMarkdown(r)));
    rows.push({
      case: `report, ${n} windows (${r.steps.length} steps)`,
      'median ms': Number(median(html).toFixed(1)),
      'min ms': Number(Math.min(...html).toFixed(1)),
      'max ms': Number(Math.max(...html).toFixed(1)),
      'report.html KB': Math.round(renderReportHtml(r).length / 1024),
      'summary.md median ms': Number(median(md).toFixed(2)),
    });
  }
  // One live-view redraw: fold a window event and draw the frame.
  let s = reduceLive(initialLiveState(), { type: 'phase', phase: 'ramp' }, 0);
  s = reduceLive(
    s,
    { type: 'step-start', step: { index: 3, phase: 'ramp', load: 1010, unit: 'req/s', durationMs: 4000, warmupMs: 0, maxRequests: 10_000_000 } },
    0,
  );
  const w = { ...base.windows[30]!, runtime: { goroutines: 42, heap_mb: 12.5 } };
  const perFrame: number[] = [];
  for (let rep = 0; rep < REPEATS; rep++) {
    const frames = 20_000;
    const t = performance.now();
    for (let i = 0; i < frames; i++) {
      s = reduceLive(s, { type: 'window', window: w, baseline: base.baseline }, i);
      liveFrame(s, { now: i, budgetMs: 600_000, rampLoads: [450, 675, 1010], refineSteps: 3, columns: 120, color: true });
    }
    perFrame.push(((performance.now() - t) * 1000) / frames);
  }
  rows.push({
    case: 'live view: one redraw',
    'median ms': Number((median(perFrame) / 1000).toFixed(4)),
    'min ms': Number((Math.min(...perFrame) / 1000).toFixed(4)),
    'max ms': Number((Math.max(...perFrame) / 1000).toFixed(4)),
    'report.html KB': '-',
    'summary.md median ms': '-',
  });
  return {
    title: 'Report rendering and live-view cost',
    rows,
    notes: [
      `${REPEATS} repeats each; windows scaled from a real 47-window demo run.`,
      `A live-view redraw costs ${median(perFrame).toFixed(1)} us; at 4 redraws/s plus one per window that is about ${((median(perFrame) * 5) / 1e4).toFixed(4)}% of one core.`,
    ],
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run();
  console.log(r.title);
  console.table(r.rows);
  for (const n of r.notes ?? []) console.log(`- ${n}`);
}
