// Reads a saved run folder back into a RunResult: summary.json plus the
// per-window series from windows.csv and runtime.csv (the inverse of the json
// and csv reporters), so `critpoint report <run-dir>` can re-render the human
// reports without running anything.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { RequestStats, RunResult, RuntimeSample, WindowStats } from '../types.js';
import { CritpointError, EXIT } from '../errors.js';
import { parseSummary, runResultOf } from '../result/summary-io.js';

export class RunFolderError extends CritpointError {
  constructor(
    readonly dir: string,
    readonly problems: string[],
  ) {
    super(
      `run folder ${dir} cannot be read (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`,
      'invalid-run-folder',
      EXIT.invalid,
      'pass a folder written by `critpoint run` (it holds summary.json)',
    );
  }
}

type Row = Record<string, string>;
const numOf = (v: string | undefined) => (v === undefined || v === '' ? NaN : Number(v));
const boolOf = (v: string | undefined) => v === '1' || v === 'true';

/** The errors_<kind> cells of a row, zeros left out. */
function errorsOf(r: Row): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) if (k.startsWith('errors_') && (numOf(v) || 0) > 0) errors[k.slice('errors_'.length)] = numOf(v);
  return errors;
}

/**
 * A per-request row (request column set) of windows.csv. count is not a column: it is errors / errorRate
 * (errorRate keeps 5 decimals, exact for the counts of a window), or the responses when there were no errors.
 */
function requestStatsOf(r: Row): RequestStats {
  const errorTotal = numOf(r.errors);
  const errorRate = numOf(r.error_rate);
  return {
    count: errorRate > 0 ? Math.round(errorTotal / errorRate) : numOf(r.completed),
    sent: numOf(r.sent),
    completed: numOf(r.completed),
    errors: errorsOf(r),
    errorTotal,
    errorRate,
    achievedRate: numOf(r.achieved_rate),
    p50: numOf(r.p50_ms),
    p90: numOf(r.p90_ms),
    p99: numOf(r.p99_ms),
    max: numOf(r.max_ms),
    mean: numOf(r.mean_ms),
  };
}

/** windows.csv rows -> WindowStats (fields the CSV does not keep: scheduled = sent); per-request rows go to their window's byRequest. */
export function windowsFromCsv(text: string): WindowStats[] {
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Row[];
  const windows: WindowStats[] = [];
  for (const r of rows) {
    if (r.request) {
      const w = windows.at(-1);
      if (w === undefined || w.index !== numOf(r.index))
        throw new Error(`row of request "${r.request}" (window ${r.index}) does not follow its window's total row`);
      (w.byRequest ??= {})[r.request] = requestStatsOf(r);
      continue;
    }
    windows.push(windowOf(r));
  }
  return windows;
}

function windowOf(r: Row): WindowStats {
  // A window's total row has every column a request's row has, and more.
  const { count: _count, ...figures } = requestStatsOf(r);
  const runtime: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(r)) if (k.startsWith('runtime_')) runtime[k.slice('runtime_'.length)] = v === '' ? null : Number(v);
  return {
    index: numOf(r.index),
    stepIndex: numOf(r.step),
    phase: r.phase as WindowStats['phase'],
    warmup: boolOf(r.warmup),
    sparse: boolOf(r.sparse),
    tStart: numOf(r.t_start_ms),
    tEnd: numOf(r.t_end_ms),
    offered: numOf(r.offered),
    scheduled: figures.sent,
    ...figures,
    sendRate: numOf(r.send_rate),
    sendLagP99: numOf(r.send_lag_p99_ms),
    maxInFlight: numOf(r.max_in_flight),
    capHits: numOf(r.cap_hits),
    runtime,
  };
}

export function runtimeFromCsv(text: string): RuntimeSample[] {
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Row[];
  return rows.map((r) => ({
    signal: r.signal ?? '',
    t: numOf(r.t_ms),
    value: r.value === '' || r.value === undefined ? null : Number(r.value),
    latencyMs: numOf(r.latency_ms),
    ...(r.error ? { error: r.error } : {}),
  }));
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export interface LoadedRun {
  result: RunResult;
  dir: string;
  /** What was missing or unreadable but did not stop the re-render. */
  notes: string[];
}

export async function readRunFolder(dirArg: string): Promise<LoadedRun> {
  const dir = resolve(dirArg);
  const text = await readOptional(join(dir, 'summary.json')).catch((err: Error) => {
    throw new RunFolderError(dir, [`summary.json: cannot be read, got ${err.message}`]);
  });
  if (text === null) throw new RunFolderError(dir, ['summary.json: missing, got no file']);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RunFolderError(dir, [`summary.json: is not JSON, got ${(err as Error).message}`]);
  }
  const parsed = parseSummary(json);
  if (!parsed.ok)
    throw new RunFolderError(
      dir,
      parsed.problems.map((p) => `summary.json: ${p}`),
    );
  const notes: string[] = [];
  const problems: string[] = [];
  const series = async <T>(file: string, read: (t: string) => T[]): Promise<T[]> => {
    const csv = await readOptional(join(dir, file));
    if (csv === null) {
      notes.push(`${file} is missing: the charts over time are left out`);
      return [];
    }
    try {
      return read(csv);
    } catch (err) {
      problems.push(`${file}: not a readable CSV, got ${(err as Error).message}`);
      return [];
    }
  };
  const windows = await series('windows.csv', windowsFromCsv);
  const files = parsed.summary.files;
  const runtimeSamples = files.includes('runtime.csv') ? await series('runtime.csv', runtimeFromCsv) : [];
  if (problems.length > 0) throw new RunFolderError(dir, problems);
  return { result: runResultOf(parsed.summary, { windows, runtimeSamples }), dir, notes };
}
