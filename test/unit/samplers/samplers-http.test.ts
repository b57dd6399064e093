// Each sampler kind against a real HTTP server on 127.0.0.1 (port 0), plus evidence capture.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureEvidence } from '../../../src/samplers/capture.js';
import { createSampler } from '../../../src/samplers/registry.js';
import { runtimeSchema } from '../../../src/samplers/schema.js';
import { CounterPrimingError, type RuntimeSignalConfig, type SamplerOptions } from '../../../src/samplers/types.js';
import { closedPortUrl, hang, startServer, text, type TestServer } from './test-server.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/go-runtime/${name}`, import.meta.url), 'utf8');
const METRICS = fixture('prometheus-metrics.txt');
const HEAP = gzipSync(Buffer.from('fake heap profile bytes \x00\x01\x02'));

/** One signal config through the real schema (defaults included). */
function signal(source: Record<string, unknown>, name = 's'): RuntimeSignalConfig {
  return runtimeSchema.parse({ signals: [{ name, source }] }).signals[0] as RuntimeSignalConfig;
}

const sampleWithin = (ms: number) => AbortSignal.timeout(ms);

let server: TestServer;
let allocTotal = 1_000_000;
const debugQueries: string[] = [];

beforeAll(async () => {
  server = await startServer({
    '/debug/pprof/goroutine': (req, res) => {
      const debug = new URL(req.url ?? '/', 'http://x').searchParams.get('debug');
      debugQueries.push(debug ?? '');
      res.end(fixture(debug === '2' ? 'pprof-goroutine-debug2.head.txt' : 'pprof-goroutine-debug1.txt'));
    },
    '/debug/pprof/heap': (_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(HEAP),
    '/debug/vars': text(fixture('expvar-debug-vars.json')),
    '/metrics': text(METRICS),
    '/metrics-counter': (_req, res) => {
      allocTotal += 250_000;
      res.end(METRICS.replace(/^go_memstats_alloc_bytes_total .*$/m, `go_memstats_alloc_bytes_total ${allocTotal}`));
    },
    '/stats': text(JSON.stringify({ queue: { depth: 42, label: 'x' } })),
    '/garbage': text('<html>down for maintenance</html>'),
    '/error': text('boom', 500),
    '/hang': hang,
    '/big': text('x'.repeat(10_000)),
  });
});

afterAll(async () => {
  await server.close();
});

describe('samplers against a real server', () => {
  const ok: [string, Record<string, unknown>, number][] = [
    ['pprof goroutine total', { pprof: '/debug/pprof/goroutine' }, 14],
    ['expvar memstats.HeapAlloc', { expvar: '/debug/vars', field: 'memstats.HeapAlloc' }, 2_130_000],
    ['expvar memstats.NumGC', { expvar: '/debug/vars', field: 'memstats.NumGC' }, 0],
    ['prometheus gauge go_goroutines', { prometheus: '/metrics', metric: 'go_goroutines' }, 17],
    ['prometheus labelled gauge', { prometheus: '/metrics', metric: 'go_info', labels: { version: 'go1.19.8' } }, 1],
    ['json field', { json: '/stats', field: 'queue.depth' }, 42],
  ];
  it.each(ok)('%s', async (_name, source, expected) => {
    const sampler = createSampler(signal(source), server.url);
    await expect(sampler.sample(sampleWithin(2000))).resolves.toBe(expected);
  });

  it('asks pprof for ?debug=1 when the path has no debug parameter', async () => {
    const sampler = createSampler(signal({ pprof: '/debug/pprof/goroutine' }), server.url);
    expect(sampler.url).toBe(`${server.url}/debug/pprof/goroutine?debug=1`);
    expect(sampler.kind).toBe('pprof-goroutine');
    await sampler.sample(sampleWithin(2000));
    expect(debugQueries.at(-1)).toBe('1');
  });

  it('turns a counter into a per-second rate over two samples', async () => {
    const times = [10_000, 10_500];
    const options: SamplerOptions = { clock: () => times.shift() ?? 99_999 };
    const sampler = createSampler(signal({ prometheus: '/metrics-counter', metric: 'go_memstats_alloc_bytes_total' }), server.url, options);
    await expect(sampler.sample(sampleWithin(2000))).rejects.toThrow(CounterPrimingError);
    // +250,000 bytes in 0.5 s
    await expect(sampler.sample(sampleWithin(2000))).resolves.toBe(500_000);
  });

  const failures: [string, Record<string, unknown>, string | RegExp][] = [
    ['HTTP 500', { json: '/error', field: 'x' }, 'HTTP 500'],
    ['HTTP 404', { prometheus: '/nothing', metric: 'up' }, 'HTTP 404'],
    ['garbage instead of a profile', { pprof: '/garbage' }, /no "goroutine profile: total N" line/],
    ['garbage instead of JSON', { expvar: '/garbage', field: 'memstats.HeapAlloc' }, /response is not JSON/],
    ['garbage instead of metrics', { prometheus: '/garbage', metric: 'go_goroutines' }, /invalid exposition: line 1/],
    ['missing field', { expvar: '/debug/vars', field: 'memstats.Foo' }, 'field memstats.Foo is missing'],
    ['non-number field', { json: '/stats', field: 'queue.label' }, /not a number/],
    [
      'no such series',
      { prometheus: '/metrics', metric: 'http_inflight_requests', labels: { handler: 'work' } },
      'no series http_inflight_requests{handler="work"}',
    ],
  ];
  it.each(failures)('%s', async (_name, source, reason) => {
    const sampler = createSampler(signal(source), server.url);
    await expect(sampler.sample(sampleWithin(2000))).rejects.toThrow(reason);
  });

  it('rejects with the abort reason when the endpoint hangs', async () => {
    const sampler = createSampler(signal({ json: '/hang', field: 'x' }), server.url);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('timeout after 50ms')), 50);
    const started = performance.now();
    await expect(sampler.sample(controller.signal)).rejects.toThrow('timeout after 50ms');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reports a refused connection', async () => {
    const sampler = createSampler(signal({ pprof: '/debug/pprof/goroutine' }), await closedPortUrl());
    await expect(sampler.sample(sampleWithin(2000))).rejects.toThrow('connection refused');
  });

  it('refuses a body over the limit', async () => {
    const sampler = createSampler(signal({ json: '/big', field: 'x' }), server.url, { maxBytes: 1000 });
    await expect(sampler.sample(sampleWithin(2000))).rejects.toThrow('response larger than 1000 bytes');
  });
});

