// The gRPC engine against real servers on 127.0.0.1 (default client http2;
// the status kinds also with grpc-js): validation sends nothing, errors are
// counted by status code in windows and summary, TLS, mutual TLS and
// metadata (-bin values as bytes) reach the server, the closed loop keeps N
// calls in flight, and a target that dies mid-run is reported unreachable.
// All load is bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveScenario } from '../../src/scenario/load.js';
import { createEngine } from '../../src/engines/registry.js';
import { runScenario } from '../../src/runner/run.js';
import { runCli } from '../../src/cli/program.js';
import { TargetUnreachableError } from '../../src/errors.js';
import type { Engine, Step, StepStats } from '../../src/types.js';
import type { GrpcEngine } from '../../src/engines/grpc/grpc-engine.js';
import { GO_TARGET_BUILD_SCRIPT, GO_TARGET_PROTO, goTargetAvailable, startGoTarget, type GoTarget } from '../helpers/go-target.js';
import { startGrpcTarget, type GrpcTarget } from '../helpers/grpc-target.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'critpoint-grpc-it-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
}, 180_000);

function grpcScenario(url: string, grpc: Record<string, unknown> = {}, load: Record<string, unknown> = {}) {
  return resolveScenario({
    name: 'grpc-it',
    target: { url },
    grpc: { proto: GO_TARGET_PROTO, service: 'loadtarget.Work', method: 'Do', request: { payload: 'abc' }, channels: 2, deadline: '2s', ...grpc },
    load: { start: 100, end: 400, stepDuration: '2s', warmup: '500ms', baselineWindows: 5, drain: '200ms', maxDuration: '30s', ...load },
    // The busy-VM allowance of the other load tests (test/helpers/scenarios.ts): these tests are about
    // status codes, TLS and metadata; a baseline once ended generator-limited at 100 calls/s on 5 ms.
    detect: { window: '500ms', minRequests: 20, generator: { maxSendLag: '25ms', retries: 2 } },
    report: { dir: tmp },
  });
}

async function oneStep(engine: Engine, load: number, unit: Step['unit'], durationMs = 1_000, warmupMs = 0): Promise<StepStats> {
  const t0 = performance.now();
  let i = 0;
  return engine.runStep(
    { index: 0, phase: 'ramp', load, unit, durationMs, warmupMs, maxRequests: Infinity },
    {
      now: () => performance.now() - t0,
      signal: new AbortController().signal,
      liveness: ignoreLiveness,
      onWindow: () => undefined,
      nextWindowIndex: () => i++,
    },
  );
}

describe('validation sends no load', () => {
  it('a wrong method name fails validation, exit code 2, and no connection reaches the target', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const run = async (method: string) => {
      const file = path.join(tmp, `wrong-${method}.yaml`);
      writeFileSync(
        file,
        `name: wrong\ntarget: { url: "grpc://127.0.0.1:${port}" }\ngrpc: { proto: ${JSON.stringify(GO_TARGET_PROTO)}, service: loadtarget.Work, method: ${method} }\nload: { start: 100, end: 200, stepDuration: 2s, warmup: 0s, baselineWindows: 5 }\ndetect: { minRequests: 20 }\nreport: { dir: ${JSON.stringify(tmp)} }\n`,
      );
      let stderr = '';
      const code = await runCli(['run', file, '--quiet'], { stdout: () => undefined, stderr: (s) => void (stderr += s), env: {} });
      return { code, stderr };
    };
    try {
      const wrong = await run('Foo');
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('grpc.method: no method Foo in service loadtarget.Work (methods: Do, Stream), got "Foo"');
      expect(connections).toBe(0);
      // Control: with the right method the engine does connect (this listener is no gRPC server, so the preflight fails).
      const right = await run('Do');
      expect(right.code).toBe(4);
      expect(connections).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });
});

