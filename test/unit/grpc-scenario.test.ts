import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadScenarioFile, resolveScenario } from '../../src/scenario/load.js';
import { engineName } from '../../src/engines/registry.js';
import { redactScenario } from '../../src/scenario/secrets.js';
import { grpcAddress, grpcEngineConfig } from '../../src/engines/grpc/grpc-config.js';
import { GO_TARGET_PROTO } from '../helpers/go-target.js';
import { scenarioProblems } from '../helpers/scenarios.js';

const work = { proto: GO_TARGET_PROTO, service: 'loadtarget.Work', method: 'Do' };
const base = { name: 'g', target: { url: 'grpc://127.0.0.1:9090' }, grpc: work };

const problems = scenarioProblems;

describe('gRPC scenario defaults and engine choice', () => {
  it('a minimal gRPC scenario gets every default and the grpc engine', () => {
    const s = resolveScenario(base);
    expect(s.grpc).toMatchObject({ includeDirs: [], request: {}, metadata: {}, deadline: 10_000, channels: 4, stopLatency: 'end-of-stream' });
    expect(engineName(s)).toBe('grpc');
    expect(engineName(resolveScenario({ name: 'h', target: { url: 'http://127.0.0.1:1' } }))).toBe('http-open');
  });
  it('grpc:// and grpcs:// give host:port with default ports', () => {
    expect(grpcAddress('grpc://127.0.0.1:9090')).toBe('127.0.0.1:9090');
    expect(grpcAddress('grpcs://api.example')).toBe('api.example:443');
    expect(grpcAddress('grpc://[::1]:50051')).toBe('[::1]:50051');
  });
  it('the engine config encodes the request once and resolves ${env:} in metadata', () => {
    const s = resolveScenario({
      ...base,
      grpc: { ...work, request: { payload: 'abc', sizeHint: 16 }, metadata: { authorization: 'Bearer ${env:TOKEN}' }, deadline: '2s' },
    });
    const cfg = grpcEngineConfig(s, { TOKEN: 't0k' });
    expect(cfg).toMatchObject({
      address: '127.0.0.1:9090',
      path: '/loadtarget.Work/Do',
      kind: 'unary',
      stream: false,
      deadlineMs: 2000,
      metadata: { authorization: 'Bearer t0k' },
      tls: null,
    });
    // payload=1 "abc", size_hint=2 16 on the wire
    expect([...cfg.request]).toEqual([0x0a, 3, 0x61, 0x62, 0x63, 0x10, 16]);
  });
  it('outputs keep the ${env:} reference and mask literal secrets', () => {
    const s = resolveScenario({ ...base, grpc: { ...work, metadata: { authorization: 'Bearer literal', 'x-api-key': '${env:K}', 'x-trace': 'on' } } });
    expect(redactScenario(s).grpc?.metadata).toEqual({ authorization: '[redacted]', 'x-api-key': '${env:K}', 'x-trace': 'on' });
  });
});

