// The request source as pure functions: the seeded weighted pick, templates
// compiled once and filled per send, data files checked whole with line
// numbers, and the scenario rules for requests:/data:.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WeightedPicker, hash32 } from '../../src/requests/hash.js';
import { compileText, compileValue, jsonTemplate, parseText, type TextTemplate } from '../../src/requests/template.js';
import { fillText, fillValue, type FillContext } from '../../src/requests/fill.js';
import { loadDataFile } from '../../src/requests/data-file.js';
import { HttpRequestSource } from '../../src/requests/source.js';
import { httpSourceConfig, needsSource } from '../../src/requests/config.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/errors.js';
import { drive, scriptedScenario } from '../helpers/scripted-search.js';

const ctx = (i: number, row: FillContext['row'] = null, columns: string[] = []): FillContext => ({
  i,
  row,
  seed: 7,
  salt: 0,
  columns: new Map(columns.map((c, k) => [c, k])),
});

describe('WeightedPicker', () => {
  it('picks each request in proportion to its weight over many sends (within 1%)', () => {
    const weights = [9, 1, 5, 0.5];
    const total = weights.reduce((a, b) => a + b);
    const p = new WeightedPicker(weights, 1);
    const counts = [0, 0, 0, 0];
    const n = 200_000;
    for (let i = 0; i < n; i++) counts[p.pick(i)]!++;
    weights.forEach((w, k) => expect(Math.abs(counts[k]! / n - w / total)).toBeLessThan(0.01));
  });

  it('is a pure function of (seed, i): the same sequence twice, in any order; another seed gives another sequence', () => {
    const a = new WeightedPicker([1, 1, 1], 42);
    const b = new WeightedPicker([1, 1, 1], 42);
    const c = new WeightedPicker([1, 1, 1], 43);
    const forward = Array.from({ length: 1000 }, (_, i) => a.pick(i));
    const backward = Array.from({ length: 1000 }, (_, i) => b.pick(999 - i)).reverse();
    expect(backward).toEqual(forward);
    const other = Array.from({ length: 1000 }, (_, i) => c.pick(i));
    const same = other.filter((v, i) => v === forward[i]).length;
    expect(same).toBeLessThan(450); // ~1/3 agree by chance
  });

  it('one request is always index 0; hashes differ past 2^32', () => {
    expect(new WeightedPicker([3], 1).pick(123)).toBe(0);
    expect(hash32(1, 5, 0)).not.toBe(hash32(1, 5 + 2 ** 32, 0));
  });
});

describe('templates', () => {
  it('parses once into parts and slots; $${ is a literal; other ${...} text stays as written', () => {
    const t = compileText('/items/${data:id}?q=${int:1:3}&x=$${seq}&y=${Foo}', {}) as TextTemplate;
    expect(t.parts).toEqual(['/items/', '?q=', '&x=${seq}&y=${Foo}']);
    expect(t.slots.map((s) => s.k)).toEqual(['data', 'int']);
    expect(compileText('/plain', {})).toBe('/plain');
  });

  it('names what is wrong with a placeholder', () => {
    expect(parseText('${int:5:1}').problems[0]).toMatch(/MIN <= MAX/);
    expect(parseText('${string:0}').problems[0]).toMatch(/length from 1/);
    expect(parseText('${nope}').problems[0]).toMatch(/unknown placeholder/);
    expect(parseText('${data}').problems[0]).toMatch(/column name/);
  });

  it('fills every generator: seq, int in range, uuid v4 layout, string of n, pick from the list, data cells; the same i gives the same values', () => {
    const t = compileText('${seq}|${int:10:12}|${uuid}|${string:16}|${pick:a|b}|${data:k}', {}) as TextTemplate;
    const values = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const out = fillText(t, ctx(i, ['v' + i], ['k'])).split('|');
      expect(out[0]).toBe(String(i));
      expect(Number(out[1])).toBeGreaterThanOrEqual(10);
      expect(Number(out[1])).toBeLessThanOrEqual(12);
      expect(out[2]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(out[3]).toMatch(/^[A-Za-z0-9]{16}$/);
      expect(['a', 'b']).toContain(out[4]);
      expect(out[5]).toBe('v' + i);
      values.add(out[1]!);
      expect(fillText(t, ctx(i, ['v' + i], ['k']))).toBe(out.join('|'));
    }
    expect(values.size).toBe(3);
  });

  it('folds ${env:} in at compile time (a static string stays static)', () => {
    expect(compileText('Bearer ${env:TOKEN}', { TOKEN: 'abc' })).toBe('Bearer abc');
  });

  it('JSON bodies: a whole-value placeholder keeps its type, an embedded one is escaped inside its string; static parts are shared', () => {
    const v = compileValue({ id: '${seq}', name: 'n-${data:name}', fixed: { a: [1, 2] } }, {});
    const c = ctx(5, ['say "hi"'], ['name']);
    const json = fillText(jsonTemplate(v) as TextTemplate, c);
    expect(JSON.parse(json)).toEqual({ id: 5, name: 'n-say "hi"', fixed: { a: [1, 2] } });
    const filled = fillValue(v, c) as Record<string, unknown>;
    expect(filled).toEqual({ id: 5, name: 'n-say "hi"', fixed: { a: [1, 2] } });
    const again = fillValue(v, ctx(6, ['x'], ['name'])) as Record<string, unknown>;
    expect(again.fixed).toBe(filled.fixed);
  });
});

