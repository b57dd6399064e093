import { describe, expect, it } from 'vitest';
import { compareRuns, formatComparison, sameRunWarning, signalUnit, type Comparison } from '../../src/compare/compare-runs.js';
import { failOnReason, parseFailOn, type FailOn } from '../../src/compare/fail-on.js';
import { CompareMismatchError, RunNotComparableError } from '../../src/compare/errors.js';
import type { RecordedScenario, RunResult, SignalBaseline, StepResult, StopReason } from '../../src/types.js';

interface RunOpts {
  runId?: string;
  stopReason?: StopReason;
  cp?: number | null;
  firstBreach?: number;
  lastPass?: number | null;
  scenario?: RecordedScenario;
  p50?: number;
  p99?: number;
  goroutines?: number;
  cpus?: number;
}

function scenario(overrides: { load?: Record<string, unknown>; http?: Record<string, unknown>; grpc?: Record<string, unknown> } = {}): RecordedScenario {
  const s: Record<string, unknown> = {
    name: 'checkout',
    target: { url: 'http://127.0.0.1:8080' },
    http: { method: 'POST', path: '/orders', body: { item: 1, qty: 2 }, headers: {}, ...overrides.http },
    load: { mode: 'rate', start: 100, end: 4000, growth: 1.5, ...overrides.load },
  };
  if (overrides.grpc) {
    delete s.http;
    s.grpc = overrides.grpc;
  }
  return s as RecordedScenario;
}

function signalBaseline(signal: string, medianValue: number): SignalBaseline {
  return {
    signal,
    statistic: 'value',
    direction: 'up',
    median: medianValue,
    sigma: 1,
    robustThreshold: medianValue + 3,
    practicalThreshold: medianValue * 2,
    threshold: medianValue * 2,
    medianValue,
    windows: 20,
  };
}

function makeRun(o: RunOpts = {}): RunResult {
  const stopReason = o.stopReason ?? 'breach';
  const cpValue = o.cp === undefined ? 1000 : o.cp;
  const firstBreach = o.firstBreach ?? (cpValue === null ? 0 : cpValue * 1.04);
  const baselineStep: StepResult = {
    index: 0,
    phase: 'baseline',
    load: 100,
    unit: 'req/s',
    outcome: 'pass',
    breaches: [],
    windowCount: 20,
    stats: {
      sent: 2000,
      completed: 2000,
      errors: {},
      errorTotal: 0,
      achievedRate: 100,
      p50: o.p50 ?? 9.5,
      p90: 12,
      p99: o.p99 ?? 18,
      max: 30,
      mean: 10,
      sendLagP99: 0.4,
      maxInFlight: 3,
      aborted: false,
      elapsedMs: 23000,
    },
  };
  return {
    schemaVersion: 1,
    runId: o.runId ?? 'run-1',
    name: 'checkout',
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: '2025-01-01T00:02:00.000Z',
    durationMs: 120000,
    stopReason,
    stopDetail: `stopped: ${stopReason}`,
    exitCode: 0,
    engine: 'http-open',
    target: 'http://127.0.0.1:8080',
    scenario: o.scenario ?? scenario(),
    environment: {
      node: 'v20.19.0',
      platform: 'linux',
      arch: 'x64',
      cpus: o.cpus ?? 2,
      cpuModel: 'Xeon',
      totalMemoryMb: 4096,
      loadAverage: [0.1, 0.1, 0.1],
      critpoint: '0.1.0',
    },
    baseline: {
      load: 100,
      unit: 'req/s',
      windows: 20,
      signals: { p99: signalBaseline('p99', o.p99 ?? 18), goroutines: signalBaseline('goroutines', o.goroutines ?? 40) },
    },
    steps: [baselineStep],
    windows: [],
    runtimeSamples: [],
    samplers: [],
    criticalPoint:
      cpValue === null
        ? null
        : {
            value: cpValue,
            unit: 'req/s',
            lastPass: cpValue,
            firstBreach,
            resolution: (firstBreach - cpValue) / cpValue,
            signals: [
              {
                signal: 'p99',
                values: [41.2, 45],
                windowIndexes: [80, 81],
                baselineMedian: 18,
                sigma: 0.05,
                threshold: 36,
                reason: 'p99 41.2 ms > threshold 36.0 ms (2x baseline 18.0 ms) in 2 consecutive windows',
              },
            ],
          },
    lastPass: o.lastPass === undefined ? cpValue : o.lastPass,
    evidence: [],
    files: [],
    warnings: [],
  };
}

