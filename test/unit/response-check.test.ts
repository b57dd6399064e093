import { describe, expect, it } from 'vitest';
import { BodyBuffer, CHECK_BODY_LIMIT, CheckSampler, checkBody } from '../../src/engines/response-check.js';
import { loadScenarioFile, resolveScenario } from '../../src/scenario/load.js';
import { httpOpenConfig } from '../../src/engines/http-open/http-open-config.js';
import { ScenarioError } from '../../src/errors.js';

describe('response checks (http.check)', () => {
  it('contains: passes when the body holds the text, says why otherwise', () => {
    expect(checkBody({ every: 1, contains: '"ok"' }, '{"status":"ok"}')).toBeNull();
    expect(checkBody({ every: 1, contains: 'ok' }, 'error')).toBe('body does not contain "ok"');
  });

  it('json + equals: the field at the dot path equals the value, deeply', () => {
    const body = JSON.stringify({ data: { status: 'ok', items: [{ id: 7, tags: ['a'] }] } });
    expect(checkBody({ every: 1, json: 'data.status', equals: 'ok' }, body)).toBeNull();
    expect(checkBody({ every: 1, json: 'data.items.0.id', equals: 7 }, body)).toBeNull();
    expect(checkBody({ every: 1, json: 'data.items.0', equals: { id: 7, tags: ['a'] } }, body)).toBeNull();
    expect(checkBody({ every: 1, json: 'data.items.0.id', equals: '7' }, body)).toBe('field data.items.0.id is 7, expected "7"');
    expect(checkBody({ every: 1, json: 'data.missing', equals: 1 }, body)).toBe('field data.missing is missing');
    expect(checkBody({ every: 1, json: 'a', equals: 1 }, '<html>')).toMatch(/^body is not JSON/);
  });

  it('samples the first send, then one in `every`', () => {
    const s = new CheckSampler(4);
    expect(Array.from({ length: 9 }, () => s.next())).toEqual([true, false, false, false, true, false, false, false, true]);
    const all = new CheckSampler(1);
    expect([all.next(), all.next()]).toEqual([true, true]);
  });

  it('keeps at most CHECK_BODY_LIMIT bytes of a sampled body', () => {
    const b = new BodyBuffer();
    b.add(Buffer.from('ab'));
    b.add(Buffer.alloc(CHECK_BODY_LIMIT, 'x'));
    b.add(Buffer.from('zz'));
    const t = b.text();
    expect(t.length).toBe(CHECK_BODY_LIMIT);
    expect(t.startsWith('abx')).toBe(true);
  });

  it('scenario rules: what to check, and where it can run', () => {
    const problems = (http: Record<string, unknown>, more: Record<string, unknown> = {}) => {
      try {
        resolveScenario({ name: 'x', target: { url: 'http://127.0.0.1:1' }, http, ...more });
        return [];
      } catch (err) {
        if (err instanceof ScenarioError) return err.problems;
        throw err;
      }
    };
    expect(problems({ check: { contains: 'ok' } })).toEqual([]);
    expect(resolveScenario({ name: 'x', target: { url: 'http://127.0.0.1:1' }, http: { check: { json: 'a', equals: null } } }).http.check?.every).toBe(100);
    expect(problems({ check: { every: 10 } })).toEqual([
      'http.check: needs contains (a text the body holds) or json with equals (a field\'s value), got {"every":10}',
    ]);
    expect(problems({ check: { json: 'a.b' } })).toEqual(['http.check.equals: the value http.check.json (a.b) must hold is missing, got nothing']);
    expect(problems({ check: { contains: 'ok' } }, { load: { mode: 'concurrency', start: 2, end: 8 } })).toEqual([
      'http.check: runs on the open-loop HTTP engine (load.mode rate, an http(s) target), got engine http-closed',
    ]);
  });
});

describe('scenarios/response-check.yaml', () => {
  it('validates and gives the open-loop engine its check', async () => {
    const s = await loadScenarioFile('scenarios/response-check.yaml');
    expect(httpOpenConfig(s, {}).check).toEqual({ every: 50, json: 'data.status', equals: 'shipped' });
    expect(httpOpenConfig(s, {}).okStatus).toEqual([200, 304]);
  });
});
