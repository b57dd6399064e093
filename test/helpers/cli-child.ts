// Runs the critpoint CLI from source in a child process (tsx), with pipes or
// inside a pseudo-terminal made by util-linux `script`.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function collect(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The CLI with stdout and stderr as pipes (no TTY: CI mode). */
export function runCliChild(args: string[], timeoutMs = 90_000): Promise<ChildRun> {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  return collect(process.execPath, [...CLI, ...args], env, timeoutMs);
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The CLI inside a pseudo-terminal of the given width; everything it drew comes back as stdout. */
export function runCliInPty(args: string[], columns: number, timeoutMs = 90_000): Promise<ChildRun> {
  const inner = `stty cols ${columns} rows 50 2>/dev/null; exec ${[process.execPath, ...CLI, ...args].map(shellQuote).join(' ')}`;
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  delete env.NO_COLOR;
  delete env.CI;
  return collect('script', ['-qfec', inner, '/dev/null'], env, timeoutMs);
}
