// http.version, http.streams and http.tls: validation before any load, the
// engine config the scenario becomes, the dispatcher's connection plan and the
// connection report. The sockets (h2 over TLS, h2c, mutual TLS) are exercised
// in test/integration/http2-tls.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'node:net';
import { resolveScenario } from '../../src/scenario/load.js';
import { httpOpenConfig } from '../../src/engines/http-open/http-open-config.js';
import { ConnectionCounter, createHttpDispatcher, DEFAULT_H2_STREAMS, h2Connections } from '../../src/engines/http-dispatcher.js';
import { runDiagnosticsSchema } from '../../src/result/summary-schema.js';
import { connectionsLine } from '../../src/runner/diagnostics.js';
import { scenarioProblems } from '../helpers/scenarios.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'critpoint-h2-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const pem = path.join(tmp, 'ca.pem');
writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const notPem = path.join(tmp, 'plain.txt');
writeFileSync(notPem, 'hello');

const base = (url: string, http: Record<string, unknown> = {}, load: Record<string, unknown> = {}) => ({ name: 'h', target: { url }, http, load });

const problems = (data: unknown) => scenarioProblems(data, { baseDir: tmp });

describe('http.version and http.tls in the scenario', () => {
  it('version defaults to 1.1; 2 and 1.1 are accepted as numbers or strings', () => {
    expect(resolveScenario(base('http://127.0.0.1:1')).http.version).toBe('1.1');
    expect(resolveScenario(base('http://127.0.0.1:1', { version: 2 })).http.version).toBe('2');
    expect(resolveScenario(base('http://127.0.0.1:1', { version: '2' })).http.version).toBe('2');
    expect(resolveScenario(base('http://127.0.0.1:1', { version: 1.1 })).http.version).toBe('1.1');
    expect(problems(base('http://127.0.0.1:1', { version: 3 }))).toEqual([expect.stringMatching(/^http\.version: must be 1\.1 or 2, got 3$/)]);
  });

  it('HTTP/2 in load.mode concurrency is one clear error: autocannon speaks HTTP/1.1 only', () => {
    expect(problems(base('http://127.0.0.1:1', { version: 2 }, { mode: 'concurrency' }))).toEqual([
      'http.version: HTTP/2 runs on the http-open engine (load.mode rate); load.mode concurrency uses autocannon, which speaks HTTP/1.1 only, got 2',
    ]);
  });

  it('http.streams needs version 2; http.tls needs an https:// URL and the open loop', () => {
    expect(problems(base('http://127.0.0.1:1', { streams: 10 }))).toEqual(['http.streams: applies to http.version 2 only, got 10']);
    expect(problems(base('http://127.0.0.1:1', { tls: { ca: 'ca.pem' } }))[0]).toMatch(/^http\.tls: only used with an https:\/\/ target\.url, got /);
    expect(problems(base('https://127.0.0.1:1', { tls: { ca: 'ca.pem' } }, { mode: 'concurrency' }))[0]).toMatch(
      /^http\.tls: applies to the http-open engine \(load\.mode rate\) only, got /,
    );
  });

  it('TLS files: shared rules with grpc.tls (cert needs key, readable PEM), paths relative to the scenario folder', () => {
    expect(problems(base('https://127.0.0.1:1', { tls: { cert: 'ca.pem' } }))).toEqual(['http.tls.key: needed with http.tls.cert (mutual TLS), got nothing']);
    expect(problems(base('https://127.0.0.1:1', { tls: { ca: 'missing.pem' } }))).toEqual([
      expect.stringMatching(/^http\.tls\.ca: cannot read the file \(ENOENT\), got /),
    ]);
    expect(problems(base('https://127.0.0.1:1', { tls: { ca: 'plain.txt' } }))).toEqual([expect.stringMatching(/^http\.tls\.ca: not a PEM file, got /)]);
    const s = resolveScenario(base('https://127.0.0.1:1', { tls: { ca: 'ca.pem', serverName: 'svc.internal' } }), { baseDir: tmp });
    expect(s.http.tls?.ca).toBe(pem);
    // The gRPC side reports through the same rules under its own path.
    expect(
      problems({ name: 'g', target: { url: 'grpcs://127.0.0.1:1' }, grpc: { proto: 'x.proto', service: 'a.B', method: 'C', tls: { key: 'ca.pem' } } }),
    ).toContain('grpc.tls.cert: needed with grpc.tls.key (mutual TLS), got nothing');
  });

  it('the engine config carries the version, the streams and the PEM text (plain data a worker thread can receive)', () => {
    const s = resolveScenario(base('https://127.0.0.1:1', { version: 2, streams: 20, tls: { ca: 'ca.pem', insecureSkipVerify: true } }), { baseDir: tmp });
    const cfg = httpOpenConfig(s, {});
    expect(cfg).toMatchObject({ version: '2', streams: 20, tls: { ca: expect.stringContaining('BEGIN CERTIFICATE'), insecureSkipVerify: true } });
    expect(structuredClone(cfg.tls)).toEqual(cfg.tls);
    expect(httpOpenConfig(resolveScenario(base('http://127.0.0.1:1')), {})).toMatchObject({ version: '1.1', streams: DEFAULT_H2_STREAMS, tls: null });
  });
});

