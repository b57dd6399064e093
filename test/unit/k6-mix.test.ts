// The request mix in k6: the generated script picks each iteration's request
// with the same seeded rule as src/requests (evaluated here in Node against
// WeightedPicker), tags it with its name, and the step assembler turns those
// tags back into byRequest, as `analyze` shows on a recorded k6 output.
import { describe, expect, it } from 'vitest';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { ScenarioError } from '../../src/errors.js';
import { WeightedPicker } from '../../src/requests/hash.js';
import { scenarioK6Plan } from '../../src/k6/export/k6-plan.js';
import { k6RequestFromScenario } from '../../src/k6/export/k6-request.js';
import { k6Refusals } from '../../src/k6/export/k6-limits.js';
import { renderK6Script } from '../../src/k6/export/k6-script.js';
import { analyzeK6 } from '../../src/k6/analyze/analyze.js';
import { K6LineWriter } from '../helpers/k6-format.js';
import { loadScript } from '../helpers/k6-script-sandbox.js';

const mixScenario = (over: Record<string, unknown> = {}): Scenario =>
  resolveScenario({
    name: 'k6-mix',
    target: { url: 'http://127.0.0.1:9/api' },
    http: { headers: { accept: 'application/json' }, okStatus: [200] },
    requests: [
      { name: 'fast', weight: 9, path: '/fast' },
      { name: 'slow', weight: 1, method: 'POST', path: '/slow', body: { kind: 'slow' }, okStatus: [200, 202] },
    ],
    load: { start: 100, end: 400, growth: { factor: 1.5 }, stepDuration: '3s', warmup: '1s', baselineWindows: 5, drain: '500ms', seed: 11 },
    detect: { window: '1s', minRequests: 50 },
    report: { dir: '/nonexistent' },
    ...over,
  });

function scriptOf(s: Scenario, iterationBase?: number): string {
  const req = k6RequestFromScenario(s);
  expect(req.problems).toEqual([]);
  return renderK6Script({
    plan: scenarioK6Plan(s),
    request: req.request,
    maxVUs: 100,
    preAllocatedVUs: 20,
    gracefulStopMs: 5_000,
    abortErrorRate: 0,
    ...(iterationBase !== undefined ? { iterationBase } : {}),
    header: ['test'],
  });
}

describe('the k6 script of a request mix', () => {
  it('parses, lists every request with its weight, and tags each iteration with the name pick(i) chose', () => {
    const s = mixScenario();
    const src = scriptOf(s);
    expect(src).toContain('"fast"');
    expect(src).toContain('fast weight 9, slow weight 1');
    expect(src).toContain('critpoint_request: "slow"');
    const box = loadScript(src, {});
    const picker = new WeightedPicker([9, 1], 11);
    const names = ['fast', 'slow'];
    const seen = { fast: 0, slow: 0 };
    for (let i = 0; i < 400; i++) {
      const sent = box.iterate(1500);
      const name = names[picker.pick(i)]!;
      expect(sent.params.tags.critpoint_request).toBe(name);
      expect(sent.url).toBe(`http://127.0.0.1:9/api/${name}`);
      expect(sent.method).toBe(name === 'slow' ? 'POST' : 'GET');
      expect(sent.params.tags.critpoint_step).toBe('0');
      seen[name as 'fast' | 'slow']++;
    }
    expect(seen.slow).toBeGreaterThan(15);
    expect(seen.fast).toBeGreaterThan(300);
  });

  it("the script's pick(i) is WeightedPicker's for the same seed and weights, past 2^32 too", () => {
    for (const [seed, weights] of [
      [11, [9, 1]],
      [1, [1, 1, 1]],
      [987654, [0.5, 3, 2, 7, 1]],
    ] as const) {
      const s = mixScenario({
        requests: weights.map((w, k) => ({ name: `r${k}`, weight: w, path: `/r${k}` })),
        load: { start: 100, end: 400, stepDuration: '3s', seed },
      });
      const pick = loadScript(scriptOf(s), {}).pick!;
      const p = new WeightedPicker(weights, seed);
      for (const i of [...Array.from({ length: 3000 }, (_, k) => k), 2 ** 32 - 1, 2 ** 32 + 5, 2 ** 40 + 3])
        expect(pick(i), `seed ${seed} i ${i}`).toBe(p.pick(i));
    }
  });

  it("a per-request okStatus becomes that request's responseCallback; the body is JSON with its content type", () => {
    const box = loadScript(scriptOf(mixScenario()), {});
    const picker = new WeightedPicker([9, 1], 11);
    let i = 0;
    while (picker.pick(i) !== 1) {
      box.iterate(1500);
      i++;
    }
    const slow = box.iterate(1500) as unknown as { body: string; params: { headers: Record<string, string>; responseCallback?: unknown } };
    expect(JSON.parse(slow.body)).toEqual({ kind: 'slow' });
    expect(slow.params.headers['content-type']).toBe('application/json');
    expect(slow.params.responseCallback).toEqual({ expected: [200, 202] });
  });

  it('the k6 engine numbers sends across its per-step scripts: iterationBase shifts the first pick', () => {
    const box = loadScript(scriptOf(mixScenario(), 1000), {});
    const picker = new WeightedPicker([9, 1], 11);
    for (let k = 0; k < 50; k++) expect(box.iterate(1500).params.tags.critpoint_request).toBe(['fast', 'slow'][picker.pick(1000 + k)]);
  });

  it('data files and placeholders are refused by name (k6 does not carry them yet)', () => {
    const withPlaceholder = mixScenario({ requests: [{ name: 'a', path: '/a/${seq}' }, { name: 'b' }] });
    expect(k6Refusals(withPlaceholder)).toEqual([
      expect.stringMatching(/^requests\.0\.path: k6 .* placeholders other than \$\{env:\} yet, got "\/a\/\$\{seq\}"$/),
    ]);
    const err = (() => {
      try {
        mixScenario({ load: { engine: 'k6', start: 100, end: 400, stepDuration: '3s' }, requests: [{ name: 'a', path: '/x/${uuid}' }] });
      } catch (e) {
        return e;
      }
    })() as ScenarioError;
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err.problems).toEqual([expect.stringMatching(/^requests\.0\.path: k6 \(load\.engine k6 and export k6\) does not fill placeholders/)]);
  });
});

