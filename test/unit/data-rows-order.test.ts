// Issue 17's 100,000-row data file, without load: a real JSON Lines file of
// 100,000 rows read through the scenario (resolveScenario checks every row),
// then the request source that the engine and the load threads send from:
// send i carries row i in its path and body, every row once, in order, and
// data.onEnd stop allows exactly one send per row. A bad row at line 54,321
// is refused with its line number. That the fixture receives these requests
// in this order over real sockets is test/integration/request-mix.test.ts
// (a smaller file: the order does not depend on the row count).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequestSource } from '../../src/requests/source.js';
import { httpSourceConfig } from '../../src/requests/config.js';
import { resolveScenario } from '../../src/scenario/load.js';
import { ScenarioError } from '../../src/errors.js';

const ROWS = 100_000;

describe('a 100,000-row JSON Lines file through the scenario and the request source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'critpoint-rows-'));
  const lines = Array.from({ length: ROWS }, (_, k) => `{"id":${k}}`);
  const input = (file: string) => ({
    name: 'rows',
    target: { url: 'http://127.0.0.1:9' },
    http: { method: 'POST', path: '/rows/${data:id}', body: { id: '${data:id}', seq: '${seq}' } },
    data: { file, onEnd: 'stop' },
    load: { start: 4000, end: 4025, growth: { step: 5 }, stepDuration: '5s' },
  });

  it('send i carries row i in its path and body: every row once, in order; onEnd stop allows one send per row', () => {
    const good = join(dir, 'rows.jsonl');
    writeFileSync(good, `${lines.join('\n')}\n`);
    const src = new HttpRequestSource(httpSourceConfig(resolveScenario(input(good)), {})!);
    expect(src.sendLimit).toBe(ROWS);
    let wrong = 0;
    let first = '';
    for (let i = 0; i < ROWS; i++) {
      const o = src.options(0, i);
      const body = JSON.parse(o.body as string) as { id: number; seq: number };
      if (o.path !== `/rows/${i}` || body.id !== i || body.seq !== i) {
        wrong++;
        first ||= `send ${i}: ${o.path} ${o.body as string}`;
      }
    }
    expect(wrong, first).toBe(0);
    // Past the last row the source wraps (the runner stops at sendLimit before that: the scripted search in requests-source.test.ts).
    expect(src.options(0, ROWS).path).toBe('/rows/0');
  });

  it('a bad row at line 54,321 is one problem with its line number', () => {
    const badLines = [...lines];
    badLines[54_320] = '{"key":54320}';
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${badLines.join('\n')}\n`);
    let problems: string[] = [];
    try {
      resolveScenario(input(bad));
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      problems = err.problems;
    }
    expect(problems).toEqual([expect.stringMatching(/^data\.file: line 54321: no "id" \(used by the requests\), got \{"key":54320\}$/)]);
  });
});
