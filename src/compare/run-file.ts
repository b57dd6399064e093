// Reads a saved run (summary.json, or the run folder holding it) for compare and gate --baseline.
// Checks the fields a comparison reads and lists every problem as `<dot.path>: <what>, got <value>`.
// summary.json leaves out the per-window series, and JSON turns NaN into null: both are allowed.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { RunResult } from '../types.js';
import { formatIssues } from '../scenario/format-issues.js';
import { RunFileError } from './errors.js';

/** Summary files are small (no per-window series); anything larger is refused before parsing. */
export const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

const num = z.number().nullable();
const unit = z.enum(['req/s', 'connections']);

const breach = z.looseObject({
  signal: z.string(),
  values: z.array(num),
  reason: z.string(),
});

const storedRunSchema = z.looseObject({
  schemaVersion: z.literal(1),
  runId: z.string(),
  name: z.string(),
  startedAt: z.string(),
  stopReason: z.enum(['breach', 'completed', 'generator-limited', 'target-unreachable', 'interrupted', 'error']),
  stopDetail: z.string(),
  scenario: z.record(z.string(), z.unknown()),
  steps: z.array(
    z.looseObject({
      phase: z.enum(['baseline', 'ramp', 'refine']),
      load: z.number(),
      unit,
      stats: z.looseObject({ p50: num, p99: num }),
    }),
  ),
  baseline: z
    .looseObject({
      unit,
      signals: z.record(z.string(), z.looseObject({ medianValue: num })),
    })
    .nullable(),
  criticalPoint: z
    .looseObject({
      value: z.number().positive(),
      unit,
      lastPass: z.number().positive(),
      firstBreach: z.number().positive(),
      resolution: z.number().min(0),
      signals: z.array(breach),
    })
    .nullable(),
  lastPass: num,
  environment: z.looseObject({ node: z.string(), cpus: z.number(), cpuModel: z.string() }).optional(),
});

/** Parses the text of a summary.json; `file` names it in errors. */
export function parseRunSummary(text: string, file: string): RunResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RunFileError(file, [`(file): cannot parse (${(err as Error).message.split('\n')[0]}), got invalid JSON`]);
  }
  const parsed = storedRunSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) throw new RunFileError(file, formatIssues(parsed.error.issues, data));
  const run = parsed.data as unknown as RunResult;
  // The per-window series live in windows.csv and runtime.csv, not in summary.json.
  return { ...run, windows: run.windows ?? [], runtimeSamples: run.runtimeSamples ?? [] };
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