describe('byRequest from k6 output (analyze)', () => {
  it('each request is tallied under its critpoint_request tag, next to unchanged totals, judged by its own okStatus', async () => {
    const s = mixScenario();
    const plan = scenarioK6Plan(s);
    const dir = await mkdtemp(join(tmpdir(), 'k6-mix-'));
    const path = join(dir, 'run.json');
    const out = createWriteStream(path);
    const w = new K6LineWriter();
    const picker = new WeightedPicker([9, 1], 11);
    const t0 = Date.UTC(2026, 11, 5, 23, 0, 0);
    const written = new Map<number, { fast: number; slow: number; fastErrors: number }>();
    let n = 0;
    for (const st of plan.steps) {
      const count = Math.floor((st.load * (st.endMs - st.startMs)) / 1000);
      const tally = { fast: 0, slow: 0, fastErrors: 0 };
      for (let k = 0; k < count; k++, n++) {
        const slow = picker.pick(n) === 1;
        const d = slow ? 20 + (k % 5) : 3 + (k % 3) * 0.5;
        // slow answers 202 (its okStatus allows it); one fast request in 50 fails with 500.
        const status = slow ? 202 : k % 50 === 7 ? 500 : 200;
        if (slow) tally.slow++;
        else tally.fast++;
        if (!slow && status === 500) tally.fastErrors++;
        const tIn = ((k + 1) * 1000) / st.load;
        out.write(
          w.request({
            endMs: t0 + st.startMs + tIn + d,
            durationMs: d,
            status,
            step: st.index,
            load: st.load,
            tags: { critpoint_request: slow ? 'slow' : 'fast' },
          }),
        );
      }
      written.set(st.index, tally);
    }
    out.end();
    await once(out, 'finish');

    const { result } = await analyzeK6([path], s, { dryWrite: true });
    expect(result.steps.length).toBeGreaterThan(1);
    for (const r of result.steps) {
      const st = r.stats;
      const want = written.get(r.index)!;
      const by = st.byRequest!;
      expect(Object.keys(by)).toEqual(['fast', 'slow']);
      // Measured windows only (warm-up excluded), as every engine's step figures.
      expect(by.fast!.count + by.slow!.count).toBe(st.completed);
      expect(by.fast!.errorTotal + by.slow!.errorTotal).toBe(st.errorTotal);
      expect(by.slow!.errorTotal).toBe(0);
      expect(by.fast!.errors['http-5xx'] ?? 0).toBe(st.errors['http-5xx'] ?? 0);
      expect(by.slow!.p99).toBeGreaterThan(19);
      expect(by.fast!.p99).toBeLessThan(5);
      expect(by.slow!.count).toBeLessThanOrEqual(want.slow);
      expect(by.fast!.count).toBeLessThanOrEqual(want.fast);
    }
    const measured = result.windows.filter((x) => !x.warmup);
    expect(measured.every((x) => x.byRequest && x.byRequest.fast!.count + x.byRequest.slow!.count === x.completed)).toBe(true);
    // Over the whole file (warm-up windows included) every written request is counted under its name.
    const total = result.windows.reduce((a, x) => ({ fast: a.fast + x.byRequest!.fast!.count, slow: a.slow + x.byRequest!.slow!.count }), { fast: 0, slow: 0 });
    const want = [...written.values()].reduce((a, x) => ({ fast: a.fast + x.fast, slow: a.slow + x.slow }), { fast: 0, slow: 0 });
    expect(total).toEqual(want);
  });
});
