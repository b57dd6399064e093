// The description server reflection returns (serialized FileDescriptorProtos) becomes the same
// proto-loader definition and protobufjs types a .proto file gives: same method path, same request
// bytes, same lowerCamelCase field names. The descriptors here are what a protoc-built server sends
// (snake_case names, one file per import), made by protobufjs from the fixture files. Also: the
// problem lines that name what reflection returned, the schema without grpc.proto, and a
// googleapis-style proto tree (well-known types, google/api/annotations.proto) through includeDirs.
import { describe, expect, it } from 'vitest';
import { accessSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { findMethod, loadProto, protoFromDescriptors } from '../../src/engines/grpc/grpc-proto.js';
import { describedProblems } from '../../src/scenario/grpc-rules.js';
import { grpcEngineConfig } from '../../src/engines/grpc/grpc-config.js';
import { Readable } from 'node:stream';
import { loadScenarioFile, resolveScenario } from '../../src/scenario/load.js';
import { EXIT, ScenarioError } from '../../src/errors.js';
import { runCli } from '../../src/cli/program.js';
import { GO_TARGET_PROTO } from '../helpers/go-target.js';
import { k6RequestFromScenario } from '../../src/k6/export/k6-request.js';
import { renderK6Script } from '../../src/k6/export/k6-script.js';
import { scenarioK6Plan } from '../../src/k6/export/k6-plan.js';
import { loadScript } from '../helpers/k6-script-sandbox.js';

const SHOP = 'test/fixtures/grpc/googleapis/shop/v1/shop.proto';
const THIRD_PARTY = 'test/fixtures/grpc/googleapis/third_party';

/** What a server built by protoc sends: each file of the tree as a serialized FileDescriptorProto, names as written. */
function serverDescriptors(file: string, includeDirs: string[] = []): Uint8Array[] {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    for (const dir of includeDirs) {
      const full = path.join(dir, target);
      try {
        accessSync(full);
        return full;
      } catch {
        continue;
      }
    }
    return protobuf.util.path.resolve(origin, target);
  };
  root.loadSync(file, { keepCase: true });
  const set = (root as unknown as { toDescriptor(syntax: string): { file: object[] } }).toDescriptor('proto3');
  return set.file.map((f) => descriptor.FileDescriptorProto.encode(f as protobuf.Message).finish());
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
    return [];
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems;
    throw err;
  }
}

describe('descriptors from server reflection feed the same path as a proto file', () => {
  const fromFile = loadProto(GO_TARGET_PROTO);
  const reflected = protoFromDescriptors(serverDescriptors(GO_TARGET_PROTO), 'reflection-v1alpha', [
    'grpc.reflection.v1alpha.ServerReflection',
    'loadtarget.Work',
  ]);

  it('gives the method path, streaming flags and request bytes a proto file gives (fields in lowerCamelCase)', () => {
    for (const method of ['Do', 'Stream']) {
      const a = findMethod(reflected, 'loadtarget.Work', method);
      const b = findMethod(fromFile, 'loadtarget.Work', method);
      if (!a.ok || !b.ok) throw new Error('not found');
      expect(a.method.path).toBe(b.method.path);
      expect([a.method.requestStream, a.method.responseStream]).toEqual([b.method.requestStream, b.method.responseStream]);
      const req = { payload: 'héllo', sizeHint: 300, count: 7 };
      expect(a.method.serialize(req).toString('hex')).toBe(b.method.serialize(req).toString('hex'));
      expect(Object.keys(a.method.requestType.fields)).toEqual(['payload', 'sizeHint', 'count']);
    }
    expect(reflected.source).toBe('reflection-v1alpha');
  });

  it('a missing service or method names what reflection returned, as one line each', () => {
    const g = { service: 'loadtarget.Work', method: 'Dox', request: {}, stopLatency: 'end-of-stream' } as const;
    expect(describedProblems(reflected, g as never)).toEqual([
      'grpc.method: no method Dox in service loadtarget.Work (server reflection grpc.reflection.v1alpha lists: Do, Stream), got "Dox"',
    ]);
    expect(describedProblems(reflected, { ...g, service: 'shop.Cart', method: 'Do' } as never)).toEqual([
      'grpc.service: no service shop.Cart on the server (server reflection grpc.reflection.v1alpha lists: grpc.reflection.v1alpha.ServerReflection, loadtarget.Work), got "shop.Cart"',
    ]);
    // The request is checked against the reflected types like against a file's.
    expect(describedProblems(reflected, { ...g, method: 'Do', request: { sizeHint: 'big' } } as never)).toEqual([
      expect.stringMatching(/^grpc\.request\.sizeHint: .*got "big"$/),
    ]);
  });

  it('a googleapis-style tree (annotations, well-known types, a map) arrives as several files and loads', () => {
    const files = serverDescriptors(SHOP, [THIRD_PARTY]);
    expect(files.length).toBeGreaterThan(1);
    const p = protoFromDescriptors(files.reverse(), 'reflection-v1', ['shop.v1.Catalog']);
    const a = findMethod(p, 'shop.v1.Catalog', 'UpdateItem');
    const b = findMethod(loadProto(SHOP, [THIRD_PARTY]), 'shop.v1.Catalog', 'UpdateItem');
    if (!a.ok || !b.ok) throw new Error('not found');
    const req = {
      item: { itemId: 'sku-1', title: { value: 'Lamp' }, updatedAt: { seconds: 1_700_000_000, nanos: 5 }, stock: { berlin: '3' } },
      updateMask: { paths: ['title'] },
    };
    expect(a.method.serialize(req).toString('hex')).toBe(b.method.serialize(req).toString('hex'));
    expect(a.method.path).toBe('/shop.v1.Catalog/UpdateItem');
  });
});