describe('compareRuns: shift and verdict', () => {
  const cases: [string, RunResult, RunResult, Partial<Comparison>][] = [
    [
      '10% improvement beyond 8% combined resolution',
      makeRun({ cp: 1000 }),
      makeRun({ cp: 1100 }),
      { change: 'improvement', noMeasurableChange: false, shiftBound: 'exact' },
    ],
    ['20% regression', makeRun({ cp: 1000 }), makeRun({ cp: 800 }), { change: 'regression', noMeasurableChange: false }],
    ['3% shift within 8% combined resolution', makeRun({ cp: 1000 }), makeRun({ cp: 1030 }), { change: 'no-measurable-change', noMeasurableChange: true }],
    ['identical critical points', makeRun({ cp: 1000 }), makeRun({ cp: 1000 }), { change: 'no-measurable-change', noMeasurableChange: true, shift: 0 }],
    [
      'shift exactly at the combined resolution is no change',
      makeRun({ cp: 1000, firstBreach: 1050 }),
      makeRun({ cp: 1100, firstBreach: 1155 }),
      { change: 'no-measurable-change' },
    ],
  ];
  it.each(cases)('%s', (_name, base, head, expected) => {
    const c = compareRuns(base, head);
    expect(c).toMatchObject(expected);
    expect(c.shift).toBeCloseTo((head.criticalPoint?.value ?? 0) / (base.criticalPoint?.value ?? 1) - 1, 12);
    expect(c.combinedResolution).toBeCloseTo((base.criticalPoint?.resolution ?? 0) + (head.criticalPoint?.resolution ?? 0), 12);
  });

  it('collects the side-by-side values', () => {
    const c = compareRuns(makeRun({ cp: 1000, p50: 9.5, p99: 18, goroutines: 40 }), makeRun({ cp: 1100, p50: 8, p99: 16, goroutines: 52 }));
    expect(c.unit).toBe('req/s');
    expect(c.base).toMatchObject({ criticalPoint: 1000, lastPass: 1000, firstBreach: 1040, baselineP50: 9.5, baselineP99: 18, breachingSignals: ['p99'] });
    expect(c.base.resolution).toBeCloseTo(0.04, 12);
    expect(c.head.atBaseline).toEqual({ p99: 16, goroutines: 52 });
    expect(c.head.atBreach).toEqual({ p99: [41.2, 45] });
    expect(c.baselineSignals).toEqual(['p99', 'goroutines']);
    expect(c.breachSignals).toEqual(['p99']);
  });

  it('notes runs from different machines', () => {
    const c = compareRuns(makeRun({ cpus: 2 }), makeRun({ cpus: 8 }));
    expect(c.notes.join(' ')).toMatch(/different setups \(cpus 2 vs 8\)/);
  });

  it.each([
    ['same settings: no note', {}, {}, null],
    ['a 4x p99 floor vs 2x', { detect: { p99: { minRatio: 2 } } }, { detect: { p99: { minRatio: 4 } } }, 'detect'],
    ['longer steps and another growth', { load: { stepDuration: 5000 } }, { load: { stepDuration: 10000, growth: 2 } }, 'load.stepDuration, load.growth'],
    ['same detect in another key order', { detect: { k: 3, confirm: 2 } }, { detect: { confirm: 2, k: 3 } }, null],
  ] as const)('notes settings that define the critical point differently: %s', (_name, b, h, fields) => {
    const withSettings = (o: { detect?: object; load?: object }) => ({
      ...scenario({ load: o.load as Record<string, unknown> }),
      ...(o.detect ? { detect: o.detect } : {}),
    });
    const c = compareRuns(makeRun({ scenario: withSettings(b) }), makeRun({ scenario: withSettings(h) }));
    const note = c.notes.find((n) => n.includes('different settings'));
    if (fields === null) expect(note).toBeUndefined();
    else
      expect(note).toBe(
        `The runs found their critical points with different settings (${fields}): part of the shift may come from the settings, not the code.`,
      );
  });
});

