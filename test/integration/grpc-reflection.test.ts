// gRPC without a proto file: the service description comes from server reflection.
// - A grpc-js server with @grpc/reflection (grpc.reflection.v1) serving a googleapis-style
//   service: the description (its file, google/api/annotations.proto and the well-known types,
//   sent as separate files) encodes requests as the proto file does.
// - The Go fixture with -grpc-reflection (grpc-go 1.33: v1alpha only, so v1 is tried and falls
//   back): `validate` names what reflection returned when the method is missing, an unreachable
//   target and a server without reflection are one clear error each, and in a run without a proto
//   every call reaches the handler and is answered (the search itself: grpc-critical-point.test.ts).
// Short steps; all load bounded and on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { runCli } from '../../src/cli/program.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { describeGrpc } from '../../src/engines/grpc/grpc-describe.js';
import { findMethod, loadProto } from '../../src/engines/grpc/grpc-proto.js';
import { runScenario } from '../../src/runner/run.js';
import { EXIT, ScenarioError } from '../../src/errors.js';
import { GO_TARGET_BUILD_SCRIPT, goTargetAvailable, servedByHandler, startGoTarget, type GoTarget } from '../helpers/go-target.js';

const SHOP = path.resolve('test/fixtures/grpc/googleapis/shop/v1/shop.proto');
const THIRD_PARTY = path.resolve('test/fixtures/grpc/googleapis/third_party');
const tmp = mkdtempSync(path.join(tmpdir(), 'critpoint-grpc-reflection-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
}, 180_000);

/** A grpc-js server of shop.v1.Catalog on 127.0.0.1, with or without the reflection service. */
async function shopServer(reflection: boolean): Promise<{ address: string; stop: () => Promise<void> }> {
  // keepCase: the descriptors carry the names as written (snake_case), as a protoc-built server's do.
  const pkg = protoLoader.loadSync(SHOP, { includeDirs: [THIRD_PARTY], keepCase: true });
  const server = new grpc.Server();
  const catalog = (grpc.loadPackageDefinition(pkg) as unknown as { shop: { v1: { Catalog: { service: grpc.ServiceDefinition } } } }).shop.v1.Catalog;
  const echo: grpc.handleUnaryCall<unknown, unknown> = (_call, cb) => cb(null, {});
  server.addService(catalog.service, { GetItem: echo, UpdateItem: echo, Ping: echo });
  if (reflection) new ReflectionService(pkg).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

const scenario = (address: string, grpcSection: Record<string, unknown>, rest: Record<string, unknown> = {}) =>
  resolveScenario({ name: 'reflect', target: { url: `grpc://${address}` }, grpc: grpcSection, report: { dir: tmp }, ...rest });

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: {}, stdin: Readable.from([]) });
  return { code, out, err };
}

