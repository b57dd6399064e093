// The gRPC request mix below the engine: per-request frames built from plain
// config (structured-cloned, as a load thread receives them), templates
// filled per send, and the validation of every filled message and metadata
// value against the proto, a bad data row named by its line before any load.
// A handful of calls against a real grpc-js server check that each request
// reaches the server as its own method with its own message and metadata.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { resolveScenario } from '../../src/scenario/load.js';
import { loadProto } from '../../src/engines/grpc/grpc-proto.js';
import { grpcSourceConfig } from '../../src/requests/grpc-config.js';
import { GrpcRequestSource } from '../../src/requests/grpc-source.js';
import { descriptionOf, grpcEngineConfig } from '../../src/engines/grpc/grpc-config.js';
import { serviceDescriptionSchema } from '../../src/result/summary-schema.js';
import { GrpcEngine } from '../../src/engines/grpc/grpc-engine.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';
import { GO_TARGET_PROTO } from '../helpers/go-target.js';
import { scenarioProblems } from '../helpers/scenarios.js';

const dir = mkdtempSync(path.join(tmpdir(), 'critpoint-grpc-mix-'));
const work = { proto: GO_TARGET_PROTO, service: 'loadtarget.Work', method: 'Do' };
const base = { name: 'g', target: { url: 'grpc://127.0.0.1:9090' }, grpc: work };
const proto = loadProto(GO_TARGET_PROTO);
const WorkRequest = proto.root.lookupType('loadtarget.WorkRequest');
const decode = (b: Buffer) => WorkRequest.toObject(WorkRequest.decode(b), { defaults: true });

const problems = scenarioProblems;

const mixScenario = (extra: Record<string, unknown> = {}) => ({
  ...base,
  grpc: { ...work, request: { payload: 'section' }, metadata: { 'x-team': 'core' } },
  requests: [
    { name: 'do', weight: 3, request: { payload: 'p-${seq}', sizeHint: '${int:1:9}' } },
    { name: 'stream', weight: 1, method: 'Stream', request: { count: 2 }, metadata: { 'x-team': 'feed', 'x-key': 'k-${seq}' } },
  ],
  ...extra,
});

describe('gRPC request source', () => {
  it('pre-encodes a request without placeholders once, fills a templated one per send; the config survives a structured clone', () => {
    const s = resolveScenario(mixScenario());
    // What a load thread receives: the config after a structured clone (no closures, no protobufjs objects).
    const cfg = structuredClone(grpcSourceConfig(s, {}, proto)!);
    expect(cfg.requests.map((r) => [r.name, r.path, r.stream])).toEqual([
      ['do', '/loadtarget.Work/Do', false],
      ['stream', '/loadtarget.Work/Stream', true],
    ]);
    expect(cfg.requests[1]!.message).toBeInstanceOf(Uint8Array);
    const framed = new GrpcRequestSource(cfg, true);
    // The static request's frame is the same buffer every send: no work per call.
    expect(framed.message(1, 5)).toBe(framed.message(1, 9));
    const f = framed.message(1, 5);
    expect([f[0], f.readUInt32BE(1)]).toEqual([0, f.length - 5]);
    expect(decode(f.subarray(5))).toMatchObject({ count: 2 });
    // The templated one: send i's values, its own frame.
    const m7 = decode(framed.message(0, 7).subarray(5));
    expect(m7.payload).toBe('p-7');
    expect(m7.sizeHint).toBeGreaterThanOrEqual(1);
    expect(m7.sizeHint).toBeLessThanOrEqual(9);
    const bare = new GrpcRequestSource(cfg, false);
    expect(decode(bare.message(0, 7))).toEqual(m7);
    // Metadata: the section's for 'do' (one prepared map), the entry's with its value filled per send for 'stream'.
    expect(bare.templatedMetadata(0)).toBe(false);
    expect(bare.metadata(0, 3)).toBe(bare.metadata(0, 4));
    expect(bare.metadata(0, 3)).toEqual({ 'x-team': 'core' });
    expect(bare.metadata(1, 42)).toEqual({ 'x-team': 'feed', 'x-key': 'k-42' });
    // The pick follows the weights (3:1) and is a pure function of i.
    const picks = Array.from({ length: 4000 }, (_, i) => framed.pick(i));
    expect(picks.filter((k) => k === 0).length / 4000).toBeCloseTo(0.75, 1);
    expect(Array.from({ length: 4000 }, (_, i) => bare.pick(i))).toEqual(picks);
  });

  it('data rows fill messages, CSV text fills number fields, and the engine config carries the first call for the preflight', () => {
    const file = path.join(dir, 'rows.csv');
    writeFileSync(file, 'user,size\nann,3\nbob,5\n');
    const s = resolveScenario({ ...base, grpc: { ...work, request: { payload: '${data:user}', sizeHint: '${data:size}' } }, data: { file } });
    const cfg = grpcEngineConfig(s, {}, proto);
    expect(decode(cfg.request)).toMatchObject({ payload: 'ann', sizeHint: 3 });
    const src = new GrpcRequestSource(cfg.requests!, false);
    expect([0, 1, 2].map((i) => decode(src.message(0, i)))).toMatchObject([
      { payload: 'ann', sizeHint: 3 },
      { payload: 'bob', sizeHint: 5 },
      { payload: 'ann', sizeHint: 3 },
    ]);
  });

  it('the engine config says where the service description came from (summary.json serviceDescription)', () => {
    const s = resolveScenario(base);
    expect(grpcEngineConfig(s, {}, proto).description).toEqual({ source: 'proto-file', files: [GO_TARGET_PROTO] });
    const reflected = { ...proto, source: 'reflection-v1alpha' as const, file: undefined };
    expect(descriptionOf(reflected, [])).toEqual({ source: 'server-reflection', reflectionApi: 'grpc.reflection.v1alpha' });
    expect(serviceDescriptionSchema.parse(descriptionOf({ ...reflected, source: 'reflection-v1' }, []))).toEqual({
      source: 'server-reflection',
      reflectionApi: 'grpc.reflection.v1',
    });
  });

  it('a scenario without requests:, data or placeholders has no source: the one prepared call as before', () => {
    const s = resolveScenario({ ...base, grpc: { ...work, request: { payload: 'x' }, metadata: { authorization: 'Bearer ${env:T}' } } });
    expect(grpcEngineConfig(s, { T: 't' }, proto).requests).toBeNull();
  });
});

