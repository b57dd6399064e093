// The run folder: created and checked before any load; reports written after.
import { access, constants, mkdir, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunResult } from '../types.js';
import { NotWritableError } from '../errors.js';
import { reporters } from '../reporters/registry.js';

/** `results/<name>/<UTC timestamp>` with a suffix if that folder exists already. */
export async function prepareRunDir(baseDir: string, name: string, startedAt: Date): Promise<string> {
  const stamp = startedAt
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const parent = resolve(baseDir, name);
  try {
    await mkdir(parent, { recursive: true });
    let dir = join(parent, stamp);
    for (let i = 2; ; i++) {
      try {
        await mkdir(dir);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || i > 100) throw err;
        dir = join(parent, `${stamp}-${i}`);
      }
    }
    const probe = join(dir, '.write-test');
    await writeFile(probe, 'ok');
    await unlink(probe);
    await access(dir, constants.W_OK);
    return dir;
  } catch (err) {
    throw new NotWritableError(parent, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
}

export interface WrittenReports {
  /** Files written, relative to the run folder. */
  files: string[];
  /** One sentence per format that could not be written, naming where. */
  failures: string[];
}

/** Formats to write: a run that sent no load (preflight failed, interrupted at once) gets summary.json only. */
export function formatsFor(result: RunResult, formats: string[]): string[] {
  return result.steps.length === 0 ? ['json'] : formats;
}

function writeFailure(format: string, dir: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const where = typeof e.path === 'string' ? e.path.replace(/\.tmp-\d+$/, '') : dir;
  return `could not write the ${format} report to ${where} (${e.code ?? e.message}); the result is kept in memory`;
}

/**
 * Writes every requested format; summary.json last lists every file. Before
 * each reporter, result.files holds the files written so far plus those the
 * remaining reporters declare, so reports can link to each other. A format
 * that fails (folder gone, disk full) does not stop the others: it becomes a
 * failure line saying where it could not write (also added to result.warnings,
 * so summary.json, when it is written, says which files are missing).
 */
export async function writeReports(result: RunResult, dir: string, formats: string[]): Promise<WrittenReports> {
  const files: string[] = [];
  const failures: string[] = [];
  // Formats whose files are not known in advance (csv) first, json last.
  const rank = (f: string) => (f === 'json' ? 2 : reporters[f]?.files ? 1 : 0);
  const order = [...new Set(formatsFor(result, formats))].sort((a, b) => rank(a) - rank(b));
  const chosen = order.flatMap((f) => (reporters[f] ? [{ f, reporter: reporters[f] }] : []));
  for (const [i, { f, reporter }] of chosen.entries()) {
    result.files = [...new Set([...files, ...chosen.slice(i).flatMap((c) => c.reporter.files ?? [])])];
    try {
      files.push(...(await reporter.write(result, dir)));
    } catch (err) {
      const failure = writeFailure(f, dir, err);
      failures.push(failure);
      result.warnings.push(failure);
    }
  }
  result.files = files;
  return { files, failures };
}
