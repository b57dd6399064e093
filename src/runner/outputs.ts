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

/** Writes every requested format; summary.json last lists every file. */
export async function writeReports(result: RunResult, dir: string, formats: string[]): Promise<string[]> {
  const files: string[] = [];
  const order = [...formats.filter((f) => f !== 'json'), ...(formats.includes('json') ? ['json'] : [])];
  for (const f of order) {
    const reporter = reporters[f];
    if (!reporter) continue;
    if (f === 'json') result.files = [...files, 'summary.json'];
    files.push(...(await reporter.write(result, dir)));
  }
  return files;
}
