// The runtime block: defaults (one home), the discriminated source, and every problem reported.
import { describe, expect, it } from 'vitest';
import { runtimeSchema } from '../../../src/samplers/schema.js';
import type { RuntimeConfig } from '../../../src/samplers/types.js';

/** `<dot.path>: <message>` for each issue, like the scenario loader shows them. */
function problems(input: unknown): string[] {
  const r = runtimeSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('runtimeSchema defaults', () => {
  it('an empty block: 1s interval, 500ms timeout, no signals, no capture', () => {
    expect(runtimeSchema.parse({})).toEqual({ interval: 1000, timeout: 500, signals: [], capture: [] } satisfies RuntimeConfig);
  });

  it('the documented example', () => {
    const parsed = runtimeSchema.parse({
      interval: '1s',
      timeout: '500ms',
      signals: [
        { name: 'goroutines', source: { pprof: '/debug/pprof/goroutine?debug=1' }, detect: { minRatio: 1.5, rising: true } },
        { name: 'heap', source: { expvar: '/debug/vars', field: 'memstats.HeapAlloc' }, detect: { minRatio: 3 } },
        { name: 'inflight', source: { prometheus: '/metrics', metric: 'http_inflight_requests', labels: { handler: 'work' } } },
        { name: 'queue', source: { json: 'http://127.0.0.1:9000/stats', field: 'queue.depth' } },
      ],
      capture: ['goroutine', 'heap'],
    });
    expect(parsed).toEqual({
      interval: 1000,
      timeout: 500,
      signals: [
        {
          name: 'goroutines',
          source: { kind: 'pprof-goroutine', endpoint: '/debug/pprof/goroutine?debug=1' },
          detect: { minRatio: 1.5, rising: true, enabled: true, direction: 'up' },
        },
        {
          name: 'heap',
          source: { kind: 'expvar', endpoint: '/debug/vars', field: 'memstats.HeapAlloc' },
          detect: { minRatio: 3, rising: false, enabled: true, direction: 'up' },
        },
        {
          name: 'inflight',
          source: { kind: 'prometheus', endpoint: '/metrics', metric: 'http_inflight_requests', labels: { handler: 'work' } },
          detect: { minRatio: 2, rising: false, enabled: true, direction: 'up' },
        },
        {
          name: 'queue',
          source: { kind: 'json', endpoint: 'http://127.0.0.1:9000/stats', field: 'queue.depth' },
          detect: { minRatio: 2, rising: false, enabled: true, direction: 'up' },
        },
      ],
      capture: ['goroutine', 'heap'],
    } satisfies RuntimeConfig);
  });

  const detectDefaults: [string, object, object][] = [
    ['pprof without detect', { pprof: '/debug/pprof/goroutine' }, { minRatio: 1.5, rising: true, enabled: true, direction: 'up' }],
    ['expvar without detect', { expvar: '/debug/vars', field: 'memstats.NumGC' }, { minRatio: 2, rising: false, enabled: true, direction: 'up' }],
    ['prometheus without labels', { prometheus: '/metrics', metric: 'go_goroutines' }, { minRatio: 2, rising: false, enabled: true, direction: 'up' }],
  ];
  it.each(detectDefaults)('%s', (_name, source, detect) => {
    const parsed = runtimeSchema.parse({ signals: [{ name: 's', source }] });
    expect(parsed.signals[0]?.detect).toEqual(detect);
  });

  it('prometheus labels default to {}', () => {
    const parsed = runtimeSchema.parse({ signals: [{ name: 's', source: { prometheus: '/metrics', metric: 'go_goroutines' } }] });
    expect(parsed.signals[0]?.source).toEqual({ kind: 'prometheus', endpoint: '/metrics', metric: 'go_goroutines', labels: {} });
  });

  it('durations as ms numbers', () => {
    expect(runtimeSchema.parse({ interval: 250, timeout: 100 })).toMatchObject({ interval: 250, timeout: 100 });
  });
});

describe('runtimeSchema problems', () => {
  const cases: [string, unknown, string[]][] = [
    ['no source key', { signals: [{ name: 's', source: {} }] }, ['signals.0.source: exactly one of pprof, expvar, prometheus, json is required']],
    [
      'two source keys',
      { signals: [{ name: 's', source: { pprof: '/a', json: '/b', field: 'x' } }] },
      ['signals.0.source: exactly one of pprof, expvar, prometheus, json is required (found pprof, json)'],
    ],
    ['expvar without field', { signals: [{ name: 's', source: { expvar: '/debug/vars' } }] }, ['signals.0.source.field: required with expvar']],
    ['prometheus without metric', { signals: [{ name: 's', source: { prometheus: '/metrics' } }] }, ['signals.0.source.metric: required with prometheus']],
    [
      'field and labels on pprof',
      { signals: [{ name: 's', source: { pprof: '/debug/pprof/goroutine', field: 'x', labels: { a: 'b' } } }] },
      ['signals.0.source.field: only allowed with expvar or json', 'signals.0.source.labels: only allowed with prometheus'],
    ],
    [
      'pprof debug=2',
      { signals: [{ name: 's', source: { pprof: '/debug/pprof/goroutine?debug=2' } }] },
      ['signals.0.source.pprof: the goroutine count needs the text profile ?debug=1'],
    ],
    [
      'relative path without /',
      { signals: [{ name: 's', source: { json: 'stats', field: 'x' } }] },
      ['signals.0.source.json: must be a path starting with / or an http(s):// URL'],
    ],
    [
      'unknown source key',
      { signals: [{ name: 's', source: { statsd: '/x' } }] },
      ['signals.0.source: Unrecognized key: "statsd"', 'signals.0.source: exactly one of pprof, expvar, prometheus, json is required'],
    ],
    [
      'reserved name',
      { signals: [{ name: 'p99', source: { pprof: '/debug/pprof/goroutine' } }] },
      ['signals.0.name: p99, errors, throughput are reserved for the client-side signals'],
    ],
    [
      'duplicate names',
      {
        signals: [
          { name: 'g', source: { pprof: '/debug/pprof/goroutine' } },
          { name: 'g', source: { prometheus: '/metrics', metric: 'go_goroutines' } },
        ],
      },
      ['signals.1.name: duplicate signal name'],
    ],
    [
      'minRatio not above 1',
      { signals: [{ name: 's', source: { pprof: '/p' }, detect: { minRatio: 1 } }] },
      ['signals.0.detect.minRatio: must be greater than 1'],
    ],
    ['bad duration', { interval: 'fast' }, ['interval: not a duration (use e.g. 500ms, 5s, 1m30s, 1h or a number of ms)']],
    ['zero timeout', { timeout: 0 }, ['timeout: must be greater than 0']],
    ['tiny interval', { interval: '1ms' }, ['interval: must be at least 10ms']],
    ['unknown capture kind', { capture: ['cpu'] }, ['capture.0: Invalid option: expected one of "goroutine"|"heap"']],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(problems(input)).toEqual(expected);
  });
});
