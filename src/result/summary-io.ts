// Reading and writing summary.json through its one schema (summary-schema.ts).
import type { RunResult } from '../types.js';
import { formatIssues } from '../scenario/format-issues.js';
import { summarySchema, type Summary, type SummaryJson } from './summary-schema.js';

export type SummaryParse = { ok: true; summary: Summary } | { ok: false; problems: string[] };

/** Checks parsed JSON against the schema; every problem as `<dot.path>: <what is wrong>, got <value>`. */
export function parseSummary(data: unknown): SummaryParse {
  const parsed = summarySchema.safeParse(data, { reportInput: true });
  return parsed.success ? { ok: true, summary: parsed.data } : { ok: false, problems: formatIssues(parsed.error.issues, data) };
}

/** A summary read back as a RunResult: the per-window series come from the CSVs (empty when not read). */
export function runResultOf(summary: Summary, series: Pick<RunResult, 'windows' | 'runtimeSamples'> = { windows: [], runtimeSamples: [] }): RunResult {
  const { windowCount: _w, ...rest } = summary;
  return { ...rest, ...series };
}

/** A result that does not fit the summary schema: a bug in whatever built it (the types come from the schema). */
export class SummaryMisfitError extends Error {
  constructor(
    readonly problems: string[],
    /** The summary as it is, unchecked, so nothing is lost. */
    readonly unchecked: unknown,
  ) {
    super(`the result does not fit the summary.json schema (${problems.slice(0, 5).join('; ')})`);
  }
}

/** summary.json's content: the whole RunResult except the per-window series (in windows.csv and runtime.csv), figures with no value as null. */
export function summaryOf(result: RunResult): SummaryJson {
  const { windows, runtimeSamples: _r, ...rest } = result;
  const summary = { ...rest, windowCount: windows.length };
  const encoded = summarySchema.safeEncode(summary);
  if (!encoded.success) throw new SummaryMisfitError(formatIssues(encoded.error.issues, summary), summary);
  return encoded.data;
}
