import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/program.js';
import { parseRate } from '../../src/scenario/from-url.js';

const PROTO = fileURLToPath(new URL('../../scenarios/protos/work.proto', import.meta.url));
const HTTP_RAMP = fileURLToPath(new URL('../../scenarios/http-ramp.yaml', import.meta.url));

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env });
  return { code, out, err };
}

/** The resolved scenario of a dry run (--json). */
async function planned(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = await cli(['run', ...args, '--dry-run', '--json'], env);
  expect(r.err).not.toMatch(/error/);
  expect(r.code).toBe(0);
  return JSON.parse(r.out).scenario;
}

/** The problem lines of a refused run (exit 2). */
async function refused(args: string[]) {
  const r = await cli(['run', ...args, '--dry-run']);
  expect(r.code).toBe(2);
  expect(r.err).not.toMatch(/internal error|\n\s+at /);
  const lines = r.err.split('\n');
  const listed = lines.filter((l) => l.startsWith('  ')).map((l) => l.trim());
  if (listed.length > 0) return listed;
  // One problem is one line: `error: <source>: <problem>` (the source, a URL or a path, has no spaces).
  return lines.flatMap((l) => /^error: \S+: (.+)$/.exec(l)?.[1] ?? []);
}

describe('critpoint run <URL>: a scenario without a file', () => {
  it('--dry-run prints the plan of the defaults for the URL and writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'critpoint-url-'));
    const r = await cli(['run', 'http://127.0.0.1:8123/work?x=1', '--dry-run', '--out', join(dir, 'res')]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('plan for 127.0.0.1-8123-work against http://127.0.0.1:8123:');
    expect(r.err).toContain('baseline: 100 req/s');
    expect(r.out).toBe('');
    expect(existsSync(join(dir, 'res'))).toBe(false);
  });

  it('the URL splits into target.url and http.path; the rest is the schema defaults', async () => {
    const s = await planned(['https://api.example.test:8443/v1/items?limit=5']);
    expect(s.name).toBe('api.example.test-8443-v1-items');
    expect(s.target.url).toMatch(/^https:\/\/api\.example\.test:8443\/?$/);
    expect(s.http).toMatchObject({ method: 'GET', path: '/v1/items?limit=5', headers: {}, body: null });
    expect(s.load).toMatchObject({ mode: 'rate', start: 100, end: 20_000, maxDuration: 600_000 });
  });

  it('-X, -H, -d, -r, -z set method, headers, body, start:end and the duration cap', async () => {
    const s = await planned(
      ['http://127.0.0.1:8123/work', '-X', 'put', '-H', 'X-Trace: a b', '-H', 'Authorization: Bearer ${env:T}', '-d', '{"n":1}', '-r', '200:3000', '-z', '3m'],
      { T: 't' },
    );
    expect(s.http).toMatchObject({ method: 'PUT', headers: { 'X-Trace': 'a b', Authorization: 'Bearer ${env:T}' }, body: '{"n":1}' });
    expect(s.load).toMatchObject({ start: 200, end: 3000, maxDuration: 180_000 });
  });

  it('-d without -X is a POST (as curl); -d @file reads the file; one -r number is the highest step', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'critpoint-url-'));
    await writeFile(join(dir, 'body.json'), '{"from":"file"}');
    const s = await planned(['http://127.0.0.1:8123/', '-d', `@${join(dir, 'body.json')}`, '--rate', '900']);
    expect(s.http).toMatchObject({ method: 'POST', path: '/', body: '{"from":"file"}' });
    expect(s.load).toMatchObject({ start: 100, end: 900 });
  });

  it('--set applies after the flags and wins', async () => {
    const s = await planned(['http://127.0.0.1:8123/', '-r', '100:900', '--set', 'load.end=800', '--set', 'name=mine']);
    expect(s.load.end).toBe(800);
    expect(s.name).toBe('mine');
  });

  it('every bad flag or value is one problem line, all at once, exit 2', async () => {
    expect(await refused(['http://127.0.0.1:8123/', '-H', 'no colon', '-d', '@/nonexistent/body', '-r', 'fast', '-z', 'soon', '-X', 'FETCH'])).toEqual([
      '--header: expected "Name: value" with a header name of letters, digits and !#$%&\'*+.^_`|~-, got "no colon"',
      '--body: cannot read /nonexistent/body (ENOENT), got "@/nonexistent/body"',
      '--rate: expected <start>:<end> or <end>, positive numbers (req/s, or connections with load.mode concurrency), e.g. 100:5000, got "fast"',
      'http.method: must be one of "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", got "FETCH"',
      'load.maxDuration: not a duration (use e.g. 500ms, 5s, 1m30s, 1h or a number of ms), got "soon"',
    ]);
    expect(await refused(['http://127.0.0.1:8123/', '-r', '5000:100'])).toEqual(['load.end: must be at least load.start (5000), got 100']);
    expect(await refused(['http://u:secret@127.0.0.1:8123/'])).toEqual([
      'target.url: credentials in the URL are not sent; pass -H "Authorization: ..." (values may use ${env:NAME}), got "http://u:%5Bredacted%5D@127.0.0.1:8123/"',
    ]);
    expect(await refused(['ftp://127.0.0.1/x'])).toEqual(['target.url: must be an http://, https://, grpc:// or grpcs:// URL, got "ftp://127.0.0.1/x"']);
    expect(await refused(['http://127.0.0.1:8123/', '--target', 'http://127.0.0.1:9'])).toEqual([
      '--target: the URL argument is the target of a file-less run; leave --target out, got "http://127.0.0.1:9/"',
    ]);
    expect(await refused(['http://127.0.0.1:8123/', '-H', 'Authorization: Bearer ${env:NOT_SET_HERE}'])).toEqual([
      'http.headers.Authorization: environment variable NOT_SET_HERE is not set, got "Bearer ${env:NOT_SET_HERE}"',
    ]);
  });

  it('parseRate reads start:end or end, positive numbers only', () => {
    expect(parseRate('100:5000')).toEqual({ start: 100, end: 5000 });
    expect(parseRate('2500')).toEqual({ end: 2500 });
    for (const bad of ['', ':', '100:', ':5', '0:10', '-1', '1:2:3', 'x']) expect(typeof parseRate(bad)).toBe('string');
  });
});

