// HTTP/2 and TLS on the http-open engine, against real servers on 127.0.0.1
// with certificates this file makes (openssl). A ramp finds the Go fixture's
// critical point over h2 with mutual TLS; a short run below capacity checks
// h2c (prior knowledge).
// The TLS refusals (no client certificate, an untrusted or misnamed server
// certificate, a server that will not speak HTTP/2) are preflights against
// in-process Node servers: one clear error, no load.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, resolveScenario } from '../../src/scenario/load.js';
import { createEngine } from '../../src/engines/registry.js';
import { runScenario } from '../../src/runner/run.js';
import { TargetUnreachableError } from '../../src/errors.js';
import type { RunResult } from '../../src/types.js';
import { GO_TARGET_BUILD_SCRIPT, goTargetAvailable, startGoTarget, type GoTarget } from '../helpers/go-target.js';
import { selfSignedCert, type TestCert } from '../helpers/test-certs.js';
import { cpuShareAvailable } from '../helpers/grpc-machine.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'critpoint-h2-'));
let server: TestCert; // CN critpoint-test, SAN IP:127.0.0.1
let client: TestCert; // the client certificate of mutual TLS
let named: TestCert; // SAN DNS:svc.internal only
beforeAll(() => {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
  server = selfSignedCert(tmp, 'critpoint-test');
  client = selfSignedCert(tmp, 'critpoint-client');
  named = selfSignedCert(tmp, 'svc.internal', false);
}, 180_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const EXAMPLE = fileURLToPath(new URL('../../scenarios/http2-tls.yaml', import.meta.url));

/** A short ramp (500 ms windows, 1.5 s steps, 8 baseline windows) with the busy-VM generator allowance of the other load tests. */
const RAMP = {
  load: {
    start: 250,
    end: 2000,
    growth: { factor: 1.5 },
    stepDuration: '1500ms',
    warmup: '500ms',
    baselineWindows: 8,
    drain: '100ms',
    maxDuration: '1m',
    maxInFlight: 400,
    refine: { resolution: 0.1, maxSteps: 3 },
  },
  detect: { window: '500ms', minRequests: 100, generator: { maxSendLag: '25ms', retries: 2 } },
  report: { dir: tmp, formats: ['json'] },
};

/** The example scenario with the test's target, certificates and short ramp. */
function example(url: string) {
  return loadScenarioFile(EXAMPLE, {
    target: url,
    patch: (raw) => {
      const http = raw.http as Record<string, unknown>;
      http.tls = { ca: server.cert, cert: client.cert, key: client.key };
      Object.assign(raw, { ...RAMP, load: { ...(raw.load as object), ...RAMP.load }, detect: { ...(raw.detect as object), ...RAMP.detect } });
      return [];
    },
  });
}

/** As the gRPC ramps do: when a busy loop gets under 60% of a core before any load, no generator keeps a millisecond schedule here; say so and skip. */
function machineTooBusy(what: string): boolean {
  const share = cpuShareAvailable();
  if (share >= 0.6) return false;
  console.warn(`${what}: not judged: a busy loop got ${(100 * share).toFixed(0)}% of a core before any load (< 60%)`);
  return true;
}

function expectCriticalPoint(result: RunResult, capacity: number, what: string): void {
  const steps = result.steps.map((s) => `${s.load}:${s.outcome}${JSON.stringify(s.stats.errors)}`).join(' ');
  console.log(`${what}: ${result.stopReason} (${result.stopDetail}); steps ${steps}; connections ${JSON.stringify(result.diagnostics?.connections)}`);
  expect(result.stopReason).toBe('breach');
  const ratio = result.criticalPoint!.value / capacity;
  // The fixture's nominal capacity W/S, not a measured plateau: its pool keeps within 10% of it (go-target.test.ts).
  expect(ratio).toBeGreaterThanOrEqual(0.75);
  expect(ratio).toBeLessThanOrEqual(1.05);
  const c = result.diagnostics!.connections!;
  expect(c).toMatchObject({ requested: '2', negotiated: 'h2' });
  // HTTP/2 multiplexes: at ~500 req/s x 10 ms, several requests share a connection, and a step opens a handful at most.
  expect(c.maxStreamsPerConnection).toBeGreaterThan(1);
  expect(c.opened).toBeGreaterThanOrEqual(1);
  expect(c.opened).toBeLessThanOrEqual(result.steps.length * 4 + 1);
}

describe('the Go fixture over HTTP/2 (4 workers x 8 ms = 500 req/s)', () => {
  const targets: GoTarget[] = [];
  afterAll(async () => Promise.all(targets.map((t) => t.stop())));

  it('h2 over mutual TLS finds the critical point', async (ctx) => {
    if (machineTooBusy('h2 + mTLS')) return ctx.skip();
    const target = await startGoTarget({ workers: 4, serviceTimeMs: 8, tls: { cert: server.cert, key: server.key, clientCa: client.cert } });
    targets.push(target);
    expect(target.url).toMatch(/^https:/);
    const { result } = await runScenario(await example(target.url), { env: {} });
    expectCriticalPoint(result, target.capacity, 'h2 + mTLS');
    await target.stop();
  });

  // The knee over HTTP/2 is found above (h2 over mutual TLS); h2c differs only in how the connection
  // starts, so its run is a short one below capacity: the transport, not the search.
  it('h2c (prior knowledge): the run speaks HTTP/2 over cleartext, several requests a connection, every request answered', async () => {
    const target = await startGoTarget({ workers: 4, serviceTimeMs: 8, h2c: true });
    targets.push(target);
    const s = resolveScenario({
      name: 'h2c',
      target: { url: target.url },
      http: { path: '/work', timeout: '3s', version: 2 },
      load: { ...RAMP.load, start: 250, end: 250, stepDuration: '1s', baselineWindows: 5 },
      detect: RAMP.detect,
      report: RAMP.report,
    });
    const { result } = await runScenario(s, { env: {} });
    console.log(
      `h2c: ${result.stopReason}; steps ${result.steps.map((st) => `${st.load}:${st.outcome} p50 ${st.stats.p50.toFixed(1)}`).join(' ')}; connections ${JSON.stringify(result.diagnostics?.connections)}`,
    );
    expect(target.url).toMatch(/^http:/);
    const c = result.diagnostics!.connections!;
    expect(c).toMatchObject({ requested: '2', negotiated: 'h2' });
    expect(c.maxStreamsPerConnection).toBeGreaterThan(1);
    expect(c.opened).toBeGreaterThanOrEqual(1);
    expect(c.opened).toBeLessThanOrEqual(result.steps.length * 4 + 1);
    // Every request answered (the windows, warm-up included, hold every send and every answer), none
    // faster than the fixture's service time.
    const sum = (f: (w: (typeof result.windows)[number]) => number) => result.windows.reduce((n, w) => n + f(w), 0);
    expect(sum((w) => w.sent)).toBeGreaterThan(500);
    expect(sum((w) => w.completed)).toBe(sum((w) => w.sent));
    expect(sum((w) => w.errorTotal)).toBe(0);
    for (const st of result.steps) expect(st.stats.p50).toBeGreaterThanOrEqual(8);
  });
});

async function listen<T extends Server | Http2SecureServer>(srv: T): Promise<T> {
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return srv;
}
const port = (srv: Server | Http2SecureServer) => (srv.address() as AddressInfo).port;

/** The preflight's error, or null when it passed; no step is ever run. */
async function preflight(url: string, http: Record<string, unknown>): Promise<string | null> {
  const s = resolveScenario({ name: 'h2-preflight', target: { url }, http: { timeout: '2s', ...http }, report: { dir: tmp } });
  const engine = await createEngine(s, { env: {} });
  try {
    await engine.preflight(2_000);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(TargetUnreachableError);
    return (err as Error).message;
  } finally {
    await engine.close();
  }
}

it('the example scenario validates as written, but for its certificate files', async () => {
  await expect(loadScenarioFile(EXAMPLE)).rejects.toThrow(/http\.tls\.ca: cannot read the file/);
  const s = await example('https://127.0.0.1:8443');
  expect(s.http).toMatchObject({ version: '2', streams: 100, tls: { ca: server.cert } });
});

describe('TLS settings and refusals, before any load (in-process Node servers)', () => {
  const servers: (Server | Http2SecureServer)[] = [];
  afterAll(async () => {
    for (const s of servers) s.close();
  });
  const answer = (_req: unknown, res: { end(body: string): void }) => res.end('ok');

  it('mutual TLS: the client certificate gets through, no certificate is refused with one clear error', async () => {
    const mtls = await listen(
      createSecureServer(
        { key: readFileSync(server.key), cert: readFileSync(server.cert), ca: readFileSync(client.cert), requestCert: true, rejectUnauthorized: true },
        answer,
      ),
    );
    servers.push(mtls);
    const url = `https://127.0.0.1:${port(mtls)}`;
    expect(await preflight(url, { version: 2, tls: { ca: server.cert, cert: client.cert, key: client.key } })).toBeNull();
    const refused = await preflight(url, { version: 2, tls: { ca: server.cert } });
    expect(refused).toMatch(/unreachable: .*(certificate|ECONNRESET|socket)/i);
    expect(refused!.split('\n')).toHaveLength(1);
  });

  it('an untrusted certificate is refused unless insecureSkipVerify; serverName checks the name the certificate holds', async () => {
    const h2 = await listen(createSecureServer({ key: readFileSync(named.key), cert: readFileSync(named.cert) }, answer));
    servers.push(h2);
    const url = `https://127.0.0.1:${port(h2)}`;
    expect(await preflight(url, { version: 2 })).toMatch(/self[- ]signed/i);
    expect(await preflight(url, { version: 2, tls: { insecureSkipVerify: true } })).toBeNull();
    // Trusted, but issued to svc.internal, not 127.0.0.1.
    expect(await preflight(url, { version: 2, tls: { ca: named.cert } })).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|altnames/i);
    expect(await preflight(url, { version: 2, tls: { ca: named.cert, serverName: 'svc.internal' } })).toBeNull();
  });

  it('http.version 2 against a server that speaks HTTP/1.1 only: refused, over TLS (ALPN) and as h2c', async () => {
    const h1s = await listen(createHttpsServer({ key: readFileSync(server.key), cert: readFileSync(server.cert) }, answer));
    const h1 = await listen(createHttpServer(answer));
    servers.push(h1s, h1);
    expect(await preflight(`https://127.0.0.1:${port(h1s)}`, { version: 2, tls: { ca: server.cert } })).toMatch(
      /http\.version is 2 but the server chose http\/1\.1/,
    );
    expect(await preflight(`https://127.0.0.1:${port(h1s)}`, { tls: { ca: server.cert } })).toBeNull();
    expect(await preflight(`http://127.0.0.1:${port(h1)}`, { version: 2 })).toMatch(/h2c/);
  });
});