describe('compareRuns: runs that completed the ramp (lower bounds)', () => {
  it('head above the ramp, base broke well below: improvement, shift is a lower bound', () => {
    const c = compareRuns(makeRun({ cp: 2000 }), makeRun({ stopReason: 'completed', cp: null, lastPass: 4000 }));
    expect(c).toMatchObject({ change: 'improvement', shiftBound: 'at-least', shift: 1 });
    expect(c.head).toMatchObject({ lowerBound: true, criticalPoint: 4000, firstBreach: null, resolution: null });
    expect(c.notes.join(' ')).toMatch(/head completed its ramp.*4000 req\/s is a lower bound/);
    expect(c.summary).toMatch(/at least 100\.0% above/);
    expect(formatComparison(c, 'md')).toContain('>= 4000');
  });
  it('head above the ramp, base broke near the end: undetermined', () => {
    const c = compareRuns(makeRun({ cp: 3950 }), makeRun({ stopReason: 'completed', cp: null, lastPass: 4000 }));
    expect(c).toMatchObject({ change: 'undetermined', shiftBound: 'at-least', noMeasurableChange: false });
  });
  it('base above the ramp, head broke at half: regression', () => {
    const c = compareRuns(makeRun({ stopReason: 'completed', cp: null, lastPass: 4000 }), makeRun({ cp: 2000 }));
    expect(c).toMatchObject({ change: 'regression', shiftBound: 'at-most', shift: -0.5 });
    expect(c.summary).toMatch(/at least 50\.0% below/);
  });
  it('both above the ramp: undetermined', () => {
    const c = compareRuns(makeRun({ stopReason: 'completed', cp: null, lastPass: 4000 }), makeRun({ stopReason: 'completed', cp: null, lastPass: 4000 }));
    expect(c).toMatchObject({ change: 'undetermined', shiftBound: 'unknown', combinedResolution: null });
    expect(c.summary).toMatch(/extend the ramp/);
  });
  it('completed without lastPass falls back to the ramp end', () => {
    const c = compareRuns(makeRun({ stopReason: 'completed', cp: null, lastPass: null }), makeRun({ cp: 1000 }));
    expect(c.base.criticalPoint).toBe(4000);
  });
});