describe('the dispatcher and its connection report', () => {
  it('HTTP/2 carries load.maxInFlight on ceil(maxInFlight / streams) connections; HTTP/1.1 on one per request', () => {
    expect(h2Connections(1000, 100)).toBe(10);
    expect(h2Connections(1001, 100)).toBe(11);
    expect(h2Connections(5, 100)).toBe(1);
  });

  it('builds h1, h2 over TLS and h2c pools without sending anything', async () => {
    for (const [origin, version] of [
      ['http://127.0.0.1:1', '1.1'],
      ['https://127.0.0.1:1', '2'],
      ['http://127.0.0.1:1', '2'],
    ] as const) {
      const pool = createHttpDispatcher({ origin, connections: 10, timeoutMs: 1000, version }, new ConnectionCounter(version));
      expect(pool.stats.connected).toBe(0);
      await pool.destroy();
    }
  });

  it('counts connections and the protocol each negotiated; HTTP/1.1 is one stream per connection', () => {
    const h1 = new ConnectionCounter('1.1');
    expect(h1.report()).toEqual({ requested: '1.1', negotiated: null, opened: 0, maxStreamsPerConnection: 0 });
    h1.socketOpened({} as Socket);
    h1.socketOpened({ alpnProtocol: 'http/1.1' } as unknown as Socket);
    expect(h1.report()).toEqual({ requested: '1.1', negotiated: 'http/1.1', opened: 2, maxStreamsPerConnection: 1 });
    const h2 = new ConnectionCounter('2');
    h2.socketOpened({ alpnProtocol: 'h2' } as unknown as Socket);
    expect(h2.report()).toMatchObject({ requested: '2', negotiated: 'h2', opened: 1 });
    h2.stop();
  });

  it('summary.json accepts the connection report under diagnostics', () => {
    const connections = { requested: '2', negotiated: 'h2', opened: 3, maxStreamsPerConnection: 57 };
    const usl = { status: 'not-applicable', detail: '', fit: null, points: [] };
    const littlesLaw = { steps: 0, holding: 0, tolerance: 0.1, detail: '' };
    expect(runDiagnosticsSchema.parse({ usl, littlesLaw, connections }).connections).toEqual(connections);
    expect(runDiagnosticsSchema.safeParse({ usl, littlesLaw, connections: { ...connections, requested: '3' } }).success).toBe(false);
  });

  it('the terminal summary and summary.md say it in one line', () => {
    expect(connectionsLine({ requested: '2', negotiated: 'h2', opened: 3, maxStreamsPerConnection: 57 })).toBe(
      'HTTP/2 asked, h2 negotiated; 3 connections opened, at most 57 in flight on one',
    );
  });
});
