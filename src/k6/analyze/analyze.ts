// `critpoint analyze`: k6 JSON output of one run (one file per runner, plain
// or gzipped) -> windows with merged HDR histograms -> the same detector ->
// a normal run folder (summary.json, windows.csv, steps.csv).
import { access, constants } from 'node:fs/promises';
import type { RunResult, StepStats, WindowStats } from '../../types.js';
import type { Scenario } from '../../scenario/schema.js';
import { ScenarioError } from '../../errors.js';
import { buildRunResult } from '../../runner/run-result.js';
import { prepareRunDir, writeReports } from '../../runner/outputs.js';
import { plannedSteps } from '../export/k6-plan.js';
import { StepAssembler } from '../step-assembler.js';
import { WindowCell } from '../window-cell.js';
import { collectCells } from './collect-cells.js';
import { judgeSteps, type K6ExitInfo } from './judge-steps.js';
import { requestOkStatusOf } from '../k6-events.js';
import { mergedHttpRequests } from '../../requests/config.js';
import { isGrpcUrl } from '../../scenario/grpc-schema.js';

export interface AnalyzeOptions {
  /** Exit code (and stderr) of the k6 run, when known: explains output that ends early. */
  k6Exit?: K6ExitInfo;
  /** Write no files. */
  dryWrite?: boolean;
}

export interface AnalyzeOutcome {
  result: RunResult;
  runDir: string | null;
}

export async function analyzeK6(files: string[], s: Scenario, opts: AnalyzeOptions = {}): Promise<AnalyzeOutcome> {
  if (files.length === 0) throw new ScenarioError(['(files): name at least one k6 JSON output file, got nothing'], 'analyze');
  const unreadable: string[] = [];
  for (const f of files) {
    await access(f, constants.R_OK).catch((err: NodeJS.ErrnoException) =>
      unreadable.push(`${f}: cannot read the file (${err.code ?? err.message}), got nothing`),
    );
  }
  if (unreadable.length > 0) throw new ScenarioError(unreadable, 'analyze');
  const steps = plannedSteps(s);
  // A requests: list: points carry the critpoint_request tag; each request's okStatus judges its own points.
  const mix = s.requests && !isGrpcUrl(s.target.url) ? mergedHttpRequests(s) : null;
  const collected = await collectCells(files, steps, s.detect.window, {
    okStatus: s.http.okStatus,
    ...(mix ? { requestOkStatus: requestOkStatusOf(mix) } : {}),
  });
  if (collected.problems.length > 0) throw new ScenarioError(collected.problems, 'analyze');

  const runStart = collected.grids.get(0)?.anchor ?? Math.min(...[...collected.grids.values()].map((g) => g.anchor));
  let windowIndex = 0;
  const ran: StepStats[] = [];
  const windows: WindowStats[] = [];
  for (const st of steps) {
    const grid = collected.grids.get(st.index);
    const span = collected.spans.get(st.index);
    if (!grid || !span) continue;
    const assembler = new StepAssembler({
      step: { ...st, maxRequests: Infinity },
      grid,
      minRequests: s.detect.minRequests,
      toRunClock: (t) => t - runStart,
      nextWindowIndex: () => windowIndex++,
      ...(mix ? { requests: mix.map((r) => r.name) } : {}),
    });
    // A step k6 left early (the run stopped) sent until its last request.
    const stoppedEarly = grid.plannedEnd - span.lastSend > 2 * s.detect.window;
    if (stoppedEarly) assembler.sendingStopped(span.lastSend + 1000 / st.load);
    const cells = collected.cells.get(st.index) ?? [];
    const last = Math.max(grid.indexOf(span.lastEnd), cells.length - 1);
    for (let i = 0; i <= last; i++) assembler.closeCell(cells[i] ?? new WindowCell());
    const stats = assembler.finish(span.lastEnd, stoppedEarly);
    ran.push(stats);
    windows.push(...stats.windows);
  }

  const judged = judgeSteps(ran, steps.length, s, opts.k6Exit);
  const lines = collected.files.reduce((a, f) => a + f.stats.lines, 0);
  const malformed = collected.files.reduce((a, f) => a + f.stats.malformed, 0);
  const warnings = [
    `analyzed ${files.length} k6 output file(s), ${lines} lines, ${collected.files.reduce((a, f) => a + f.requests, 0)} requests: ${collected.files.map((f) => `${f.file} (${f.requests})`).join(', ')}`,
    ...(malformed > 0
      ? [
          `${malformed} malformed line(s) skipped: ${collected.files
            .flatMap((f) => f.stats.malformedExamples.map((e) => `${f.file} ${e}`))
            .slice(0, 3)
            .join('; ')}`,
        ]
      : []),
    'k6 does not report when each request was meant to leave: latency is http_req_duration from the actual send, sends are the schedule minus dropped iterations, send lag is not measured',
    'environment describes the machine that ran analyze, not the k6 runners',
    ...judged.warnings,
  ];
  const lastEnd = Math.max(...[...collected.spans.values()].map((sp) => sp.lastEnd));
  const startedAt = new Date(runStart);
  const runDir = opts.dryWrite ? null : await prepareRunDir(s.report.dir, s.name, startedAt);
  const result = buildRunResult({
    scenario: s,
    stop: judged.stop,
    engine: 'k6 (analyze)',
    startedAt,
    endedAt: new Date(lastEnd),
    runDir,
    baseline: judged.baseline,
    steps: judged.steps,
    windows,
    warnings,
  });
  // A report that could not be written is in result.warnings (writeReports adds it).
  if (runDir) result.files = (await writeReports(result, runDir, s.report.formats)).files;
  return { result, runDir };
}