describe('errors by gRPC status code (Go target: 2 workers x 50 ms, no queue)', () => {
  let target: GoTarget;
  beforeAll(async () => {
    target = await startGoTarget({ grpc: true, workers: 2, serviceTimeMs: 50, extraArgs: ['-queue', '0'] });
  });
  afterAll(async () => target?.stop());

  it('counts RESOURCE_EXHAUSTED beyond the workers and DEADLINE_EXCEEDED past the deadline, the same kinds with either client', async () => {
    const kinds: Record<string, string[]> = {};
    for (const client of ['http2', 'grpc-js']) {
      const rejecting = await createEngine(grpcScenario(`grpc://${target.grpcAddress}`, { client }), { env: {} });
      const late = await createEngine(grpcScenario(`grpc://${target.grpcAddress}`, { deadline: '20ms', client }), { env: {} });
      try {
        await rejecting.preflight(2_000);
        const r = await oneStep(rejecting, 200, 'req/s', 500);
        // 2 workers x 50 ms serve ~40 calls/s; the rest of ~200 are rejected at once.
        expect(r.errors['grpc-RESOURCE_EXHAUSTED']).toBeGreaterThan(r.sent * 0.6);
        expect(r.completed).toBe(r.sent);
        expect(r.errors['grpc-DEADLINE_EXCEEDED'] ?? 0).toBe(0);

        const d = await oneStep(late, 20, 'req/s', 500);
        // Every call that gets a worker needs 50 ms > its 20 ms deadline.
        expect(d.errors['grpc-DEADLINE_EXCEEDED']).toBeGreaterThan(0);
        expect(d.errors['grpc-DEADLINE_EXCEEDED']! + (d.errors['grpc-RESOURCE_EXHAUSTED'] ?? 0)).toBe(d.sent);
        expect(d.completed).toBe(d.errors['grpc-RESOURCE_EXHAUSTED'] ?? 0); // a deadline miss has no latency
        kinds[client] = [...new Set([...Object.keys(r.errors), ...Object.keys(d.errors)])].sort();
      } finally {
        await rejecting.close();
        await late.close();
      }
    }
    expect(kinds.http2).toEqual(kinds['grpc-js']);
  });

  it('writes the status kinds into windows.csv and summary.json', async () => {
    const s = grpcScenario(`grpc://${target.grpcAddress}`, {}, { start: 100 });
    const { result, runDir } = await runScenario(s, { env: {} });
    expect(result.stopReason).toBe('breach'); // the target fails already at load.start
    expect(result.steps[0]!.stats.errors['grpc-RESOURCE_EXHAUSTED']).toBeGreaterThan(0);
    const summary = JSON.parse(readFileSync(path.join(runDir!, 'summary.json'), 'utf8')) as {
      engine: string;
      steps: { stats: { errors: Record<string, number> } }[];
    };
    expect(summary.engine).toBe('grpc');
    expect(summary.steps[0]!.stats.errors['grpc-RESOURCE_EXHAUSTED']).toBeGreaterThan(0);
    const header = readFileSync(path.join(runDir!, 'windows.csv'), 'utf8').split('\n')[0]!;
    expect(header.split(',')).toContain('errors_grpc-RESOURCE_EXHAUSTED');
  });
});