describe('data files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'critpoint-data-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('CSV: keeps the used columns with each row line; a short row is refused with its line', () => {
    const ok = loadDataFile({ file: file('a.csv', 'id,name,extra\n1,a,x\n2,b,y\n') }, ['name', 'id']);
    expect(ok).toMatchObject({
      ok: true,
      data: {
        columns: ['name', 'id'],
        rows: [
          ['a', '1'],
          ['b', '2'],
        ],
        lines: [2, 3],
      },
    });
    const bad = loadDataFile({ file: file('b.csv', 'id,name\n1,a\n2\n3,c\n') }, ['id']);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems).toEqual([expect.stringMatching(/^data\.file: line 3: has 1 fields, the header has 2, got \["2"\]$/)]);
    const missing = loadDataFile({ file: file('c.csv', 'id\n1\n') }, ['nope']);
    expect(!missing.ok && missing.problems[0]).toMatch(/^data\.file: no column "nope" in the CSV header \(columns: id\)/);
  });

  it('JSON Lines: typed values; a row without a used key or not an object is refused with its line', () => {
    const ok = loadDataFile({ file: file('a.jsonl', '{"id":1,"n":"x"}\n\n{"id":2,"n":"y"}\n') }, ['id']);
    expect(ok).toMatchObject({ ok: true, data: { rows: [[1], [2]], lines: [1, 3] } });
    const bad = loadDataFile({ file: file('b.jsonl', '{"id":1}\n{"x":2}\n[3]\n{oops\n') }, ['id']);
    expect(!bad.ok && bad.problems.map((p) => p.slice(0, 24))).toEqual(['data.file: line 2: no "i', 'data.file: line 3: must ', 'data.file: line 4: not v']);
  });
});