describe('a proto tree with google/api/annotations.proto and well-known types, through grpc.includeDirs', () => {
  const scenario = (grpc: Record<string, unknown>) => () =>
    resolveScenario({ name: 'shop', target: { url: 'grpc://127.0.0.1:9090' }, grpc: { proto: SHOP, service: 'shop.v1.Catalog', method: 'GetItem', ...grpc } });

  it('loads with the folder holding google/api in includeDirs (google/protobuf/*.proto need none)', () => {
    expect(problems(scenario({ includeDirs: [THIRD_PARTY], request: { itemId: 'a', readMask: { paths: ['title'] } } }))).toEqual([]);
  });

  it('without it, the one line names the import and where to put its folder', () => {
    expect(problems(scenario({}))).toEqual([
      `grpc.proto: cannot load (import "google/api/annotations.proto" not found next to the file; add the folder that holds it to grpc.includeDirs), got "${path.resolve(SHOP)}"`,
    ]);
  });
});

describe('grpc.proto is optional', () => {
  const base = { name: 'r', target: { url: 'grpc://127.0.0.1:9090' }, grpc: { service: 'loadtarget.Work', method: 'Do' } };

  it('a scenario without it validates offline (reflection checks it before any load)', () => {
    expect(problems(() => resolveScenario(base))).toEqual([]);
  });

  it('includeDirs without a proto is a mistake, named', () => {
    expect(problems(() => resolveScenario({ ...base, grpc: { ...base.grpc, includeDirs: [THIRD_PARTY] } }))).toEqual([
      `grpc.includeDirs: only used with grpc.proto (server reflection sends every file it needs), got ["${path.resolve(THIRD_PARTY)}"]`,
    ]);
  });

  it('the engine config takes the fetched description; without one it says so instead of crashing', () => {
    const s = resolveScenario(base);
    expect(problems(() => grpcEngineConfig(s, {}))).toEqual([expect.stringMatching(/^grpc\.proto: omitted, so the description comes from server reflection/)]);
    const reflected = protoFromDescriptors(serverDescriptors(GO_TARGET_PROTO), 'reflection-v1', ['loadtarget.Work']);
    expect(grpcEngineConfig(s, {}, reflected)).toMatchObject({ path: '/loadtarget.Work/Do', kind: 'unary' });
  });
});

describe('examples/grpc-reflection.yaml', () => {
  it('is valid without a proto, and --dry-run prints its plan without asking the server', async () => {
    const s = await loadScenarioFile('examples/grpc-reflection.yaml');
    expect(s.grpc).toMatchObject({ service: 'loadtarget.Work', method: 'Do' });
    expect(s.grpc?.proto).toBeUndefined();
    let err = '';
    // Port 9090 on 127.0.0.1 need not exist: a dry run sends nothing, reflection included.
    const code = await runCli(['run', 'examples/grpc-reflection.yaml', '--dry-run'], {
      stdout: () => undefined,
      stderr: (t) => void (err += t),
      env: {},
      stdin: Readable.from([]),
    });
    expect(code).toBe(EXIT.breach);
    expect(err).toMatch(/plan|step/i);
  });
});

describe('k6 without a proto', () => {
  it('connects with reflect: true and loads no file', () => {
    const s = resolveScenario({
      name: 'k',
      target: { url: 'grpc://127.0.0.1:50051' },
      grpc: { service: 'loadtarget.Work', method: 'Do', request: { payload: 'a' } },
    });
    const req = k6RequestFromScenario(s);
    expect(req.problems).toEqual([]);
    const src = renderK6Script({
      plan: scenarioK6Plan(s),
      request: req.request,
      maxVUs: 10,
      preAllocatedVUs: 2,
      gracefulStopMs: 1000,
      abortErrorRate: 0,
      header: ['t'],
    });
    const box = loadScript(src, {});
    expect(box.iterate(1)).toMatchObject({ method: 'grpc', url: 'loadtarget.Work/Do', body: { payload: 'a' } });
    expect(box.grpcConnect).toEqual(['127.0.0.1:50051', { plaintext: true, reflect: true }]);
    expect(box.grpcLoad).toBeUndefined();
  });
});
