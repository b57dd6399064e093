// Starts test/fixtures/fault-target/fault-target.js in a child process: a
// loopback target that can hang, count, serve garbage or be killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import http from 'node:http';

export const FAULT_TARGET_JS = fileURLToPath(new URL('../fixtures/fault-target/fault-target.js', import.meta.url));

export interface FaultTargetOptions {
  /** Slots of the /work pool; 0 = unlimited (default). */
  workers?: number;
  /** Service time of /work, ms (default 1). */
  serviceMs?: number;
  /** /work hangs from the start. */
  hang?: boolean;
  /** Counts requests whose Authorization header equals this. */
  expectAuth?: string;
}

export interface FaultStats {
  requests: number;
  authOk: number;
  authOther: number;
  openWork: number;
  maxOpenWork: number;
  perSecondMax: number;
  hanging: boolean;
  /** Open connections other than the one asking for the stats. */
  open: number;
}

export interface FaultTarget {
  url: string;
  pid: number;
  child: ChildProcess;
  stats(): Promise<FaultStats>;
  /** Toggles /work hanging (SIGUSR2). */
  toggleHang(): void;
  /** SIGKILL: the process is gone at once, its port closed. Resolves when it has exited. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** GET url with a fresh connection (no keep-alive), body as text. */
export function getText(url: string, timeoutMs = 3_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export async function startFaultTarget(opts: FaultTargetOptions = {}): Promise<FaultTarget> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FAULT_WORKERS: String(opts.workers ?? 0),
    FAULT_SERVICE_MS: String(opts.serviceMs ?? 1),
    FAULT_HANG: opts.hang ? '1' : '0',
  };
  if (opts.expectAuth !== undefined) env.FAULT_EXPECT_AUTH = opts.expectAuth;
  const child = spawn(process.execPath, [FAULT_TARGET_JS], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
  });
  const info = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fault target did not start within 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`fault target exited early (code ${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as { url: string; pid: number });
    });
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    ...info,
    child,
    stats: async () => JSON.parse((await getText(`${info.url}/stats`)).body) as FaultStats,
    toggleHang: () => void child.kill('SIGUSR2'),
    kill: async () => {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (gone()) return;
      const t = setTimeout(() => child.kill('SIGKILL'), 3_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * Fault tests are about what the harness does when things break, not about
 * measurement: on a shared 2-core machine a busy neighbour can make the
 * generator look behind and stop a run as generator-limited before the fault
 * under test happens. These tests widen that guard (a scenario field).
 */
export const BUSY_MACHINE_GENERATOR = { maxSendLag: '100ms', minSendRatio: 0.5 };
export const BUSY_MACHINE_GENERATOR_YAML = 'generator: { maxSendLag: 100ms, minSendRatio: 0.5 }';