describe('grpc.reflection.v1 (grpc-js with @grpc/reflection), a googleapis-style service', () => {
  it('loads its file and every import it needs, and encodes requests as the proto file does', async () => {
    const server = await shopServer(true);
    try {
      const proto = await describeGrpc(scenario(server.address, { service: 'shop.v1.Catalog', method: 'UpdateItem' }));
      expect(proto.source).toBe('reflection-v1');
      expect(proto.services).toContain('shop.v1.Catalog');
      const a = findMethod(proto, 'shop.v1.Catalog', 'UpdateItem');
      const b = findMethod(loadProto(SHOP, [THIRD_PARTY]), 'shop.v1.Catalog', 'UpdateItem');
      if (!a.ok || !b.ok) throw new Error('UpdateItem not found');
      const req = {
        item: { itemId: 'sku-1', title: { value: 'Lamp' }, updatedAt: { seconds: 1_700_000_000 }, stock: { berlin: '3' } },
        updateMask: { paths: ['title'] },
      };
      expect(a.method.path).toBe(b.method.path);
      expect(a.method.serialize(req).toString('hex')).toBe(b.method.serialize(req).toString('hex'));
    } finally {
      await server.stop();
    }
  });

  it('a server without reflection is one line: give the .proto', async () => {
    const server = await shopServer(false);
    try {
      const err = await describeGrpc(scenario(server.address, { service: 'shop.v1.Catalog', method: 'GetItem' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ScenarioError);
      expect((err as ScenarioError).problems).toEqual([
        "grpc.proto: omitted, and the server offers no reflection service (grpc.reflection.v1 and grpc.reflection.v1alpha: UNIMPLEMENTED); give the service's .proto file, got nothing",
      ]);
    } finally {
      await server.stop();
    }
  });
});

describe('the Go fixture with reflection (v1alpha), no proto file: 8 workers x 8 ms = 1,000 calls/s', () => {
  let target: GoTarget;
  beforeAll(async () => {
    target = await startGoTarget({ grpc: true, workers: 8, serviceTimeMs: 8, extraArgs: ['-grpc-reflection'] });
  });
  afterAll(async () => target?.stop());

  it('validate checks the scenario against what reflection returned; an unreachable target is its own error', async () => {
    const file = (method: string, address = target.grpcAddress!) => {
      const f = path.join(tmp, `${method}.json`);
      writeFileSync(
        f,
        JSON.stringify({ name: 'v', target: { url: `grpc://${address}` }, grpc: { service: 'loadtarget.Work', method, request: { payload: 'abc' } } }),
      );
      return f;
    };
    const ok = await cli(['validate', file('Do')]);
    expect(ok.code).toBe(0);
    expect(ok.err).toContain('service description from server reflection (grpc.reflection.v1alpha): loadtarget.Work (methods: Do, Stream)');
    const bad = await cli(['validate', file('Dox')]);
    expect(bad.code).toBe(EXIT.invalid);
    expect(bad.err).toContain('grpc.method: no method Dox in service loadtarget.Work (server reflection grpc.reflection.v1alpha lists: Do, Stream), got "Dox"');
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    const gone = await cli(['validate', file('Do', '127.0.0.1:1')]);
    expect(gone.code).toBe(EXIT.targetUnreachable);
    expect(gone.err).toMatch(/^error: target grpc:\/\/127\.0\.0\.1:1 is unreachable: server reflection: .*ECONNREFUSED/);
  });

  // How a run finds the critical point is the same whatever described the service (the proto-file
  // runs: grpc-critical-point.test.ts); what reflection changes is where the encoder comes from. So the
  // run here is short, below capacity: every call encoded from the reflected description reaches the
  // handler and is answered.
  it('a run without a proto: every call, encoded from the reflected description, reaches the Do handler and is answered', async () => {
    const s = scenario(
      target.grpcAddress!,
      { service: 'loadtarget.Work', method: 'Do', request: { payload: 'abc' }, channels: 4, deadline: '2s' },
      {
        // Below the fixture's 1,000 calls/s: the baseline step at 300 calls/s and one step at 400.
        load: { start: 300, end: 400, stepDuration: '1s', warmup: '0s', baselineWindows: 5, drain: '100ms', maxDuration: '30s' },
        detect: { window: '500ms', minRequests: 50, generator: { maxSendLag: '25ms', retries: 2 } },
      },
    );
    const before = await servedByHandler(target, 'grpc_do');
    const { result } = await runScenario(s, { env: {}, dryWrite: true });
    const served = (await servedByHandler(target, 'grpc_do')) - before;
    const sum = (f: (w: (typeof result.windows)[number]) => number) => result.windows.reduce((n, w) => n + f(w), 0);
    console.log(`reflection run: ${result.stopReason}; sent ${sum((w) => w.sent)}, answered ${sum((w) => w.completed)}, the handler served ${served}`);
    expect(result.serviceDescription).toMatchObject({ source: 'server-reflection' });
    expect(sum((w) => w.sent)).toBeGreaterThan(1_000);
    expect(sum((w) => w.errorTotal)).toBe(0);
    expect(sum((w) => w.completed)).toBe(sum((w) => w.sent));
    // The preflight's one call, then every call of the run.
    expect(served).toBe(sum((w) => w.sent) + 1);
  });
});
