// Reads a saved run (summary.json, or the run folder holding it) for compare and gate --baseline,
// through the summary schema; every problem as `<dot.path>: <what>, got <value>`. summary.json
// leaves out the per-window series: the run comes back with none.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../types.js';
import { parseSummary, runResultOf } from '../result/summary-io.js';
import { RunFileError } from './errors.js';

/** Summary files are small (no per-window series); anything larger is refused before parsing. */
export const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

/** Parses the text of a summary.json; `file` names it in errors. */
export function parseRunSummary(text: string, file: string): RunResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RunFileError(file, [`(file): cannot parse (${(err as Error).message.split('\n')[0]}), got invalid JSON`]);
  }
  const parsed = parseSummary(data);
  if (!parsed.ok) throw new RunFileError(file, parsed.problems);
  return runResultOf(parsed.summary);
}

/** Reads a run from its summary.json, or from a run folder containing one. */
export async function readRunSummary(path: string): Promise<RunResult> {
  let file = path;
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      file = join(path, 'summary.json');
      size = (await stat(file)).size;
    } else {
      size = info.size;
    }
  } catch (err) {
    throw new RunFileError(file, [`(file): cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}), got nothing`]);
  }
  if (size > MAX_SUMMARY_BYTES) {
    throw new RunFileError(file, [`(file): larger than ${MAX_SUMMARY_BYTES} bytes, got ${size} bytes`]);
  }
  return parseRunSummary(await readFile(file, 'utf8'), file);
}
