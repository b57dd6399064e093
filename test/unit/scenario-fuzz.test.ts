// Fuzz: more than 5,000 mutated and random scenarios (objects, YAML/JSON text,
// --set assignments) through parseScenarioText and resolveScenario (seeded: the
// same inputs every run; about 4 s of CPU, most of it the validation itself). The only
// acceptable outcomes are a valid scenario or a ScenarioError whose every
// problem is one `<dot.path>: <what is wrong>, got <value>` line: no crash,
// no other error class, no stack trace.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { parseScenarioText, resolveScenario } from '../../src/scenario/load.js';
import { MAX_LISTED_PROBLEMS, ScenarioError } from '../../src/errors.js';

const base = {
  name: 'fuzz',
  target: { url: 'http://127.0.0.1:8080/api' },
  http: {
    method: 'POST',
    path: '/work',
    headers: { Authorization: 'Bearer ${env:TOKEN}', Accept: 'text/plain' },
    body: { a: 1 },
    timeout: '2s',
    okStatus: [200, 201],
  },
  load: {
    start: 100,
    end: 2000,
    growth: { factor: 1.5 },
    stepDuration: '5s',
    warmup: '3s',
    baselineWindows: 20,
    drain: '500ms',
    refine: { resolution: 0.05, maxSteps: 6 },
    maxDuration: '10m',
    maxInFlight: 500,
    maxRequests: 1_000_000,
    seed: 3,
  },
  detect: {
    window: '1s',
    minRequests: 200,
    k: 3,
    confirm: 2,
    p99: { minRatio: 2 },
    errors: { maxRate: 0.01 },
    throughput: { minRatio: 0.95 },
    generator: { maxSendLag: '5ms' },
  },
  runtime: { interval: '1s', timeout: '500ms', signals: [{ name: 'goroutines', source: { pprof: '/debug/pprof/goroutine?debug=1' } }], capture: ['goroutine'] },
  report: { dir: 'results', formats: ['json', 'csv'] },
};

/** Every path of the base document, so mutations hit real fields as well as new ones. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) out.push(...paths(c, [...prefix, Array.isArray(v) ? Number(k) : k]));
  return out;
}
const PATHS = paths(base);
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'a.b', 'x: y', 'line\nbreak', '', ' ', '${env:X}', '\u0000', 'ünï'];

const weird = fc.oneof(
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    1e-320,
    '',
    ' ',
    '5x',
    '1e400',
    '-5s',
    '10 m',
    'NaN',
    null,
    true,
    false,
    [],
    {},
    [[]],
    '${env:}',
    '${env:1BAD}',
    'http://',
    'ftp://h',
    '/',
  ),
  fc.string({ maxLength: 30 }),
  fc.double(),
  fc.integer(),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 4 }),
  fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withTypedArray: true,
    withSparseArray: true,
    withBoxedValues: true,
  }),
  fc.string({ minLength: 200, maxLength: 400 }),
);

type Mutation = { kind: 'set'; path: number; value: unknown } | { kind: 'delete'; path: number } | { kind: 'add'; path: number; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.nat(PATHS.length - 1), value: weird }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.nat(PATHS.length - 1) }),
  fc.record({
    kind: fc.constant('add' as const),
    path: fc.nat(PATHS.length - 1),
    key: fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 12 })),
    value: weird,
  }),
);

function mutate(doc: unknown, muts: Mutation[]): unknown {
  let root: unknown = structuredClone(doc);
  for (const m of muts) {
    const path = PATHS[m.path] as (string | number)[];
    if (path.length === 0) {
      if (m.kind === 'set') root = m.value;
      else if (m.kind === 'add' && root && typeof root === 'object')
        Object.defineProperty(root, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      continue;
    }
    let parent: unknown = root;
    for (const key of path.slice(0, -1)) parent = parent && typeof parent === 'object' ? (parent as Record<string | number, unknown>)[key] : undefined;
    if (!parent || typeof parent !== 'object') continue;
    const last = path[path.length - 1] as string | number;
    const obj = parent as Record<string | number, unknown>;
    if (m.kind === 'set') obj[last] = m.value;
    else if (m.kind === 'delete') delete obj[last];
    else {
      const target = obj[last];
      if (target && typeof target === 'object') Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    }
  }
  return root;
}

type TextEdit = { at: number; del: number; insert: string };
const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  at: fc.nat(),
  del: fc.nat(6),
  insert: fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.constantFrom(
      ':',
      '- ',
      '&a ',
      '*a',
      '!!binary ',
      '!!js/function ',
      '{',
      '[',
      '"',
      "'",
      '\n  ',
      '\t',
      '<<: *a',
      '? ',
      '%YAML 1.1\n',
      '---\n',
      '...\n',
      '#',
    ),
  ),
});
function editText(text: string, edits: TextEdit[]): string {
  let t = text;
  for (const e of edits) {
    const at = t.length === 0 ? 0 : e.at % (t.length + 1);
    t = t.slice(0, at) + e.insert + t.slice(at + e.del);
  }
  return t;
}

/**
 * Any code point, lone surrogates and control characters included: what fast-check's unit 'binary'
 * gives, without the 1.7 s of CPU its first use costs under vitest.
 */
