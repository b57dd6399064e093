import { rename, unlink, writeFile } from 'node:fs/promises';

/**
 * Writes via a temporary file and a rename, so a reader never sees half a file.
 * On failure the temporary file is removed and the error names the file
 * (`err.path`), also for errors the OS reports without one (ENOSPC on write).
 */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    const e = err as NodeJS.ErrnoException;
    if (typeof e.path !== 'string') e.path = path;
    throw e;
  }
}
