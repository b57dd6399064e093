// Runs the built CLI (dist/cli/main.js) as a real process: signals, exit codes
// and output exactly as a user or CI sees them.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_JS = join(ROOT, 'dist', 'cli', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/ (npm run build). */
export function ensureBuilt(): void {
  if (existsSync(CLI_JS) && statSync(CLI_JS).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

export interface CliProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr (or stdout) matches; rejects after ms. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  /** Exit code (128 + n for a signal death), wall time from spawn in ms. */
  exited: Promise<{ code: number; ms: number; at: number }>;
}

export function spawnCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliProcess {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI_JS, ...args], { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(err) || w.pattern.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    check();
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err += c;
    check();
  });
  const exited = new Promise<{ code: number; ms: number; at: number }>((resolve) => {
    child.once('close', (code, signal) => {
      const at = performance.now();
      resolve({ code: code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 2), ms: at - started, at });
    });
  });
  return {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern, ms = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms; stderr so far:\n${err}`)), ms);
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        check();
      }),
    exited,
  };
}

/** Every file under dir, recursively (paths relative to dir). */
export function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, prefix))) {
    const rel = join(prefix, name);
    if (statSync(join(dir, rel)).isDirectory()) out.push(...filesUnder(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** The single run folder under <reportDir>/<name>/. */
export function onlyRunDir(reportDir: string, name: string): string {
  const parent = join(reportDir, name);
  const dirs = existsSync(parent) ? readdirSync(parent) : [];
  if (dirs.length !== 1) throw new Error(`expected one run folder under ${parent}, found ${dirs.length}: ${dirs.join(', ')}`);
  return join(parent, dirs[0] as string);
}
