// Starts the Go load target (test/fixtures/go-target) for integration tests
// and benchmarks. Build it first with `bash scripts/build-go-fixture.sh`.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export type GoTargetMode = 'pool' | 'leak' | 'knee' | 'contention';

export interface GoTargetOptions {
  /** Worker count W (default 8). */
  workers?: number;
  /** Service time S in milliseconds (default 5). */
  serviceTimeMs?: number;
  /** pool | leak | knee | contention (default pool). */
  mode?: GoTargetMode;
  /** Also serve gRPC (loadtarget.Work, see work.proto) on 127.0.0.1:0. */
  grpc?: boolean;
  /** Serve HTTPS (h2 and http/1.1 by ALPN) with this PEM certificate and key; clientCa demands client certificates (mutual TLS). */
  tls?: { cert: string; key: string; clientCa?: string };
  /** Serve HTTP/2 without TLS (h2c, prior knowledge) next to HTTP/1.1. */
  h2c?: boolean;
  /** Further flags, e.g. ['-leak-threshold', '0', '-expvar-goroutines']. */
  extraArgs?: string[];
}

export interface GoTarget {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** host:port of the gRPC server, or null without `grpc: true`. */
  grpcAddress: string | null;
  pid: number;
  /** Nominal capacity W/S in requests per second, as printed by the target. */
  capacity: number;
  /** SIGTERM, then SIGKILL after 3 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GO_TARGET_BIN = path.join(REPO_ROOT, 'test', 'fixtures', 'go-target', 'bin', 'go-target');
export const GO_TARGET_PROTO = path.join(REPO_ROOT, 'test', 'fixtures', 'go-target', 'work.proto');
export const GO_TARGET_BUILD_SCRIPT = path.join(REPO_ROOT, 'scripts', 'build-go-fixture.sh');

const START_TIMEOUT_MS = 10_000;
const KILL_AFTER_MS = 3_000;

/** True when the target binary has been built. */
export function goTargetAvailable(): boolean {
  try {
    accessSync(GO_TARGET_BIN, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// Never leave a target running when the test process goes away.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

interface StartLine {
  http: string;
  grpc: string | null;
  pid: number;
  capacity: number;
  tls: boolean;
}

function parseStartLine(line: string): StartLine {
  const v: unknown = JSON.parse(line);
  if (typeof v !== 'object' || v === null) throw new Error('not an object');
  const o = v as Record<string, unknown>;
  if (typeof o.http !== 'string' || typeof o.pid !== 'number' || typeof o.capacity !== 'number') {
    throw new Error('missing http/pid/capacity');
  }
  if (o.grpc !== null && typeof o.grpc !== 'string') throw new Error('bad grpc field');
  return { http: o.http, grpc: o.grpc, pid: o.pid, capacity: o.capacity, tls: o.tls === true };
}

export async function startGoTarget(opts: GoTargetOptions = {}): Promise<GoTarget> {
  if (!goTargetAvailable()) {
    throw new Error(`Go target binary not found at ${GO_TARGET_BIN}: run \`bash scripts/build-go-fixture.sh\` first`);
  }
  const args: string[] = [];
  if (opts.workers !== undefined) args.push('-workers', String(opts.workers));
  if (opts.serviceTimeMs !== undefined) args.push('-service-time', `${opts.serviceTimeMs}ms`);
  if (opts.mode !== undefined) args.push('-mode', opts.mode);
  if (opts.grpc) args.push('-grpc-addr', '127.0.0.1:0');
  if (opts.tls) args.push('-tls-cert', opts.tls.cert, '-tls-key', opts.tls.key, ...(opts.tls.clientCa ? ['-tls-client-ca', opts.tls.clientCa] : []));
  if (opts.h2c) args.push('-h2c');
  args.push(...(opts.extraArgs ?? []));

  const child = spawn(GO_TARGET_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  installExitHook();
  live.add(child);

  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      live.delete(child);
      resolve();
    });
  });

  // Keep a tail of stderr for error messages; forward it when debugging.
  let stderrTail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
    if (process.env.GO_TARGET_DEBUG) process.stderr.write(chunk);
  });

  const info = await new Promise<StartLine>((resolve, reject) => {
    let buf = '';
    const fail = (msg: string): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      if (!exited) child.kill('SIGKILL');
      reject(new Error(`${msg} (${GO_TARGET_BIN} ${args.join(' ')})${stderrTail ? `\nstderr: ${stderrTail.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`go-target did not print its start line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const onData = (chunk: string): void => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      try {
        resolve(parseStartLine(buf.slice(0, nl)));
      } catch (err) {
        fail(`go-target printed an unexpected start line ${JSON.stringify(buf.slice(0, nl))}: ${String(err)}`);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      // Let buffered stderr arrive before reporting.
      setImmediate(() => fail(`go-target exited before starting (code ${code}, signal ${signal})`));
    };
    const onError = (err: Error): void => fail(`could not spawn go-target: ${err.message}`);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
  // The target writes nothing else to stdout, but never let a pipe fill up.
  child.stdout!.resume();

  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, KILL_AFTER_MS);
    await exitPromise;
    clearTimeout(killTimer);
  };

  return {
    url: `${info.tls ? 'https' : 'http'}://${info.http}`,
    grpcAddress: info.grpc,
    pid: info.pid,
    capacity: info.capacity,
    stop,
  };
}

/**
 * What the fixture's client_golang counter `http_requests_total` holds for one handler (`grpc_do`,
 * `grpc_stream`, `work`, ...): the requests the server itself counted, summed over the status codes, or
 * for one code (`OK`) only.
 */
export async function servedByHandler(target: GoTarget, handler: string, code?: string): Promise<number> {
  const text = await (await fetch(`${target.url}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^http_requests_total\{code="([^"]*)",handler="([^"]+)"\} (\d+)$/gm)) {
    if (m[2] === handler && (code === undefined || m[1] === code)) n += Number(m[3]);
  }
  return n;
}