describe('gRPC scenario problems, before any load', () => {
  const cases: { name: string; data: unknown; opts?: object; want: string[] }[] = [
    {
      name: 'wrong method name',
      data: { ...base, grpc: { ...work, method: 'Foo' } },
      want: ['grpc.method: no method Foo in service loadtarget.Work (methods: Do, Stream), got "Foo"'],
    },
    {
      name: 'wrong service name',
      data: { ...base, grpc: { ...work, service: 'loadtarget.Wrk' } },
      want: ['grpc.service: no service loadtarget.Wrk in work.proto (services: loadtarget.Work), got "loadtarget.Wrk"'],
    },
    {
      name: 'unknown request field',
      data: { ...base, grpc: { ...work, request: { payloads: 'x' } } },
      want: ['grpc.request.payloads: no field payloads in loadtarget.WorkRequest (fields: payload, sizeHint, count), got "x"'],
    },
    {
      name: 'missing proto file',
      data: { ...base, grpc: { ...work, proto: '/nonexistent/x.proto' } },
      want: ['grpc.proto: cannot load (ENOENT: no such file or directory, open \'/nonexistent/x.proto\'), got "/nonexistent/x.proto"'],
    },
    {
      name: 'client-streaming method',
      data: {
        ...base,
        grpc: { proto: 'test/fixtures/grpc/rich.proto', includeDirs: ['test/fixtures/grpc/include'], service: 'rich.v1.Rich', method: 'Upload' },
      },
      want: ['grpc.method: Upload is a client-streaming method; critpoint drives unary and server-streaming methods, got "Upload"'],
    },
    {
      name: 'first-message stop on a unary method',
      data: { ...base, grpc: { ...work, stopLatency: 'first-message' } },
      want: ['grpc.stopLatency: first-message applies to server-streaming methods only (Do is unary), got "first-message"'],
    },
    {
      name: 'grpc target without a grpc section',
      data: { name: 'g', target: { url: 'grpc://127.0.0.1:9090' } },
      want: ['grpc: required for a grpc:// target (at least service and method), got nothing'],
    },
    {
      name: 'grpc section on an HTTP target',
      data: { ...base, target: { url: 'http://127.0.0.1:1' } },
      want: ['grpc: only used with a grpc:// or grpcs:// target.url, got {"proto":'],
    },
    {
      name: 'path in a gRPC URL',
      data: { ...base, target: { url: 'grpc://127.0.0.1:9090/loadtarget.Work/Do' } },
      want: ['target.url: a gRPC URL is host:port only (the method comes from grpc.service and grpc.method), got "grpc://127.0.0.1:9090/loadtarget.Work/Do"'],
    },
    {
      name: 'unknown scheme',
      data: { ...base, target: { url: 'grpcx://127.0.0.1:9090' } },
      want: ['target.url: must be an http://, https://, grpc:// or grpcs:// URL, got "grpcx://127.0.0.1:9090"'],
    },
    {
      name: 'http engine on a gRPC target',
      data: { ...base, load: { engine: 'http-open' } },
      want: ['load.engine: http-open cannot drive a gRPC target (use grpc or leave it out), got "http-open"'],
    },
    {
      name: 'tls on plain grpc://',
      data: { ...base, grpc: { ...work, tls: { insecureSkipVerify: true } } },
      want: ['grpc.tls: only used with a grpcs:// target.url, got {"insecureSkipVerify":true}'],
    },
    {
      name: 'unreadable CA file',
      data: { ...base, target: { url: 'grpcs://127.0.0.1:9090' }, grpc: { ...work, tls: { ca: '/nonexistent/ca.pem' } } },
      want: ['grpc.tls.ca: cannot read the file (ENOENT), got "/nonexistent/ca.pem"'],
    },
    {
      name: 'client cert without key',
      data: { ...base, target: { url: 'grpcs://127.0.0.1:9090' }, grpc: { ...work, tls: { cert: GO_TARGET_PROTO } } },
      want: ['grpc.tls.key: needed with grpc.tls.cert (mutual TLS), got nothing', `grpc.tls.cert: not a PEM file, got "${GO_TARGET_PROTO}"`],
    },
    {
      name: 'reserved metadata key',
      data: { ...base, grpc: { ...work, metadata: { 'grpc-timeout': '1S' } } },
      want: ['grpc.metadata.grpc-timeout: keys starting with grpc- are reserved for the gRPC library, got "grpc-timeout"'],
    },
    {
      name: 'connection-specific metadata key',
      data: { ...base, grpc: { ...work, metadata: { Connection: 'close' } } },
      want: ['grpc.metadata.Connection: a connection-specific header, which HTTP/2 (and so gRPC) does not allow, got "Connection"'],
    },
    { name: 'unknown grpc client', data: { ...base, grpc: { ...work, client: 'grpc-go' } }, want: ['grpc.client: '] },
    {
      name: 'metadata env var not set (run)',
      data: { ...base, grpc: { ...work, metadata: { authorization: 'Bearer ${env:NOPE_TOKEN}' } } },
      opts: { env: {} },
      want: ['grpc.metadata.authorization: environment variable NOPE_TOKEN is not set, got "Bearer ${env:NOPE_TOKEN}"'],
    },
    { name: 'channels out of range', data: { ...base, grpc: { ...work, channels: 0 } }, want: ['grpc.channels: must be at least 1, got 0'] },
    {
      name: 'autocannon pipelining on a gRPC target',
      data: { ...base, load: { mode: 'concurrency', start: 1, end: 8, pipelining: 4 } },
      want: ['load.pipelining: HTTP/1.1 pipelining does not apply to a gRPC target (calls share the grpc.channels), got 4'],
    },
    {
      name: 'load threads on a gRPC target in concurrency mode',
      data: { ...base, load: { mode: 'concurrency', start: 1, end: 8, workers: 2 } },
      want: ['load.workers: gRPC load threads split a rate schedule; in concurrency mode the gRPC engine runs on the main thread, got 2'],
    },
    {
      name: 'a placeholder in the request on gRPC load threads',
      data: { ...base, grpc: { ...work, request: { payload: 'p-${seq}' } }, load: { workers: 2 } },
      want: [
        'load.workers: a gRPC request mix, data files and placeholders other than ${env:} run on one thread so far (load threads send one prepared call), got 2',
      ],
    },
    {
      name: 'load threads with the grpc-js client',
      data: { ...base, grpc: { ...work, client: 'grpc-js' }, load: { workers: 3 } },
      want: ['load.workers: grpc.client grpc-js runs on the main thread only (load threads use the http2 client, the default), got 3'],
    },
    { name: 'unknown grpc field', data: { ...base, grpc: { ...work, deadlne: '1s' } }, want: ['grpc.deadlne: unknown field, got "1s"'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = problems(c.data, c.opts);
      for (const w of c.want) expect(got.some((p) => p.startsWith(w))).toBe(true);
      for (const p of got) expect(p).toMatch(/^[^:]+: .+, got .+$/);
    });
  }
  it('load threads in rate mode on the http2 client are valid', () => {
    expect(problems({ ...base, load: { workers: 2 } })).toEqual([]);
    expect(problems({ ...base, load: { workers: 'auto' } })).toEqual([]);
  });
  it('concurrency mode with load.engine grpc named explicitly is valid', () => {
    expect(problems({ ...base, load: { mode: 'concurrency', start: 1, end: 8, engine: 'grpc' } })).toEqual([]);
  });
  it('reports proto, request and metadata problems together', () => {
    const got = problems({ ...base, grpc: { ...work, request: { sizeHint: 'x', bogus: 1 }, metadata: { 'bad key': 'v' } } });
    expect(got.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['grpc.request.sizeHint', 'grpc.request.bogus', 'grpc.metadata.bad key']));
  });
});

describe('gRPC paths are relative to the scenario file', () => {
  it('loads protos/work.proto next to the scenario, wherever the working directory is', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'critpoint-grpc-'));
    mkdirSync(path.join(dir, 'protos'));
    copyFileSync(GO_TARGET_PROTO, path.join(dir, 'protos', 'work.proto'));
    const file = path.join(dir, 'scenario.yaml');
    writeFileSync(file, 'name: g\ntarget: { url: "grpc://127.0.0.1:9090" }\ngrpc: { proto: ./protos/work.proto, service: loadtarget.Work, method: Stream }\n');
    const s = await loadScenarioFile(file);
    expect(s.grpc?.proto).toBe(path.join(dir, 'protos', 'work.proto'));
    writeFileSync(file, 'name: g\ntarget: { url: "grpc://127.0.0.1:9090" }\ngrpc: { proto: ./protos/work.proto, service: loadtarget.Work, method: Foo }\n');
    await expect(loadScenarioFile(file)).rejects.toThrow('grpc.method: no method Foo in service loadtarget.Work (methods: Do, Stream), got "Foo"');
  });
});