describe('TLS and metadata (in-process @grpc/grpc-js target)', () => {
  let target: GrpcTarget;
  const ca = path.join(tmp, 'cert.pem');
  const key = path.join(tmp, 'key.pem');
  const openssl = (cn: string, keyOut: string, certOut: string) =>
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyOut,
        '-out',
        certOut,
        '-days',
        '1',
        '-subj',
        `/CN=${cn}`,
        '-addext',
        `subjectAltName=DNS:${cn},IP:127.0.0.1`,
      ],
      { stdio: 'ignore' },
    );
  beforeAll(async () => {
    openssl('critpoint-test', key, ca);
    target = await startGrpcTarget({ workers: 8, serviceMs: 2, token: 's3cret', tls: { key: readFileSync(key), cert: readFileSync(ca) } });
  });
  afterAll(async () => target?.close());

  it('calls over TLS with the CA, the bearer token from ${env:} and -bin metadata sent as bytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff]);
    const engine = await createEngine(
      grpcScenario(`grpcs://${target.address}`, {
        tls: { ca },
        metadata: { authorization: 'Bearer ${env:TOKEN}', 'trace-bin': bytes.toString('base64'), 'x-tenant': 'a' },
      }),
      { env: { TOKEN: 's3cret' } },
    );
    try {
      await engine.preflight(3_000);
      const before = target.received();
      const r = await oneStep(engine, 100, 'req/s');
      expect(r.sent).toBeGreaterThanOrEqual(95);
      expect(r.errors).toEqual({});
      expect(r.completed).toBe(r.sent);
      expect(target.received() - before).toBe(r.sent);
      const md = target.lastMetadata();
      expect(md['trace-bin']).toEqual(bytes);
      expect(md['x-tenant']).toBe('a');
    } finally {
      await engine.close();
    }
  });

  it('mutual TLS: a client certificate the server trusts gets through, none is refused', async () => {
    const clientKey = path.join(tmp, 'client-key.pem');
    const clientCert = path.join(tmp, 'client-cert.pem');
    openssl('critpoint-client', clientKey, clientCert);
    const mtls = await startGrpcTarget({
      workers: 4,
      serviceMs: 1,
      tls: { key: readFileSync(key), cert: readFileSync(ca), clientCa: readFileSync(clientCert) },
    });
    const withCert = await createEngine(grpcScenario(`grpcs://${mtls.address}`, { tls: { ca, cert: clientCert, key: clientKey } }), { env: {} });
    const without = await createEngine(grpcScenario(`grpcs://${mtls.address}`, { tls: { ca } }), { env: {} });
    try {
      await withCert.preflight(3_000);
      const r = await oneStep(withCert, 50, 'req/s', 500);
      expect(r.errors).toEqual({});
      expect(r.completed).toBeGreaterThan(20);
      await expect(without.preflight(1_500)).rejects.toBeInstanceOf(TargetUnreachableError);
    } finally {
      await withCert.close();
      await without.close();
      await mtls.close();
    }
  });

  it('a wrong token is counted as grpc-UNAUTHENTICATED', async () => {
    const engine = await createEngine(grpcScenario(`grpcs://${target.address}`, { tls: { ca }, metadata: { authorization: 'Bearer wrong' } }), { env: {} });
    try {
      await engine.preflight(3_000); // the service answered: reachable
      const r = await oneStep(engine, 50, 'req/s');
      expect(r.errors['grpc-UNAUTHENTICATED']).toBe(r.sent);
    } finally {
      await engine.close();
    }
  });

  it('an untrusted certificate makes the target unreachable, unless insecureSkipVerify', async () => {
    const untrusted = await createEngine(grpcScenario(`grpcs://${target.address}`, { metadata: { authorization: 'Bearer s3cret' } }), { env: {} });
    await expect(untrusted.preflight(1_500)).rejects.toBeInstanceOf(TargetUnreachableError);
    await untrusted.close();
    const skip = await createEngine(
      grpcScenario(`grpcs://${target.address}`, { tls: { insecureSkipVerify: true }, metadata: { authorization: 'Bearer s3cret' } }),
      {
        env: {},
      },
    );
    try {
      await skip.preflight(3_000);
      const r = await oneStep(skip, 50, 'req/s', 500);
      expect(r.errors).toEqual({});
      expect(r.completed).toBeGreaterThan(20);
    } finally {
      await skip.close();
    }
  });
});