describe('gRPC mix validation before any load', () => {
  it('accepts a Do/Stream mix with placeholders in messages and metadata', () => {
    expect(problems(mixScenario())).toEqual([]);
  });

  it("names an entry's unknown method, a field its method's request lacks, and a streaming-only stop latency", () => {
    const p = problems({
      ...base,
      grpc: { ...work, method: 'Stream', stopLatency: 'first-message' },
      requests: [
        { name: 'a', method: 'Nope' },
        { name: 'b', request: { colour: 'red' } },
        { name: 'c', method: 'Do' },
      ],
    });
    expect(p).toEqual([
      'requests.0.method: no method Nope in service loadtarget.Work (methods: Do, Stream), got "Nope"',
      expect.stringMatching(/^requests\.1\.request\.colour: no field colour in loadtarget\.WorkRequest .*got "red"$/),
      'requests.2.method: grpc.stopLatency first-message needs every request of the mix to be server-streaming (Do is unary), got "Do"',
    ]);
  });

  it('checks every data row against the field it fills: a wrong type or a missing column is refused with its line number', () => {
    const csv = path.join(dir, 'bad.csv');
    writeFileSync(csv, ['user,size', 'ann,3', 'bob,lots', 'cy,4.5', 'dee,7', ''].join('\n'));
    expect(problems({ ...base, grpc: { ...work, request: { payload: '${data:user}', sizeHint: '${data:size}' } }, data: { file: csv } })).toEqual([
      'data.file: line 3: grpc.request.sizeHint: expected int32 (an integer), got "lots"',
      'data.file: line 4: grpc.request.sizeHint: expected int32 (an integer), got 4.5',
    ]);
    const jsonl = path.join(dir, 'bad.jsonl');
    writeFileSync(jsonl, ['{"n":1,"t":"a"}', '{"n":"two","t":"b"}', '{"t":"c"}', '{"n":true,"t":"d"}'].join('\n'));
    const entry = { ...base, requests: [{ name: 'r', request: { sizeHint: '${data:n}' }, metadata: { 'x-t': '${data:t}' } }], data: { file: jsonl } };
    expect(problems(entry)).toEqual(['data.file: line 3: no "n" (used by the requests), got {"t":"c"}']);
    writeFileSync(jsonl, ['{"n":1,"t":"a"}', '{"n":"two","t":"b"}', '{"n":true,"t":"line\\nbreak"}'].join('\n'));
    expect(problems(entry)).toEqual([
      'data.file: line 2: requests.0.request.sizeHint: expected int32 (an integer), got "two"',
      'data.file: line 3: requests.0.request.sizeHint: expected int32 (an integer), got true',
      'data.file: line 3: requests.0.metadata.x-t: a metadata value cannot hold a line break or NUL, got "line\\nbreak"',
    ]);
  });

  it('a placeholder whose value never fits its field is refused without data too', () => {
    expect(problems({ ...base, grpc: { ...work, request: { sizeHint: '${uuid}' } } })).toEqual([
      expect.stringMatching(/^grpc\.request\.sizeHint: expected int32 \(an integer\), got "[0-9a-f-]{36}"$/),
    ]);
  });

  it('keeps metadata key rules for requests: entries', () => {
    expect(problems({ ...base, requests: [{ name: 'r', metadata: { 'grpc-x': 'y', host: 'h' } }] })).toEqual([
      'requests.0.metadata.grpc-x: keys starting with grpc- are reserved for the gRPC library, got "grpc-x"',
      'requests.0.metadata.host: a connection-specific header, which HTTP/2 (and so gRPC) does not allow, got "host"',
    ]);
  });
});