describe('endpoint resolution', () => {
  const cases: [string, string, string, string][] = [
    ['path replaces the target path and query', '/metrics', 'http://127.0.0.1:8080/api/work?x=1', 'http://127.0.0.1:8080/metrics'],
    ['query of the endpoint kept', '/debug/vars?y=2', 'https://svc.local/', 'https://svc.local/debug/vars?y=2'],
    ['full URL ignores the target', 'http://127.0.0.1:9000/stats', 'http://127.0.0.1:8080/', 'http://127.0.0.1:9000/stats'],
  ];
  it.each(cases)('%s', (_name, endpoint, target, url) => {
    expect(createSampler(signal({ json: endpoint, field: 'a' }), target).url).toBe(url);
  });

  it('a path against a non-http target is a configuration error', () => {
    expect(() => createSampler(signal({ expvar: '/debug/vars', field: 'a' }), 'grpc://127.0.0.1:50051')).toThrow(
      /not an http\(s\) URL; give a full http\(s\) URL/,
    );
  });
});

describe('captureEvidence', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'critpoint-capture-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves the goroutine dump and the heap profile bytes', async () => {
    const out = join(dir, 'ok', 'evidence');
    const { files, warnings } = await captureEvidence(`${server.url}/work`, ['goroutine', 'heap'], out, 2000);
    expect(warnings).toEqual([]);
    expect(files).toEqual([
      { kind: 'goroutine', path: 'goroutine-debug2.txt', bytes: Buffer.byteLength(fixture('pprof-goroutine-debug2.head.txt')) },
      { kind: 'heap', path: 'heap.pb.gz', bytes: HEAP.length },
    ]);
    expect(await readFile(join(out, 'goroutine-debug2.txt'), 'utf8')).toMatch(/^goroutine 45 \[running\]:/);
    expect((await readFile(join(out, 'heap.pb.gz'))).equals(HEAP)).toBe(true);
    expect(debugQueries).toContain('2');
  });

  it('turns failures into warnings, never throws', async () => {
    const down = await closedPortUrl();
    const result = await captureEvidence(down, ['goroutine', 'heap'], join(dir, 'down'), 1000);
    expect(result.files).toEqual([]);
    expect(result.warnings).toEqual([
      `goroutine: connection refused from ${down}/debug/pprof/goroutine?debug=2`,
      `heap: connection refused from ${down}/debug/pprof/heap`,
    ]);
  });

  it('a target without pprof gives HTTP 404 warnings', async () => {
    const bare = await startServer({});
    try {
      const result = await captureEvidence(bare.url, ['heap'], join(dir, 'bare'), 1000);
      expect(result).toEqual({ files: [], warnings: [`heap: HTTP 404 from ${bare.url}/debug/pprof/heap`] });
    } finally {
      await bare.close();
    }
  });

  it('a hanging profile endpoint times out into a warning', async () => {
    const slow = await startServer({ '/debug/pprof/heap': hang });
    try {
      const started = performance.now();
      const result = await captureEvidence(slow.url, ['heap'], join(dir, 'slow'), 100);
      expect(result.warnings).toEqual([`heap: timeout after 100ms from ${slow.url}/debug/pprof/heap`]);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      await slow.close();
    }
  });

  it('nothing to capture writes nothing', async () => {
    expect(await captureEvidence(server.url, [], join(dir, 'none'), 100)).toEqual({ files: [], warnings: [] });
  });
});
