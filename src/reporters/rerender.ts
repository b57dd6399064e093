// `critpoint report <run-dir>`: re-renders the human reports of a saved run
// from its summary.json and CSVs. Data files are never rewritten.
import type { RunResult } from '../types.js';
import { reporters } from './registry.js';
import { readRunFolder } from './run-folder.js';

/** Formats that are rendered from saved data (the data formats are the source). */
export const RENDERED_FORMATS = ['html', 'md'] as const;

export interface RerenderOutcome {
  dir: string;
  /** Files written, relative to dir. */
  written: string[];
  notes: string[];
  result: RunResult;
}

export async function rerenderRunFolder(dirArg: string, formats: readonly string[] = RENDERED_FORMATS): Promise<RerenderOutcome> {
  const { result, dir, notes } = await readRunFolder(dirArg);
  const chosen = formats.map((f) => reporters[f]).filter((r): r is NonNullable<typeof r> => r !== undefined);
  result.files = [...new Set([...result.files, ...chosen.flatMap((r) => r.files ?? [])])];
  const written: string[] = [];
  for (const r of chosen) written.push(...(await r.write(result, dir)));
  return { dir, written, notes, result };
}
