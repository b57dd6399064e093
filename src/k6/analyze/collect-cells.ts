// Reads k6 output files of one run (one per runner) in two streaming passes
// and returns, per planned step, the window cells of all runners merged.
// Pass 1 finds each step's first send (the anchor of its windows) and checks
// the files against the plan; pass 2 files every event into its cell. Request
// points carry their step (critpoint_step tag); dropped_iterations and vus
// carry none and are placed by time.
import type { StepPlan } from '../../types.js';
import { eventOfLine, newLineStats, type ClassifyOptions, type K6Event, type LineStats } from '../k6-events.js';
import { readLines } from '../line-reader.js';
import { StepGrid, WindowCell } from '../window-cell.js';

export interface StepSpan {
  /** Earliest send (end - duration) of the step's requests, epoch ms, over every file. */
  firstSend: number;
  lastSend: number;
  lastEnd: number;
  requests: number;
}

export interface FileSummary {
  file: string;
  stats: LineStats;
  requests: number;
  untagged: number;
}

export interface CollectedRun {
  spans: Map<number, StepSpan>;
  grids: Map<number, StepGrid>;
  /** step index -> cells (merged over files), index = cell index. */
  cells: Map<number, WindowCell[]>;
  files: FileSummary[];
  /** `<file>: <what is wrong>, got <value>` */
  problems: string[];
}

const isRequest = (e: K6Event) => e.type === 'response' || e.type === 'failed';

async function forEachEvent(file: string, opts: ClassifyOptions, stats: LineStats, fn: (e: K6Event) => void): Promise<void> {
  for await (const line of readLines(file)) {
    const ev = eventOfLine(line, stats, opts);
    if (ev) fn(ev);
  }
}

/** Pass 1: step spans and plan checks. */
async function scan(
  files: string[],
  steps: StepPlan[],
  opts: ClassifyOptions,
): Promise<{ spans: Map<number, StepSpan>; files: FileSummary[]; problems: string[] }> {
  const byIndex = new Map(steps.map((s) => [s.index, s]));
  const spans = new Map<number, StepSpan>();
  const summaries: FileSummary[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const sum: FileSummary = { file, stats: newLineStats(), requests: 0, untagged: 0 };
    const unknown = new Map<number, number>();
    const wrongLoad = new Map<number, number>();
    await forEachEvent(file, opts, sum.stats, (e) => {
      if (!isRequest(e)) return;
      sum.requests++;
      if (e.step === null) {
        sum.untagged++;
        return;
      }
      const planned = byIndex.get(e.step);
      if (!planned) {
        unknown.set(e.step, (unknown.get(e.step) ?? 0) + 1);
        return;
      }
      if (e.load !== null && Math.abs(e.load - planned.load) > 1e-6) wrongLoad.set(e.step, e.load);
      const send = e.t - e.latencyMs;
      const span = spans.get(e.step) ?? { firstSend: Infinity, lastSend: -Infinity, lastEnd: -Infinity, requests: 0 };
      span.firstSend = Math.min(span.firstSend, send);
      span.lastSend = Math.max(span.lastSend, send);
      span.lastEnd = Math.max(span.lastEnd, e.t);
      span.requests++;
      spans.set(e.step, span);
    });
    for (const [step, n] of unknown)
      problems.push(
        `${file}: ${n} requests are tagged critpoint_step=${step}, a step the scenario's plan does not have (it has 0..${steps.length - 1}), got step ${step}`,
      );
    for (const [step, load] of wrongLoad)
      problems.push(
        `${file}: step ${step} ran at a load the scenario does not plan (${byIndex.get(step)?.load} req/s): the script was exported from another scenario, got critpoint_load=${load}`,
      );
    if (sum.stats.firstLine.startsWith('metric_name,timestamp,'))
      problems.push(
        `${file}: this is k6 CSV output (--out csv); analyze reads k6 JSON output (--out json=file.json.gz), got the header ${JSON.stringify(sum.stats.firstLine.slice(0, 40))}...`,
      );
    else if (sum.requests === 0)
      problems.push(`${file}: no http_req_duration or grpc_req_duration point in ${sum.stats.lines} lines, got ${sum.stats.malformed} malformed lines`);
    else if (sum.untagged === sum.requests)
      problems.push(
        `${file}: no request carries a critpoint_step tag: analyze reads output of scripts made by \`critpoint export k6\`, got ${sum.requests} untagged requests`,
      );
    summaries.push(sum);
  }
  return { spans, files: summaries, problems };
}

/** The step an untagged event belongs to: the last one whose first send is at or before it. */
function stepAtTime(anchors: [number, number][], t: number): number | null {
  let found: number | null = null;
  for (const [step, anchor] of anchors) {
    if (anchor > t) break;
    found = step;
  }
  return found;
}

export async function collectCells(files: string[], steps: StepPlan[], windowMs: number, opts: ClassifyOptions = {}): Promise<CollectedRun> {
  const { spans, files: summaries, problems } = await scan(files, steps, opts);
  const grids = new Map<number, StepGrid>();
  for (const st of steps) {
    const span = spans.get(st.index);
    if (span) grids.set(st.index, new StepGrid(span.firstSend, windowMs, st.warmupMs, st.durationMs));
  }
  const anchors = [...grids.entries()].map(([i, g]) => [i, g.anchor] as [number, number]).sort((a, b) => a[1] - b[1]);
  const merged = new Map<number, WindowCell[]>();
  if (problems.length > 0) return { spans, grids, cells: merged, files: summaries, problems };

  for (const file of files) {
    // This runner's cells, merged into the run's once the file is read.
    const own = new Map<number, WindowCell[]>();
    await forEachEvent(file, opts, newLineStats(), (e) => {
      const step = isRequest(e) ? e.step : stepAtTime(anchors, e.t);
      if (step === null) return;
      const grid = grids.get(step);
      if (!grid) return;
      const cells = own.get(step) ?? [];
      own.set(step, cells);
      const i = grid.indexOf(e.t);
      (cells[i] ??= new WindowCell()).add(e);
    });
    for (const [step, cells] of own) {
      const into = merged.get(step) ?? [];
      merged.set(step, into);
      cells.forEach((c, i) => {
        if (c) (into[i] ??= new WindowCell()).merge(c);
      });
    }
  }
  return { spans, grids, cells: merged, files: summaries, problems };
}