const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c));

const PROBLEM_LINE = /^[^\s:][^\n]*?: [^\n]+, got [^\n]+$/;
let runs = 0;
const outcomes = { valid: 0, invalid: 0 };

/** The property every input must satisfy. */
function check(fn: () => unknown): void {
  runs++;
  try {
    fn();
    outcomes.valid++;
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw new Error(`not a ScenarioError: ${(err as Error)?.stack ?? String(err)}`);
    outcomes.invalid++;
    expect(err.problems.length).toBeGreaterThan(0);
    for (const p of err.problems) {
      if (!PROBLEM_LINE.test(p)) throw new Error(`malformed problem line: ${JSON.stringify(p)}`);
    }
    // No stack trace and nothing but the problems in the message: one line for one problem, else a
    // header, at most MAX_LISTED_PROBLEMS problem lines and a count of the rest.
    expect(err.message).not.toMatch(/\n\s+at .+[:(]/);
    const n = err.problems.length;
    expect(err.message.split('\n').length).toBe(n === 1 ? 1 : 1 + Math.min(n, MAX_LISTED_PROBLEMS) + (n > MAX_LISTED_PROBLEMS ? 1 : 0));
  }
}

describe('scenario fuzz: >= 5,000 mutated or random inputs, only validation errors', () => {
  afterAll(() => {
    console.log(`scenario fuzz: ${runs} inputs, ${outcomes.valid} valid, ${outcomes.invalid} refused with problem lines`);
  });

  it('mutated scenario objects (2,000)', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (muts) => check(() => resolveScenario(mutate(base, muts), { env: { TOKEN: 't' } }))),
      { numRuns: 2_000, seed: 20240611 },
    );
  });

  it('random values as the whole document (1,000)', () => {
    fc.assert(
      fc.property(
        fc.anything({ maxDepth: 4, withBigInt: true, withMap: true, withSet: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true }),
        (doc) => check(() => resolveScenario(doc)),
      ),
      { numRuns: 1_000, seed: 7 },
    );
  });

  it('mutated YAML and JSON text (1,500)', () => {
    const yamlText = toYaml(base);
    const jsonText = JSON.stringify(base, null, 1);
    fc.assert(
      fc.property(fc.boolean(), fc.array(textEdit, { minLength: 1, maxLength: 8 }), (asJson, edits) => {
        const text = editText(asJson ? jsonText : yamlText, edits);
        const source = asJson ? 'fuzz.json' : 'fuzz.yaml';
        check(() => resolveScenario(parseScenarioText(text, source), {}, source));
      }),
      { numRuns: 1_500, seed: 99 },
    );
  });

  it('random text (500)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: anyCodePoint }), fc.boolean(), (text, asJson) =>
        check(() => resolveScenario(parseScenarioText(text, asJson ? 'r.json' : 'r.yaml'))),
      ),
      { numRuns: 500, seed: 5 },
    );
  });

  it('random --set and --target overrides on a valid scenario (500)', () => {
    const assignment = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc
        .tuple(
          fc.constantFrom(...PATHS.filter((p) => p.length > 0).map((p) => p.join('.')), '__proto__.x', 'load..start', 'name.x', 'a.b.c'),
          fc.string({ maxLength: 20 }),
        )
        .map(([p, v]) => `${p}=${v}`),
    );
    fc.assert(
      fc.property(fc.array(assignment, { maxLength: 4 }), fc.option(fc.string({ maxLength: 30 })), (sets, target) =>
        check(() => resolveScenario(base, { sets, target: target ?? undefined, env: { TOKEN: 't' } })),
      ),
      { numRuns: 500, seed: 11 },
    );
  });

  it('ran at least 5,000 inputs, most of them refused', () => {
    expect(runs).toBeGreaterThanOrEqual(5_000);
    expect(outcomes.invalid).toBeGreaterThan(outcomes.valid);
    // The base scenario itself is valid: the fuzz starts from something real.
    expect(() => resolveScenario(base, { env: { TOKEN: 't' } })).not.toThrow();
  });
});
