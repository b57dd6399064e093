import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface SpawnedDemoTarget {
  url: string;
  capacity: number;
  workers: number;
  serviceMs: number;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the demo target in a child process on a free loopback port. */
export function spawnDemoTarget(workers = 10, serviceMs = 10): Promise<SpawnedDemoTarget> {
  // Built: dist/demo/demo-target-main.js. From sources (tests): run the .ts through tsx.
  const js = fileURLToPath(new URL('./demo-target-main.js', import.meta.url));
  const args = existsSync(js) ? [js] : ['--import', 'tsx', fileURLToPath(new URL('./demo-target-main.ts', import.meta.url))];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, DEMO_WORKERS: String(workers), DEMO_SERVICE_MS: String(serviceMs) },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error('demo target did not start within 10 s'));
    }, 10_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`demo target exited early with code ${code}`)));
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const info = JSON.parse(line) as Omit<SpawnedDemoTarget, 'stop'>;
      resolve({ ...info, stop });
    });
  });
}
