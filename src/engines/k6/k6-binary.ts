// Finding the k6 executable (K6_BINARY, else PATH) and reading its version.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { K6NotFoundError } from '../../errors.js';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The k6 to run; throws K6NotFoundError naming what is missing. */
export function findK6(env: NodeJS.ProcessEnv): string {
  const explicit = env.K6_BINARY;
  if (explicit !== undefined && explicit !== '') {
    const path = isAbsolute(explicit) ? explicit : resolve(explicit);
    if (!executable(path)) throw new K6NotFoundError(`K6_BINARY is ${JSON.stringify(explicit)}, which is not an executable file`);
    return path;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, process.platform === 'win32' ? 'k6.exe' : 'k6');
    if (executable(candidate)) return candidate;
  }
  throw new K6NotFoundError('no k6 executable on PATH and K6_BINARY is not set');
}

/** "k6 v0.48.0 (go1.21.4, linux/amd64)" -> "0.48.0"; null when the output says no version. */
export function parseK6Version(text: string): string | null {
  const m = /\bk6 v?(\d+\.\d+\.\d+)/.exec(text);
  return m ? (m[1] as string) : null;
}

export function k6Version(binary: string, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(binary, ['version'], { timeout: timeoutMs, env: { ...process.env, K6_NO_USAGE_REPORT: 'true' } }, (err, stdout, stderr) => {
      if (err) return reject(new K6NotFoundError(`${binary} version failed: ${(stderr || err.message).trim().split('\n')[0]}`));
      const v = parseK6Version(`${stdout}\n${stderr}`);
      if (!v) return reject(new K6NotFoundError(`${binary} does not look like k6 (its \`version\` printed ${JSON.stringify(stdout.trim().slice(0, 80))})`));
      resolvePromise(v);
    });
  });
}

/** True when version a >= b (major.minor.patch). */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) > (pb[i] ?? 0);
  }
  return true;
}
