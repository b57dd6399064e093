// One k6 process: started with its REST API on a loopback port, stopped at
// once on request through that API (PATCH /v1/status stopped:true, k6 exit
// 103), with SIGTERM (k6 exit 105) and then SIGKILL as fallbacks.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { request } from 'undici';

export interface K6Exit {
  code: number | null;
  signal: string | null;
}

export interface StopLog {
  /** Epoch ms critpoint asked k6 to stop. */
  requestedAt: number | null;
  /** How the stop went through: rest (the API answered), signal (SIGTERM after the API did not stop it), kill. */
  via: 'rest' | 'signal' | 'kill' | null;
  restError: string | null;
  /** Epoch ms the process exited. */
  exitedAt: number | null;
}

export interface K6ProcessOptions {
  binary: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** REST API port (127.0.0.1). */
  port: number;
  /** Wait after a REST stop before SIGTERM. Default 2000 ms. */
  restGraceMs?: number;
  /** Wait after SIGTERM before SIGKILL. Default 3000 ms. */
  killAfterMs?: number;
}

/** A free loopback port for k6's REST API. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
let hooked = false;
function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (hooked) return;
  hooked = true;
  // Never leave k6 loading a target after critpoint is gone.
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

export class K6Process {
  readonly exited: Promise<K6Exit>;
  readonly stopLog: StopLog = { requestedAt: null, via: null, restError: null, exitedAt: null };
  private stderr = '';
  private done = false;
  private readonly child: ChildProcess;

  constructor(private readonly o: K6ProcessOptions) {
    this.child = spawn(o.binary, o.args, { env: o.env, stdio: ['ignore', 'ignore', 'pipe'] });
    killOnExit(this.child);
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-8000);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.stderr += `\n${err.message}`;
        this.done = true;
        resolve({ code: 127, signal: null });
      });
      this.child.once('exit', (code, signal) => {
        this.done = true;
        this.stopLog.exitedAt = Date.now();
        resolve({ code, signal });
      });
    });
  }

  get stderrTail(): string {
    return this.stderr;
  }

  get stopRequested(): boolean {
    return this.stopLog.requestedAt !== null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Stops k6 now: REST API first, then SIGTERM, then SIGKILL. Resolves when it has exited. */
  async stop(): Promise<K6Exit> {
    if (this.stopLog.requestedAt === null) {
      this.stopLog.requestedAt = Date.now();
      if (!this.done) void this.escalate();
    }
    return this.exited;
  }

  private async escalate(): Promise<void> {
    try {
      const res = await request(`http://127.0.0.1:${this.o.port}/v1/status`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: { type: 'status', id: 'default', attributes: { stopped: true } } }),
        headersTimeout: 1000,
        bodyTimeout: 1000,
        signal: AbortSignal.timeout(1000),
      });
      await res.body.dump();
      if (res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}`);
      this.stopLog.via = 'rest';
    } catch (err) {
      this.stopLog.restError = (err as Error).message;
    }
    if (await this.waitExit(this.stopLog.via === 'rest' ? (this.o.restGraceMs ?? 2000) : 0)) return;
    this.stopLog.via = 'signal';
    this.child.kill('SIGTERM');
    if (await this.waitExit(this.o.killAfterMs ?? 3000)) return;
    this.stopLog.via = 'kill';
    this.child.kill('SIGKILL');
  }

  private waitExit(ms: number): Promise<boolean> {
    if (this.done) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(this.done), ms);
      void this.exited.then(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Kills at once (close() of the engine, errors). */
  kill(): void {
    if (!this.done) this.child.kill('SIGKILL');
  }
}