describe('compareRuns: refusals', () => {
  const cases: [string, RunResult, RunResult, string[]][] = [
    ['load mode', makeRun(), makeRun({ scenario: scenario({ load: { mode: 'concurrency' } }) }), ['load.mode']],
    ['ramp start and end', makeRun(), makeRun({ scenario: scenario({ load: { start: 50, end: 8000 } }) }), ['load.start', 'load.end']],
    ['http method and path', makeRun(), makeRun({ scenario: scenario({ http: { method: 'GET', path: '/health' } }) }), ['http.method', 'http.path']],
    ['http body', makeRun(), makeRun({ scenario: scenario({ http: { body: { item: 2, qty: 2 } } }) }), ['http.body']],
    ['http vs grpc', makeRun(), makeRun({ scenario: scenario({ grpc: { service: 'shop.Orders', method: 'Create' } }) }), ['protocol']],
    [
      'grpc method',
      makeRun({ scenario: scenario({ grpc: { service: 'shop.Orders', method: 'Create' } }) }),
      makeRun({ scenario: scenario({ grpc: { service: 'shop.Orders', method: 'List' } }) }),
      ['grpc.method'],
    ],
  ];
  it.each(cases)('%s', (_name, base, head, fields) => {
    let err: unknown;
    try {
      compareRuns(base, head);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CompareMismatchError);
    const m = err as CompareMismatchError;
    expect(m.fields).toEqual(fields);
    for (const f of fields) expect(m.message).toContain(f);
    expect(m.code).toBe('COMPARE_MISMATCH');
  });

  it('unit differs', () => {
    const head = makeRun();
    if (head.criticalPoint) head.criticalPoint.unit = 'connections';
    expect(() => compareRuns(makeRun(), head)).toThrow(/unit/);
  });

  it('tolerates what does not change the measurement: body key order, method case, target url, headers', () => {
    const head = makeRun({
      scenario: { ...scenario({ http: { method: 'post', body: { qty: 2, item: 1 }, headers: { auth: 'x' } } }), target: { url: 'http://10.0.0.2:9000' } },
    });
    expect(() => compareRuns(makeRun(), head)).not.toThrow();
  });

  it.each(['generator-limited', 'target-unreachable', 'error'] as StopReason[])('%s cannot be compared', (stopReason) => {
    expect(() => compareRuns(makeRun(), makeRun({ stopReason, cp: null, lastPass: 500 }))).toThrow(RunNotComparableError);
    expect(() => compareRuns(makeRun({ stopReason, cp: null }), makeRun())).toThrow(/base run run-1 .*stopReason '/);
  });

  it('interrupted before any breach cannot be compared; after a breach it can, with a note', () => {
    expect(() => compareRuns(makeRun(), makeRun({ stopReason: 'interrupted', cp: null }))).toThrow(RunNotComparableError);
    const c = compareRuns(makeRun(), makeRun({ stopReason: 'interrupted', cp: 1000 }));
    expect(c.notes.join(' ')).toMatch(/interrupted/);
  });
});

describe('formatComparison', () => {
  const c = compareRuns(makeRun({ runId: 'base-run', cp: 1000 }), makeRun({ runId: 'head|run', cp: 1100, goroutines: 52 }));

  it('md: a table with the critical point row and the verdict', () => {
    const md = formatComparison(c, 'md');
    expect(md).toContain('| | base | head | change |');
    expect(md).toMatch(/\| critical point \(req\/s\) \| 1000 \| 1100 \| \+10\.0% \|/);
    expect(md).toContain('**Improvement**: the critical point moved +10.0%');
    expect(md).toContain('| goroutines at baseline (median, as sampled) | 40 | 52 | +30.0% |');
    expect(md).toContain('| p99 at breach (ms) | 41.2, 45 | 41.2, 45 |  |');
    expect(md).toContain('head\\|run'); // pipes escaped
    const tableRows = md.split('\n').filter((l) => l.startsWith('|'));
    for (const row of tableRows) expect(row.replace(/\\\|/g, '').split('|').length).toBe(6);
  });

  it('json: parses back, with the comparison fields', () => {
    const j = JSON.parse(formatComparison(c, 'json')) as Record<string, unknown>;
    expect(j).toMatchObject({ kind: 'critpoint-compare', change: 'improvement', unit: 'req/s' });
    expect(j.shift).toBeCloseTo(0.1, 12);
  });

  it('json: non-finite numbers become null', () => {
    const b = compareRuns(makeRun({ stopReason: 'completed', cp: null, lastPass: 4000 }), makeRun({ stopReason: 'completed', cp: null, lastPass: 4000 }));
    expect(() => JSON.parse(formatComparison(b, 'json'))).not.toThrow();
  });

  it('text: aligned columns', () => {
    const text = formatComparison(c, 'text');
    const lines = text.split('\n');
    expect(lines[0]).toBe(c.summary);
    const header = lines.find((l) => /\bbase\b.*\bhead\b.*\bchange\b/.test(l)) ?? '';
    const cpLine = lines.find((l) => l.startsWith('critical point')) ?? '';
    // right-aligned numeric columns end where their headers end
    expect(cpLine.indexOf('1000') + 4).toBe(header.indexOf('base') + 4);
    expect(cpLine.indexOf('1100') + 4).toBe(header.indexOf('head') + 4);
  });
});

describe('every row has its unit', () => {
  it.each([
    ['p99', undefined, 'ms'],
    ['errors', undefined, 'share of requests'],
    ['throughput', undefined, 'achieved/offered'],
    [
      'goroutines',
      { runtime: { signals: [{ name: 'goroutines', source: { kind: 'pprof-goroutine', endpoint: 'http://h/debug/pprof/goroutine?debug=1' } }] } },
      'goroutines',
    ],
    [
      'heap',
      { runtime: { signals: [{ name: 'heap', source: { kind: 'expvar', endpoint: 'http://h/debug/vars', field: 'memstats.HeapAlloc' } }] } },
      'memstats.HeapAlloc',
    ],
    [
      'inflight',
      {
        runtime: {
          signals: [{ name: 'inflight', source: { kind: 'prometheus', endpoint: 'http://h/metrics', metric: 'http_inflight_requests', labels: {} } }],
        },
      },
      'http_inflight_requests',
    ],
    ['queue', { runtime: { signals: [{ name: 'queue', source: { kind: 'json', endpoint: 'http://h/stats', field: 'queue.depth' } }] } }, 'queue.depth'],
    ['unknown', {}, 'as sampled'],
  ])('%s -> %s', (name, scenario, unit) => {
    expect(signalUnit(name, scenario)).toBe(unit);
  });

  it('text: shares as percentages, runtime signals in what their source reads; no numeric row without a unit', () => {
    const runtime = { signals: [{ name: 'goroutines', source: { kind: 'pprof-goroutine', endpoint: 'http://h/debug/pprof/goroutine?debug=1' } }] };
    const withErrors = (r: RunResult, errors: number, throughput: number): RunResult => ({
      ...r,
      scenario: { ...r.scenario, runtime },
      baseline: {
        ...r.baseline!,
        signals: { ...r.baseline!.signals, errors: signalBaseline('errors', errors), throughput: signalBaseline('throughput', throughput) },
      },
    });
    const c = compareRuns(withErrors(makeRun({ runId: 'a', cp: 1000 }), 0.0012, 1.002), withErrors(makeRun({ runId: 'b', cp: 800 }), 0, 0.998));
    const text = formatComparison(c, 'text');
    expect(text).toMatch(/^errors at baseline \(median, % of requests\) +0\.12% +0\.00%/m);
    expect(text).toMatch(/^throughput at baseline \(median, % of offered\) +100\.2% +99\.8% +-0\.4%$/m);
    expect(text).toMatch(/^goroutines at baseline \(median, goroutines\) +40 +40 +\+0\.0%$/m);
    expect(text).toMatch(/^p99 at breach \(ms\) +41\.2, 45 +41\.2, 45$/m);
    // Every row whose cells are numbers names a unit in its label (resolution is a percentage).
    const rows = text
      .split('\n')
      .slice(2)
      .filter((l) => /^\S.*\s{2,}\S/.test(l) && !l.startsWith('note:'));
    for (const row of rows) {
      const label = row.split(/\s{2,}/)[0] as string;
      if (/^(stop reason|breaching signals|resolution)$/.test(label)) continue;
      expect(label, row).toMatch(/\((?:req\/s|ms|[^)]*, [^)]+|% of \w+|goroutines)\)$/);
    }
  });
});

