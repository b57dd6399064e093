import { describe, expect, it } from 'vitest';
import { resolveScenario, parseScenarioText, applySet } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/errors.js';
import { redactScenario, REDACTED } from '../../src/scenario/secrets.js';
import { scenarioProblems } from '../helpers/scenarios.js';

const minimal = { name: 'x', target: { url: 'http://127.0.0.1:8080' } };

const problems = scenarioProblems;

describe('scenario defaults', () => {
  it('a minimal scenario gets every default', () => {
    const s = resolveScenario(minimal);
    expect(s.http).toMatchObject({ method: 'GET', path: '/', timeout: 10_000, body: null });
    expect(s.load).toMatchObject({
      mode: 'rate',
      start: 100,
      end: 20_000,
      growth: { factor: 1.5 },
      stepDuration: 5_000,
      warmup: 3_000,
      baselineWindows: 20,
      maxDuration: 600_000,
      maxInFlight: 1000,
    });
    expect(s.load.refine.resolution).toBe(0.05);
    expect(s.detect).toMatchObject({ window: 1_000, minRequests: 200, k: 3, confirm: 2 });
    expect(s.detect.p99.minRatio).toBe(2);
    expect(s.report.formats).toEqual(['json', 'csv', 'html', 'md']);
  });
  it('durations accept strings and ms numbers', () => {
    const s = resolveScenario({ ...minimal, load: { stepDuration: '7s', warmup: 1500, maxDuration: '15m' } });
    expect([s.load.stepDuration, s.load.warmup, s.load.maxDuration]).toEqual([7000, 1500, 900_000]);
  });
});

describe('scenario problems: every one, as <dot.path>: <what is wrong>, got <value>', () => {
  const cases: { name: string; data: unknown; want: string[] }[] = [
    { name: 'missing name and target', data: {}, want: ['name: expected string, got nothing', 'target: expected object, got nothing'] },
    {
      name: 'bad url',
      data: { name: 'x', target: { url: 'ftp://x' } },
      want: ['target.url: must be an http://, https://, grpc:// or grpcs:// URL, got "ftp://x"'],
    },
    { name: 'unknown field (typo)', data: { ...minimal, load: { strat: 100 } }, want: ['load.strat: unknown field, got 100'] },
    { name: 'wrong type', data: { ...minimal, load: { start: 'fast' } }, want: ['load.start: expected number, got "fast"'] },
    {
      name: 'bad duration',
      data: { ...minimal, load: { stepDuration: 'soon' } },
      want: ['load.stepDuration: not a duration (use e.g. 500ms, 5s, 1m30s, 1h or a number of ms), got "soon"'],
    },
    { name: 'growth factor <= 1', data: { ...minimal, load: { growth: { factor: 1 } } }, want: ['load.growth.factor: must be greater than 1, got 1'] },
    {
      name: 'growth of neither form',
      data: { ...minimal, load: { growth: { fctor: 2 } } },
      want: ['load.growth: must be { factor: <number above 1> } or { step: <positive number> }, got {"fctor":2}'],
    },
    { name: 'end below start', data: { ...minimal, load: { start: 500, end: 300 } }, want: ['load.end: must be at least load.start (500), got 300'] },
    { name: 'plan over maxDuration', data: { ...minimal, load: { start: 1000, end: 100000, maxDuration: '30s' } }, want: [] },
    {
      name: 'bad method',
      data: { ...minimal, http: { method: 'FETCH' } },
      want: ['http.method: must be one of "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", got "FETCH"'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = problems(c.data);
      if (c.want.length === 0) expect(got.length).toBeGreaterThan(0);
      for (const w of c.want) expect(got).toContain(w);
      for (const p of got) expect(p).toMatch(/^[^:]+: .+, got .+$/);
    });
  }
  it('all problems are reported at once', () => {
    const got = problems({ name: 'bad name!', target: { url: 'nope' }, load: { start: -1, stepDuration: 'x', bogus: 1 }, detect: { k: 0 } });
    expect(got.length).toBeGreaterThanOrEqual(5);
    expect(got.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['name', 'target.url', 'load.start', 'load.stepDuration', 'load.bogus', 'detect.k']),
    );
  });
  it('plan that exceeds maxDuration names the needed time', () => {
    expect(problems({ ...minimal, load: { start: 1000, end: 100000, maxDuration: '30s' } }).join('\n')).toMatch(
      /^load\.maxDuration: the plan needs at least .* got 30s$/m,
    );
  });
  it('missing environment variables are problems at run time only', () => {
    const data = { ...minimal, http: { headers: { Authorization: 'Bearer ${env:NOPE_TOKEN}' } } };
    expect(problems(data)).toEqual([]);
    expect(problems(data, { env: {} })).toEqual(['http.headers.Authorization: environment variable NOPE_TOKEN is not set, got "Bearer ${env:NOPE_TOKEN}"']);
  });
});

describe('overrides', () => {
  it('--target and --set apply before validation, values read as YAML', () => {
    const s = resolveScenario(minimal, { target: 'http://127.0.0.1:9999', sets: ['load.end=5000', 'load.growth={step: 250}', 'http.path=/x'] });
    expect(s.target.url).toBe('http://127.0.0.1:9999');
    expect(s.load.end).toBe(5000);
    expect(s.load.growth).toEqual({ step: 250 });
    expect(s.http.path).toBe('/x');
  });
  it('--set problems are reported like the rest', () => {
    expect(problems(minimal, { sets: ['load.start=abc', 'nonsense'] })).toEqual(
      expect.arrayContaining(['--set: expected dot.path=value, got "nonsense"', 'load.start: expected number, got "abc"']),
    );
  });
  it('refuses prototype paths', () => {
    expect(applySet({}, '__proto__.polluted=1')).toMatch(/invalid path/);
  });
});

describe('parsing hostile input', () => {
  it('YAML alias bombs are refused', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    expect(() => parseScenarioText(bomb, 'bomb.yaml')).toThrow(ScenarioError);
  });
  it('deep nesting is refused', () => {
    expect(() => parseScenarioText(`${'['.repeat(200)}${']'.repeat(200)}`, 'deep.json')).toThrow(/nested deeper/);
  });
  it('a list at the root is refused', () => {
    expect(() => parseScenarioText('- 1\n- 2\n', 'list.yaml')).toThrow(/must be a mapping/);
  });
  it('oversized files are refused before parsing', () => {
    expect(() => parseScenarioText(`name: ${'x'.repeat(2 * 1024 * 1024)}`, 'big.yaml')).toThrow(/larger than/);
  });
});

describe('redaction', () => {
  it('keeps ${env:...} references and masks literal secrets', () => {
    const s = resolveScenario({
      ...minimal,
      target: { url: 'http://user:pw@127.0.0.1:1' },
      http: { headers: { Authorization: 'Bearer abc', 'X-Token': '${env:T}', Accept: 'text/plain' } },
    });
    const r = redactScenario(s);
    expect(r.http.headers).toEqual({ Authorization: REDACTED, 'X-Token': '${env:T}', Accept: 'text/plain' });
    expect(r.target.url).not.toContain('pw');
    expect(JSON.stringify(r)).not.toContain('abc');
  });
});