describe('the mix on a real gRPC server (a handful of calls)', () => {
  let server: grpc.Server;
  let port = 0;
  const seen: { method: string; payload: string; count: number; key: string | undefined }[] = [];
  beforeAll(async () => {
    const def = protoLoader.loadSync(GO_TARGET_PROTO, { keepCase: false, longs: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { loadtarget: { Work: grpc.ServiceClientConstructor } };
    server = new grpc.Server();
    const note = (method: string, call: grpc.ServerUnaryCall<{ payload: string; count: number }, unknown>) =>
      seen.push({ method, payload: call.request.payload, count: call.request.count, key: call.metadata.get('x-key')[0] as string | undefined });
    server.addService(pkg.loadtarget.Work.service, {
      Do: (call: grpc.ServerUnaryCall<{ payload: string; count: number }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        note('Do', call);
        cb(null, { payload: 'ok', seq: '1' });
      },
      Stream: (call: grpc.ServerWritableStream<{ payload: string; count: number }, unknown>) => {
        note('Stream', call as never);
        for (let k = 0; k < call.request.count; k++) call.write({ payload: 's', seq: String(k) });
        call.end();
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
  });
  afterAll(() => server?.forceShutdown());

  for (const client of ['http2', 'grpc-js'] as const) {
    it(`${client}: each send reaches the server as its request's method, message and metadata; byRequest counts them`, async () => {
      seen.length = 0;
      const s = resolveScenario({
        ...base,
        target: { url: `grpc://127.0.0.1:${port}` },
        grpc: { ...work, client, channels: 1, request: { payload: 'do-${seq}' } },
        requests: [
          { name: 'do', weight: 1 },
          { name: 'stream', weight: 1, method: 'Stream', request: { payload: 'st-${seq}', count: 2 }, metadata: { 'x-key': 'k-${seq}' } },
        ],
      });
      const engine = new GrpcEngine(grpcEngineConfig(s, {}, proto));
      const t0 = performance.now();
      let w = 0;
      try {
        const stats = await engine.runStep(
          { index: 0, phase: 'ramp', load: 4, unit: 'connections', durationMs: 60_000, warmupMs: 0, maxRequests: 40 },
          {
            now: () => performance.now() - t0,
            signal: new AbortController().signal,
            liveness: ignoreLiveness,
            onWindow: () => undefined,
            nextWindowIndex: () => w++,
          },
        );
        expect(seen).toHaveLength(40);
        const src = new GrpcRequestSource(grpcEngineConfig(s, {}, proto).requests!, false);
        // Send i carried request pick(i) with i's values: the server saw exactly that set.
        const expected = Array.from({ length: 40 }, (_, i) =>
          src.pick(i) === 0
            ? { method: 'Do', payload: `do-${i}`, count: 0, key: undefined }
            : { method: 'Stream', payload: `st-${i}`, count: 2, key: `k-${i}` },
        );
        const order = (a: { payload: string }, b: { payload: string }) => a.payload.localeCompare(b.payload);
        expect([...seen].sort(order)).toEqual(expected.sort(order));
        const doCount = expected.filter((e) => e.method === 'Do').length;
        expect(stats.byRequest?.do?.count).toBe(doCount);
        expect(stats.byRequest?.stream?.count).toBe(40 - doCount);
        expect(stats.errors).toEqual({});
      } finally {
        await engine.close();
      }
    });
  }
});
