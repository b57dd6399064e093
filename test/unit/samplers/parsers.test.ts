// Pure parsers of the runtime endpoints, on real Go 1.19 outputs
// (test/fixtures/go-runtime/, copied from shared/reference/go-runtime/).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { numberAtPath } from '../../../src/samplers/dot-path.js';
import { parseExpvar } from '../../../src/samplers/expvar/parse.js';
import { parseJsonField } from '../../../src/samplers/json/parse.js';
import { parseGoroutineTotal } from '../../../src/samplers/pprof-goroutine/parse.js';
import { counterRate } from '../../../src/samplers/prometheus/counter-rate.js';
import { parsePrometheusText, parseSampleLine } from '../../../src/samplers/prometheus/parse.js';
import { selectSeries, seriesKind } from '../../../src/samplers/prometheus/select.js';
import { CounterPrimingError } from '../../../src/samplers/types.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/go-runtime/${name}`, import.meta.url), 'utf8');
const GOROUTINE_DEBUG1 = fixture('pprof-goroutine-debug1.txt');
const GOROUTINE_DEBUG2 = fixture('pprof-goroutine-debug2.head.txt');
const EXPVAR = fixture('expvar-debug-vars.json');
const METRICS = fixture('prometheus-metrics.txt');

describe('pprof goroutine profile (debug=1)', () => {
  const ok: [string, string, number][] = [
    ['real Go 1.19 profile', GOROUTINE_DEBUG1, 14],
    ['header only', 'goroutine profile: total 3\n', 3],
    ['CRLF and leading blank line', '\r\ngoroutine profile: total 120\r\n1 @ 0x1\r\n', 120],
  ];
  it.each(ok)('%s', (_name, text, expected) => {
    expect(parseGoroutineTotal(text)).toBe(expected);
  });

  const bad: [string, string, RegExp][] = [
    ['garbage text', '<html>oops</html>', /no "goroutine profile: total N" line/],
    ['empty body', '', /no "goroutine profile: total N" line/],
    ['debug=2 dump', GOROUTINE_DEBUG2, /debug=2/],
    ['gzip protobuf (debug=0)', '\x1f\x8b\x08\x00', /debug=0/],
    ['total not a number', 'goroutine profile: total many\n', /no "goroutine profile/],
  ];
  it.each(bad)('rejects %s', (_name, text, reason) => {
    expect(() => parseGoroutineTotal(text)).toThrow(reason);
  });
});

describe('expvar /debug/vars', () => {
  const ok: [string, string, number][] = [
    ['memstats.HeapAlloc', 'memstats.HeapAlloc', 2_130_000],
    ['memstats.NumGC', 'memstats.NumGC', 0],
    ['a published var (goload.goroutines)', 'goload.goroutines', 14],
    ['top-level goroutines', 'goroutines', 14],
    ['array index memstats.BySize.1.Mallocs', 'memstats.BySize.1.Mallocs', 233],
  ];
  it.each(ok)('reads %s', (_name, field, expected) => {
    expect(parseExpvar(EXPVAR, field)).toBe(expected);
  });

  const bad: [string, string, string, RegExp][] = [
    ['missing field', EXPVAR, 'memstats.Foo', /^field memstats\.Foo is missing$/],
    ['field through a number', EXPVAR, 'memstats.HeapAlloc.x', /field memstats\.HeapAlloc\.x is missing/],
    ['an object is not a number', EXPVAR, 'memstats', /field memstats is not a number \(got object\)/],
    ['an array is not a number', EXPVAR, 'cmdline', /not a number \(got array\)/],
    ['garbage text', 'goroutine profile: total 3', 'memstats.HeapAlloc', /response is not JSON/],
    ['a JSON array page', '[1,2]', '0', /not a JSON object/],
  ];
  it.each(bad)('rejects %s', (_name, text, field, reason) => {
    expect(() => parseExpvar(text, field)).toThrow(reason);
  });
});

describe('json dot path', () => {
  const doc = JSON.stringify({ queue: { depth: 7, name: 'q', on: true, none: null, list: [4, 5] }, 'a.b': 1 });
  const cases: [string, string, number | RegExp][] = [
    ['nested number', 'queue.depth', 7],
    ['array element', 'queue.list.1', 5],
    ['string is not a number', 'queue.name', /queue\.name is not a number \(got string\)/],
    ['boolean is not a number', 'queue.on', /not a number \(got boolean\)/],
    ['null is not a number', 'queue.none', /not a number \(got null\)/],
    ['index out of range', 'queue.list.9', /field queue\.list\.9 is missing/],
    ['key of an array', 'queue.list.x', /is missing/],
    ['prototype keys are not fields', 'queue.constructor', /is missing/],
  ];
  it.each(cases)('%s', (_name, field, expected) => {
    if (typeof expected === 'number') expect(parseJsonField(doc, field)).toBe(expected);
    else expect(() => parseJsonField(doc, field)).toThrow(expected);
  });

  it('reads a number at the root', () => {
    expect(numberAtPath(JSON.parse('{"x":{"y":-1.5e3}}'), 'x.y')).toBe(-1500);
  });
});

describe('prometheus exposition: real client_golang page', () => {
  const expo = parsePrometheusText(METRICS);
  const cases: [string, string, Record<string, string>, number, 'gauge' | 'counter', number][] = [
    ['go_goroutines', 'go_goroutines', {}, 17, 'gauge', 1],
    ['go_memstats_heap_alloc_bytes (exponent form)', 'go_memstats_heap_alloc_bytes', {}, 2_155_536, 'gauge', 1],
    ['labelled series go_info{version}', 'go_info', { version: 'go1.19.8' }, 1, 'gauge', 1],
    ['labelled counter series', 'promhttp_metric_handler_requests_total', { code: '200' }, 0, 'counter', 1],
    ['several series are summed', 'promhttp_metric_handler_requests_total', {}, 0, 'counter', 3],
    ['summary quantile is a gauge', 'go_gc_duration_seconds', { quantile: '0.5' }, 0, 'gauge', 1],
    ['summary _count is a counter', 'go_gc_duration_seconds_count', {}, 0, 'counter', 1],
    ['float64 max', 'process_virtual_memory_max_bytes', {}, 1.8446744073709552e19, 'gauge', 1],
    ['counter process_cpu_seconds_total', 'process_cpu_seconds_total', {}, 0, 'counter', 1],
  ];
  it.each(cases)('%s', (_name, metric, labels, value, kind, series) => {
    expect(selectSeries(expo, metric, labels)).toEqual({ value, kind, series });
  });

  it('records every family type', () => {
    expect(expo.types.get('go_gc_duration_seconds')).toBe('summary');
    expect(expo.types.get('go_memstats_alloc_bytes_total')).toBe('counter');
    expect(expo.samples.length).toBeGreaterThan(40);
  });

  const missing: [string, string, Record<string, string>, RegExp][] = [
    ['unknown metric', 'http_inflight_requests', { handler: 'work' }, /^no series http_inflight_requests\{handler="work"\}$/],
    [
      'label mismatch',
      'promhttp_metric_handler_requests_total',
      { code: '404' },
      /no series .*code="404".*\(3 series of promhttp_metric_handler_requests_total have other labels\)/,
    ],
    ['matcher on a label the series lacks', 'go_goroutines', { job: 'x' }, /no series go_goroutines\{job="x"\}/],
  ];
  it.each(missing)('%s', (_name, metric, labels, reason) => {
    expect(() => selectSeries(expo, metric, labels)).toThrow(reason);
  });
});

describe('prometheus exposition: syntax', () => {
  const lines: [string, string, { name: string; labels: Record<string, string>; value: number }][] = [
    ['plain', 'a 1', { name: 'a', labels: {}, value: 1 }],
    ['timestamp', 'a{x="1"} 2.5 1700000000000', { name: 'a', labels: { x: '1' }, value: 2.5 }],
    ['escapes in label values', 'a{p="c:\\\\x",q="say \\"hi\\"",r="l1\\nl2"} 3', { name: 'a', labels: { p: 'c:\\x', q: 'say "hi"', r: 'l1\nl2' }, value: 3 }],
    ['braces and commas inside a value', 'a{path="/x{1},y"} 4', { name: 'a', labels: { path: '/x{1},y' }, value: 4 }],
    ['trailing comma and spaces', 'a{ x = "1" , } 5', { name: 'a', labels: { x: '1' }, value: 5 }],
    ['+Inf', 'a_bucket{le="+Inf"} +Inf', { name: 'a_bucket', labels: { le: '+Inf' }, value: Infinity }],
    ['OpenMetrics exemplar', 'a_bucket{le="0.5"} 7 # {trace_id="abc"} 0.3 1.7e9', { name: 'a_bucket', labels: { le: '0.5' }, value: 7 }],
    ['quoted UTF-8 name', '{"my.metric", job="x"} 6', { name: 'my.metric', labels: { job: 'x' }, value: 6 }],
    ['colon in name', 'job:rate5m 0.25', { name: 'job:rate5m', labels: {}, value: 0.25 }],
  ];
  it.each(lines)('%s', (_name, line, expected) => {
    expect(parseSampleLine(line)).toEqual(expected);
  });

  it('NaN values parse, but a NaN series is not a number', () => {
    const expo = parsePrometheusText('# TYPE s summary\ns{quantile="0.99"} NaN\n');
    expect(Number.isNaN(expo.samples[0]?.value)).toBe(true);
    expect(() => selectSeries(expo, 's', { quantile: '0.99' })).toThrow(/not a number/);
  });

  it('stops at # EOF', () => {
    expect(parsePrometheusText('a 1\n# EOF\ngarbage here\n').samples).toHaveLength(1);
  });

  const bad: [string, string, RegExp][] = [
    ['garbage text', '<html>\n<body>nope</body>', /invalid exposition: line 1: expected a metric name/],
    ['missing value', 'go_goroutines\n', /line 1: missing value for go_goroutines/],
    ['non-numeric value', 'a 1\nb twelve\n', /line 2: invalid value "twelve" for b/],
    ['unterminated label value', 'a{x="1} 2', /unterminated quoted string/],
    ['unquoted label value', 'a{x=1} 2', /expected a quoted value for label x/],
    ['unknown TYPE', '# TYPE a thing\na 1', /unknown type "thing"/],
    ['JSON page', '{"memstats":{}}', /invalid exposition/],
  ];
  it.each(bad)('rejects %s', (_name, text, reason) => {
    expect(() => parsePrometheusText(text)).toThrow(reason);
  });
});

describe('prometheus series kind from # TYPE', () => {
  const types = new Map([
    ['req_total', 'counter'],
    ['req', 'counter'],
    ['lat', 'histogram'],
    ['rpc', 'summary'],
    ['temp', 'gauge'],
  ] as const);
  const cases: [string, 'gauge' | 'counter'][] = [
    ['req_total', 'counter'],
    ['req_created', 'gauge'],
    ['lat_sum', 'counter'],
    ['lat_count', 'counter'],
    ['lat_bucket', 'counter'],
    ['rpc', 'gauge'],
    ['rpc_sum', 'counter'],
    ['temp', 'gauge'],
    ['untyped_total', 'gauge'],
  ];
  it.each(cases)('%s is a %s', (name, kind) => {
    expect(seriesKind(name, types)).toBe(kind);
  });
});

describe('counter rate', () => {
  const cases: [string, { value: number; t: number }, { value: number; t: number }, number][] = [
    ['50 per second', { value: 100, t: 0 }, { value: 150, t: 1000 }, 50],
    ['half-second interval', { value: 10, t: 1000 }, { value: 15, t: 1500 }, 10],
    ['flat counter', { value: 7, t: 0 }, { value: 7, t: 250 }, 0],
    ['reset counts from zero', { value: 1000, t: 0 }, { value: 30, t: 1000 }, 30],
  ];
  it.each(cases)('%s', (_name, prev, cur, rate) => {
    expect(counterRate(prev, cur)).toBeCloseTo(rate, 9);
  });

  it('the first sample is a priming gap', () => {
    expect(() => counterRate(undefined, { value: 1, t: 0 })).toThrow(CounterPrimingError);
    expect(() => counterRate(undefined, { value: 1, t: 0 })).toThrow('counter: first sample');
  });

  it('two readings at the same instant are refused', () => {
    expect(() => counterRate({ value: 1, t: 5 }, { value: 2, t: 5 })).toThrow(/too close/);
  });
});
