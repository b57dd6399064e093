import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { checkMessage, scalarProblem } from '../../src/engines/grpc/request-check.js';
import { findMethod, loadProto, methodKind } from '../../src/engines/grpc/grpc-proto.js';

const RICH = 'test/fixtures/grpc/rich.proto';
const INCLUDE = ['test/fixtures/grpc/include'];
const proto = loadProto(RICH, INCLUDE);
const found = findMethod(proto, 'rich.v1.Rich', 'Get');
if (!found.ok) throw new Error(found.problem);
const reqType = found.method.requestType;
const check = (value: unknown) => checkMessage(reqType, value, 'grpc.request');

describe('scalarProblem: a JSON value against a proto scalar type', () => {
  const cases: [string, unknown, boolean][] = [
    ['int32', 5, true],
    ['int32', 2 ** 31, false],
    ['int32', 1.5, false],
    ['int32', '5', false],
    ['uint32', -1, false],
    ['int64', '-9223372036854775808', true],
    ['int64', '9223372036854775808', false],
    ['int64', 2 ** 60, false],
    ['uint64', '18446744073709551615', true],
    ['uint64', -3, false],
    ['double', 0.25, true],
    ['double', 'NaN', true],
    ['double', '0.25', false],
    ['bool', true, true],
    ['bool', 1, false],
    ['string', 'x', true],
    ['string', 3, false],
    ['bytes', 'aGVsbG8=', true],
    ['bytes', '!!', false],
    ['bytes', [0, 255], true],
    ['bytes', [256], false],
  ];
  for (const [type, value, ok] of cases) {
    it(`${type} ${JSON.stringify(value)} -> ${ok ? 'ok' : 'problem'}`, () => {
      expect(scalarProblem(type, value) === null).toBe(ok);
    });
  }
});

describe('checkMessage', () => {
  it('accepts a request using every kind of field', () => {
    const ok = {
      payload: 'p',
      sizeHint: 16,
      ids: [1, '2'],
      byName: { k: { someName: 'n' } },
      color: 'GREEN',
      inner: { someName: 'x' },
      a: 'one',
      at: { seconds: 1, nanos: 2 },
      nested: { flag: true },
      blob: 'aGk=',
      big: '18446744073709551615',
      byId: { '7': 'seven' },
      ratio: 0.5,
    };
    expect(check(ok)).toEqual([]);
  });
  it('accepts null (unset) and an enum by number', () => {
    expect(check({ inner: null, color: 1 })).toEqual([]);
  });
  const cases: { name: string; value: unknown; want: string }[] = [
    {
      name: 'unknown field with a camelCase twin',
      value: { size_hint: 3 },
      want: 'grpc.request.size_hint: no field size_hint in rich.v1.Req (fields: payload, sizeHint, ids, byName, color, inner, a, b, at, nested, blob, big, byId, ratio; did you mean sizeHint?), got 3',
    },
    { name: 'wrong scalar', value: { sizeHint: 'big' }, want: 'grpc.request.sizeHint: expected int32 (an integer), got "big"' },
    { name: 'element of a repeated field', value: { ids: [1, 'x'] }, want: 'grpc.request.ids.1: expected int64 (an integer or a string of digits), got "x"' },
    { name: 'repeated given a scalar', value: { ids: 3 }, want: 'grpc.request.ids: expected a list (repeated int64), got 3' },
    { name: 'nested message field', value: { byName: { k: { someName: 1 } } }, want: 'grpc.request.byName.k.someName: expected string, got 1' },
    { name: 'map key type', value: { byId: { seven: 'x' } }, want: 'grpc.request.byId.seven: map key expected int32, got "seven"' },
    { name: 'unknown enum name', value: { color: 'BLUE' }, want: 'grpc.request.color: expected shared.Color (one of RED, GREEN), got "BLUE"' },
    { name: 'message given a scalar', value: { inner: 'x' }, want: 'grpc.request.inner: expected a shared.Inner message (a mapping of fields), got "x"' },
    { name: 'nested type', value: { nested: { flag: 'yes' } }, want: 'grpc.request.nested.flag: expected bool (true or false), got "yes"' },
    { name: 'two members of a oneof', value: { a: 'x', b: 2 }, want: 'grpc.request.b: oneof pick takes one field and a is set too, got 2' },
    {
      name: 'well-known type field',
      value: { at: { secs: 1 } },
      want: 'grpc.request.at.secs: no field secs in google.protobuf.Timestamp (fields: seconds, nanos), got 1',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = check(c.value);
      expect(got).toContain(c.want);
      for (const p of got) expect(p).toMatch(/^grpc\.request\.[^:]+: .+, got .+$/);
    });
  }
  it('reports every problem at once', () => {
    expect(check({ nope: 1, sizeHint: 'x', color: 'BLUE' })).toHaveLength(3);
  });
});

describe('grpc-proto', () => {
  it('finds methods and tells their kind and path', () => {
    const kinds = ['Get', 'Watch', 'Upload', 'Chat'].map((m) => {
      const r = findMethod(proto, 'rich.v1.Rich', m);
      if (!r.ok) throw new Error(r.problem);
      return [r.method.path, methodKind(r.method)];
    });
    expect(kinds).toEqual([
      ['/rich.v1.Rich/Get', 'unary'],
      ['/rich.v1.Rich/Watch', 'server-streaming'],
      ['/rich.v1.Rich/Upload', 'client-streaming'],
      ['/rich.v1.Rich/Chat', 'bidi-streaming'],
    ]);
  });
  it('names what exists when the service or method is wrong', () => {
    expect(findMethod(proto, 'rich.v1.Rch', 'Get')).toEqual({
      ok: false,
      field: 'service',
      problem: 'no service rich.v1.Rch in rich.proto (services: rich.v1.Rich)',
    });
    expect(findMethod(proto, 'rich.v1.Req', 'Get')).toMatchObject({ ok: false, field: 'service' });
    expect(findMethod(proto, 'rich.v1.Rich', 'get')).toEqual({
      ok: false,
      field: 'method',
      problem: 'no method get in service rich.v1.Rich (methods: Get, Watch, Upload, Chat)',
    });
  });
  it('encodes the JSON request through the proto (proto-loader serializer), int64 strings and enums included', () => {
    const r = findMethod(proto, 'rich.v1.Rich', 'Get');
    if (!r.ok) throw new Error(r.problem);
    const bytes = r.method.serialize({ payload: 'abc', sizeHint: 16, ids: ['9007199254740993'], color: 'GREEN', byName: { k: { someName: 'n' } } });
    const decoded = r.method.requestType.toObject(r.method.requestType.decode(bytes), { longs: String, enums: String });
    expect(decoded).toEqual({ payload: 'abc', sizeHint: 16, ids: ['9007199254740993'], color: 'GREEN', byName: { k: { someName: 'n' } } });
  });
  it('fails to load a missing import without includeDirs', () => {
    expect(() => loadProto(RICH)).toThrow(/shared\/types\.proto|ENOENT/);
  });
  it('returns protobufjs types', () => {
    expect(reqType).toBeInstanceOf(protobuf.Type);
  });
});