describe('a run compared with itself', () => {
  it('is flagged, and says so first in the notes', () => {
    const c = compareRuns(makeRun({ runId: 'r/1' }), makeRun({ runId: 'r/1' }));
    expect(c.sameRun).toBe(true);
    expect(c.notes[0]).toBe(sameRunWarning('r/1'));
    expect(formatComparison(c, 'text')).toContain(`note: ${sameRunWarning('r/1')}`);
    expect(compareRuns(makeRun({ runId: 'r/1' }), makeRun({ runId: 'r/2' })).sameRun).toBe(false);
  });
});

describe('--fail-on', () => {
  it.each([
    ['regression', { kind: 'regression' }],
    ['any', { kind: 'any' }],
    ['ANY', { kind: 'any' }],
    ['5%', { kind: 'drop', share: 0.05 }],
    ['2.5%', { kind: 'drop', share: 0.025 }],
  ])('parses %s', (text, failOn) => {
    expect(parseFailOn(text)).toEqual({ failOn });
  });
  it.each([['5'], ['0%'], ['100%'], ['-5%'], ['worse'], ['']])('refuses %j with one problem line', (text) => {
    expect(parseFailOn(text)).toEqual({ problem: `--fail-on: must be regression, any, or a drop between 0% and 100% such as 5%, got ${JSON.stringify(text)}` });
  });

  const run = (cp: number | null, o: RunOpts = {}) => makeRun({ runId: `r${cp}-${o.stopReason ?? 'breach'}`, cp, ...o });
  const regression20 = compareRuns(run(1000), run(800));
  const improvement10 = compareRuns(run(1000), run(1100));
  const within3 = compareRuns(run(1000), run(1030));
  const baseAboveRamp = compareRuns(run(null, { stopReason: 'completed', lastPass: 4000 }), run(3000));
  const headAboveRamp = compareRuns(run(1000), run(null, { stopReason: 'completed', lastPass: 990 }));
  const cases: [string, Comparison, FailOn, RegExp | null][] = [
    ['regression fails on a measurable drop', regression20, { kind: 'regression' }, /^the critical point moved -20\.0% \(1000 -> 800 req\/s\)$/],
    ['regression passes an improvement', improvement10, { kind: 'regression' }, null],
    ['regression passes a shift within the resolution', within3, { kind: 'regression' }, null],
    ['regression fails when base completed its ramp above head', baseAboveRamp, { kind: 'regression' }, /^Regression: base completed the ramp/],
    ['any fails on an improvement', improvement10, { kind: 'any' }, /^improvement, the critical point moved \+10\.0%/],
    ['any fails when the comparison cannot decide', headAboveRamp, { kind: 'any' }, /^Undetermined: head completed the ramp/],
    ['any passes no measurable change', within3, { kind: 'any' }, null],
    ['a 20% drop fails 15%', regression20, { kind: 'drop', share: 0.15 }, /^the critical point moved -20\.0% .*, a drop of at least 15\.0%$/],
    ['a 20% drop fails 20% (inclusive)', regression20, { kind: 'drop', share: 0.2 }, /at least 20\.0%$/],
    ['a 20% drop passes 25%', regression20, { kind: 'drop', share: 0.25 }, null],
    ['an improvement passes any drop threshold', improvement10, { kind: 'drop', share: 0.01 }, null],
  ];
  it.each(cases)('%s', (_name, c, failOn, reason) => {
    const got = failOnReason(c, failOn);
    if (reason === null) expect(got).toBeNull();
    else expect(got).toMatch(reason);
  });
});