describe('HTTP/2 connections: the server limits streams per connection and sends GOAWAY (Go target: 8 workers x 5 ms)', () => {
  let target: GoTarget;
  beforeAll(async () => {
    target = await startGoTarget({ grpc: true, workers: 8, serviceTimeMs: 5, extraArgs: ['-grpc-max-streams', '3', '-grpc-max-conn-age', '300ms'] });
  });
  afterAll(async () => target?.stop());

  it('opens more connections instead of queueing past the limit, and moves on to new ones after GOAWAY without failing a call', async () => {
    const engine = (await createEngine(grpcScenario(`grpc://${target.grpcAddress}`, { channels: 1 }), { env: {} })) as GrpcEngine;
    try {
      await engine.preflight(2_000);
      // 12 calls in flight over connections that take 3 streams each; every connection gets GOAWAY
      // after ~300 ms (grpc-go adds up to 10% jitter), so a 1.5 s step sees several generations.
      const r = await oneStep(engine, 12, 'connections', 1_500);
      const u = engine.transport.usage()!;
      console.log(`stream limit and GOAWAY: ${r.completed} calls, errors ${JSON.stringify(r.errors)}; ${engine.usageText()}`);
      expect(r.errors).toEqual({});
      expect(r.completed).toBeGreaterThan(500);
      expect(u.serverMaxStreams).toBe(3);
      expect(u.peakStreamsPerConnection).toBeLessThanOrEqual(3);
      expect(u.peakConnections).toBeGreaterThanOrEqual(4);
      // Connections were replaced after GOAWAY: more opened than were ever open at once.
      expect(u.opened).toBeGreaterThan(u.peakConnections);
    } finally {
      await engine.close();
    }
  });
});

describe('closed loop and an unreachable target (Go target: 4 workers x 10 ms = 400 calls/s)', () => {
  let target: GoTarget;
  beforeAll(async () => {
    target = await startGoTarget({ grpc: true, workers: 4, serviceTimeMs: 10 });
  });
  afterAll(async () => target?.stop());

  it("keeps N calls in flight: throughput at most N / S, W / S once N > W; latency by Little's law", async () => {
    const engine = await createEngine(grpcScenario(`grpc://${target.grpcAddress}`), { env: {} });
    try {
      await engine.preflight(2_000);
      for (const n of [2, 16]) {
        const r = await oneStep(engine, n, 'connections', 1_000, 500);
        const ceiling = (Math.min(n, 4) * 1000) / 10;
        expect(r.maxInFlight).toBe(n);
        expect(r.errorTotal).toBe(0);
        expect(r.sendLagP99).toBeLessThanOrEqual(0.001); // closed loop: no schedule to lag behind (1 µs is the histogram floor)
        expect(r.achievedRate / ceiling).toBeLessThan(1.05);
        // Below W each call also pays the round trip; past W the pool is the limit.
        if (n > 4) expect(r.achievedRate / ceiling).toBeGreaterThan(0.9);
        // Little's law: in flight = throughput x mean latency.
        expect((r.achievedRate * r.mean) / 1000 / n).toBeGreaterThan(0.85);
        expect((r.achievedRate * r.mean) / 1000 / n).toBeLessThan(1.1);
      }
    } finally {
      await engine.close();
    }
  });

  it('a closed port is target-unreachable before any step', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { result } = await runScenario(grpcScenario(`grpc://127.0.0.1:${port}`), { env: {}, dryWrite: true, preflightTimeoutMs: 1_000 });
    expect(result.stopReason).toBe('target-unreachable');
    expect(result.exitCode).toBe(4);
    expect(result.steps).toEqual([]);
  });

  it('a target that dies during the run is target-unreachable, not a critical point', async () => {
    const dying = await startGoTarget({ grpc: true, workers: 4, serviceTimeMs: 10 });
    const s = grpcScenario(`grpc://${dying.grpcAddress}`, { deadline: '500ms' }, { baselineWindows: 20 });
    setTimeout(() => void dying.stop(), 2_000);
    const { result } = await runScenario(s, { env: {}, dryWrite: true });
    expect(result.stopReason).toBe('target-unreachable');
    expect(result.criticalPoint).toBeNull();
    expect(result.windows.some((w) => (w.errors['grpc-UNAVAILABLE'] ?? 0) > 0)).toBe(true);
  });
});