describe('scenario: requests and data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'critpoint-mix-'));
  const base = { name: 'mix', target: { url: 'http://127.0.0.1:9/api' }, load: { start: 100, end: 200, stepDuration: '5s' } };
  const problems = (data: unknown): string[] => {
    try {
      resolveScenario(data, { baseDir: dir });
      return [];
    } catch (err) {
      if (err instanceof ScenarioError) return err.problems;
      throw err;
    }
  };

  it('without requests:, data: or placeholders there is no source (the one prepared request, unchanged)', () => {
    const s = resolveScenario({ ...base, http: { headers: { authorization: '${env:T}' } } });
    expect(needsSource(s)).toBe(false);
    expect(httpSourceConfig(s, {})).toBeNull();
  });

  it('sends a ${env:} path filled but describes it as written: the preflight line never shows the value', () => {
    const s = resolveScenario({ ...base, http: { path: '/t/${env:TENANT}/${seq}' } });
    const src = new HttpRequestSource(httpSourceConfig(s, { TENANT: 'sekrit' })!);
    expect(src.options(0, 7).path).toBe('/api/t/sekrit/7');
    expect(src.describe(0)).toBe('GET /api/t/${env:TENANT}/${seq}');
  });

  it('entries inherit every field they leave out from http:, and the source builds each once when static', () => {
    const s = resolveScenario({
      ...base,
      http: { method: 'POST', path: '/default', headers: { 'x-a': '1' }, body: { k: 1 } },
      requests: [
        { name: 'hot', weight: 9, path: '/hot' },
        { name: 'cold', method: 'GET', path: '/cold/${seq}', body: null },
      ],
    });
    const cfg = httpSourceConfig(s, {})!;
    const src = new HttpRequestSource(cfg);
    const hot = src.options(0, 1);
    expect(hot).toMatchObject({
      origin: 'http://127.0.0.1:9',
      method: 'POST',
      path: '/api/hot',
      body: '{"k":1}',
      headers: { 'x-a': '1', 'content-type': 'application/json' },
    });
    expect(src.options(0, 2)).toBe(hot);
    expect(src.options(1, 17)).toMatchObject({ method: 'GET', path: '/api/cold/17', body: undefined });
  });

  it('refuses duplicate names, non-positive weights, a bad method, gRPC fields on HTTP, bad placeholders and ${data:} without data, each at its dot path', () => {
    expect(problems({ ...base, requests: [{ name: 'a', weight: 0 }] })).toEqual(['requests.0.weight: must be greater than 0, got 0']);
    // The body check is the run's (http.check, sampled over all sends): an entry's own would be dropped silently.
    expect(problems({ ...base, requests: [{ name: 'a', check: { contains: 'ok' } }] })).toEqual(['requests.0.check: unknown field, got {"contains":"ok"}']);
    const out = problems({
      ...base,
      requests: [{ name: 'a' }, { name: 'a', method: 'FETCH', request: { x: 1 } }, { name: 'b', path: '/x/${int:9:1}' }, { name: 'c', path: '/${data:id}' }],
    });
    expect(out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^requests\.1\.name: must be unique \(requests\.0\.name has it too\), got "a"$/),
        expect.stringMatching(/^requests\.1\.method: must be one of GET, .*got "FETCH"$/),
        expect.stringMatching(/^requests\.1\.request: applies to gRPC targets only, got/),
        expect.stringMatching(/^requests\.2\.path: \$\{int:MIN:MAX\} needs safe integers with MIN <= MAX, got/),
        expect.stringMatching(/^requests\.3\.path: \$\{data:\.\.\.\} needs a data: section/),
      ]),
    );
  });

  it('a data row that makes an unsendable path is refused with its line; data paths are relative to the scenario folder', () => {
    writeFileSync(join(dir, 'rows.csv'), 'id\n1\n2\nhas space\n4\n');
    const out = problems({ ...base, http: { path: '/items/${data:id}' }, data: { file: 'rows.csv' } });
    expect(out).toEqual([
      expect.stringMatching(/^data\.file: line 4: http\.path would be "\/api\/items\/has space"|^data\.file: line 4: http\.path would be "\/items\/has space"/),
    ]);
  });

  it('a mix runs on the closed loop too (autocannon, any number of worker threads)', () => {
    expect(problems({ ...base, load: { mode: 'concurrency', start: 1, end: 4 }, requests: [{ name: 'a' }, { name: 'b', path: '/b/${seq}' }] })).toEqual([]);
    expect(problems({ ...base, load: { mode: 'concurrency', start: 1, end: 4, workers: 2 }, requests: [{ name: 'a' }] })).toEqual([]);
  });

  it('data.onEnd stop: the source allows one send per row', () => {
    writeFileSync(join(dir, 'three.jsonl'), '{"id":1}\n{"id":2}\n{"id":3}\n');
    const s = resolveScenario({ ...base, http: { path: '/${data:id}' }, data: { file: 'three.jsonl', onEnd: 'stop' } }, { baseDir: dir });
    const src = new HttpRequestSource(httpSourceConfig(s, {})!);
    expect(src.sendLimit).toBe(3);
    expect([0, 1, 2, 3].map((i) => src.options(0, i).path)).toEqual(['/api/1', '/api/2', '/api/3', '/api/1']);
  });
});

describe('data.onEnd stop in the search (scripted engine)', () => {
  it('the rows bound the budget; used up, the run ends completed saying so', () => {
    const t = drive(scriptedScenario(), () => ({}), { sendLimit: 8000 });
    expect(t.proposals[0]!.step.maxRequests).toBe(8000);
    expect(t.proposals[1]!.step.maxRequests).toBe(8000 - 4000);
    expect(t.stop.reason).toBe('completed');
    expect(t.stop.detail).toMatch(/^every row of data\.file was used \(data\.onEnd stop: 8000 rows, one per request\) before the ramp ended/);
  });
  it('more rows than the ramp needs: the ramp ends as usual', () => {
    const t = drive(scriptedScenario(), () => ({}), { sendLimit: 1_000_000 });
    expect(t.stop.reason).toBe('completed');
    expect(t.stop.detail).toMatch(/^no breach up to load\.end/);
  });
});