describe('critpoint run grpc://host:port/package.Service/Method', () => {
  it('names the call in the URL; the .proto comes from --set grpc.proto; -d is the request, -H metadata', async () => {
    const s = await planned(['grpc://127.0.0.1:9090/loadtarget.Work/Do', '--set', `grpc.proto=${PROTO}`, '-d', '{"payload":"abc"}', '-H', 'x-tenant: t1']);
    expect(s.target.url).toBe('grpc://127.0.0.1:9090');
    expect(s.grpc).toMatchObject({ service: 'loadtarget.Work', method: 'Do', request: { payload: 'abc' }, metadata: { 'x-tenant': 't1' } });
  });

  it('without the .proto: valid (server reflection describes the service at run time; --dry-run asks nothing); a problem hints at both ways', async () => {
    const r = await cli(['run', 'grpc://127.0.0.1:9090/loadtarget.Work/Do', '--dry-run']);
    expect(r.code).toBe(0);
    const bad = await cli(['run', 'grpc://127.0.0.1:9090/loadtarget.Work/Do', '-X', 'POST', '--dry-run']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/hint: .*--set grpc\.proto=.*server reflection.*critpoint init --grpc/);
  });

  it('refuses -X, a request that is not a JSON object, and a path that is not /package.Service/Method', async () => {
    const base = ['--set', `grpc.proto=${PROTO}`];
    expect(await refused(['grpc://127.0.0.1:9090/loadtarget.Work/Do', ...base, '-X', 'POST', '-d', '[1]'])).toEqual([
      '--method: a gRPC call\'s method is named in the URL (grpc://host:port/package.Service/Method) or grpc.method, got "POST"',
      '--body: a gRPC request is a JSON object (the request message, fields in lowerCamelCase), got "[1]"',
    ]);
    const bad = await refused(['grpc://127.0.0.1:9090/only-one-segment']);
    expect(bad[0]).toMatch(/^target\.url: a gRPC URL is host:port only/);
  });
});

describe('the request flags with a scenario file: they override the file', () => {
  it('-H replaces a header of the same name in any case; -r and -z override load', async () => {
    const s = await planned([HTTP_RAMP, '-H', 'authorization: Bearer x', '-r', '300:4000', '-z', '90s', '-X', 'POST', '-d', 'hello']);
    expect(s.http.headers).toEqual({ authorization: '[redacted]' });
    expect(s.http).toMatchObject({ method: 'POST', body: 'hello', path: '/work' });
    expect(s.load).toMatchObject({ start: 300, end: 4000, maxDuration: 90_000 });
  });

  it('-d on a file whose method is GET is refused by the same rule as the file itself', async () => {
    expect(await refused([HTTP_RAMP, '-H', 'Authorization: x', '-d', 'hello'])).toEqual(['http.body: a GET request cannot carry a body, got "hello"']);
  });
});
