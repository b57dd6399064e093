// The run folder: created and checked before any load; reports written after.
import { access, constants, mkdir, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunResult } from '../types.js';
import { NotWritableError } from '../errors.js';
import { reporters } from '../reporters/registry.js';

/** `results/<name>/<UTC timestamp>` with a suffix if that folder exists already. */
export async function prepareRunDir(baseDir: string, name: string, startedAt: Date): Promise<string> {
  const stamp = startedAt.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
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

/**
 * Writes every requested format; summary.json last lists every file. Before
 * each reporter, result.files holds the files written so far plus those the
 * remaining reporters declare, so reports can link to each other.
 */
export async function writeReports(result: RunResult, dir: string, formats: string[]): Promise<string[]> {
  const files: string[] = [];
  // Formats whose files are not known in advance (csv) first, json last.
  const rank = (f: string) => (f === 'json' ? 2 : reporters[f]?.files ? 1 : 0);
  const order = [...new Set(formats)].sort((a, b) => rank(a) - rank(b));
  const chosen = order.map((f) => reporters[f]).filter((r): r is NonNullable<typeof r> => r !== undefined);
  for (const [i, reporter] of chosen.entries()) {
    result.files = [...new Set([...files, ...chosen.slice(i).flatMap((r) => r.files ?? [])])];
    files.push(...(await reporter.write(result, dir)));
  }
  return files;
}
