import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { k6Plan, plannedSteps, scenarioK6Plan } from '../../src/k6/export/k6-plan.js';
import { k6RequestFromScenario } from '../../src/k6/export/k6-request.js';
import { renderK6Script } from '../../src/k6/export/k6-script.js';
import { exportK6 } from '../../src/k6/export/export-k6.js';
import { EXIT, ScenarioError } from '../../src/errors.js';
import { runCli } from '../../src/cli/program.js';
import { k6EngineConfig } from '../../src/engines/k6/k6-config.js';
import { rampLoads } from '../../src/load/ramp-plan.js';
import { loadScript } from '../helpers/k6-script-sandbox.js';

const scenario = (over: Record<string, unknown> = {}): Scenario =>
  resolveScenario({
    name: 'orders.api_v2',
    target: { url: 'http://127.0.0.1:8080/api' },
    http: {
      method: 'POST',
      path: '/orders',
      headers: { Authorization: 'Bearer ${env:API_TOKEN}', 'X-Api-Key': 'sk-live-123456', 'X-Trace': 'k6-${env:RUN_ID}-x' },
      body: { item: 42 },
    },
    load: { start: 200, end: 700, growth: { factor: 1.5 }, stepDuration: '4s', warmup: '2s', baselineWindows: 5, drain: '500ms' },
    ...over,
  });

const ENV = { API_TOKEN: 'tok-abc', RUN_ID: '77', CRITPOINT_HEADER_X_API_KEY: 'key-from-env' };

function scriptOf(s: Scenario, abortErrorRate = 0) {
  const plan = scenarioK6Plan(s);
  const req = k6RequestFromScenario(s);
  return {
    plan,
    req,
    src: renderK6Script({ plan, request: req.request, maxVUs: 100, preAllocatedVUs: 20, gracefulStopMs: 5000, abortErrorRate, header: ['test'] }),
  };
}

describe('k6 plan', () => {
  it('mirrors the runner plan: baseline with warm-up, coarse ramp, drains as rate-0 holds', () => {
    const s = scenario();
    const plan = scenarioK6Plan(s);
    const ramp = rampLoads(200, 700, { factor: 1.5 });
    expect(plan.steps.map((st) => st.load)).toEqual([200, ...ramp]);
    expect(plan.steps[0]).toMatchObject({ phase: 'baseline', warmupMs: 2000, durationMs: 5000, startMs: 0, endMs: 7000 });
    expect(plan.steps[1]).toMatchObject({ phase: 'ramp', startMs: 7500, endMs: 11_500 });
    expect(plan.stages.slice(0, 5)).toEqual([
      { target: 200, duration: '7s' },
      { target: 0, duration: '0s' },
      { target: 0, duration: '500ms' },
      { target: ramp[0], duration: '0s' },
      { target: ramp[0], duration: '4s' },
    ]);
    expect(plan.timeUnit).toBe('1s');
    expect(plan.totalMs).toBe(plan.steps[plan.steps.length - 1]!.endMs);
  });

  it('uses per-minute rates when a load is fractional (k6 rates are integers per timeUnit)', () => {
    const plan = k6Plan([{ index: 0, phase: 'baseline', load: 12.5, unit: 'req/s', durationMs: 10_000, warmupMs: 0 }], 0);
    expect(plan.timeUnit).toBe('1m');
    expect(plan.startRate).toBe(750);
  });

  it('plans the same steps as the scenario summary', () => {
    const s = scenario();
    expect(plannedSteps(s).length).toBe(1 + rampLoads(s.load.start, s.load.end, s.load.growth).length);
  });
});

describe('exported script', () => {
  it('never inlines a secret: env references and literal sensitive headers read __ENV', () => {
    const { src, req } = scriptOf(scenario());
    expect(src).not.toContain('sk-live-123456');
    expect(src).not.toContain('tok-abc');
    expect(src).toContain('"Authorization": "Bearer " + env("API_TOKEN")');
    expect(src).toContain('"X-Trace": "k6-" + env("RUN_ID") + "-x"');
    expect(src).toContain('"X-Api-Key": env("CRITPOINT_HEADER_X_API_KEY")');
    expect(req.envNames).toEqual(['API_TOKEN', 'CRITPOINT_HEADER_X_API_KEY', 'RUN_ID']);
    expect(req.warnings.join('\n')).toContain('http.headers.X-Api-Key: a literal secret is not written into the script');
  });

  it('reads ${env:} in a path or a body through env() too: the script sends the value, never the reference or the secret', () => {
    const http = { method: 'POST', path: '/orders/${env:TENANT}', headers: {}, body: { key: '${env:API_TOKEN}' } };
    const single = scriptOf(scenario({ http }));
    const mix = scriptOf(
      scenario({
        http,
        requests: [
          { name: 'a', weight: 1 },
          { name: 'b', weight: 1, path: '/b/${env:TENANT}' },
        ],
      }),
    );
    for (const { src, req } of [single, mix]) {
      expect(src).not.toContain('${env:');
      expect(src).not.toContain('tok-abc');
      expect(req.envNames).toEqual(expect.arrayContaining(['API_TOKEN', 'TENANT']));
    }
    const env = { ...ENV, TENANT: 't-9' };
    const one = loadScript(single.src, env).iterate(1);
    expect(one.url).toBe('http://127.0.0.1:8080/api/orders/t-9');
    expect(JSON.parse(one.body as string)).toEqual({ key: 'tok-abc' });
    const box = loadScript(mix.src, env);
    const urls = new Set(Array.from({ length: 40 }, (_, i) => box.iterate(i * 10).url));
    expect(urls).toEqual(new Set(['http://127.0.0.1:8080/api/orders/t-9', 'http://127.0.0.1:8080/api/b/t-9']));
  });

  it('is valid JavaScript (node --check on the module)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k6-script-'));
    const file = join(dir, 'script.mjs');
    await writeFile(file, scriptOf(scenario(), 0.1).src);
    expect(() => execFileSync(process.execPath, ['--check', file], { stdio: 'pipe' })).not.toThrow();
  });

  it('tags each iteration with the step it runs in; a drain belongs to the step before', () => {
    const s = scenario();
    const { src, plan } = scriptOf(s);
    const box = loadScript(src, ENV);
    for (const st of plan.steps) {
      for (const t of [st.startMs + 1, (st.startMs + st.endMs) / 2, st.endMs - 1]) {
        expect(box.iterate(t).params.tags).toEqual({ critpoint_step: String(st.index), critpoint_load: String(st.load) });
      }
      expect(box.iterate(st.endMs + plan.drainMs / 2).params.tags.critpoint_step).toBe(String(st.index));
    }
    const r = box.iterate(10);
    expect(r).toMatchObject({ method: 'POST', url: 'http://127.0.0.1:8080/api/orders', body: '{"item":42}' });
    expect(r.params.headers).toEqual({
      Authorization: 'Bearer tok-abc',
      'X-Api-Key': 'key-from-env',
      'X-Trace': 'k6-77-x',
      'content-type': 'application/json',
    });
    expect(r.params.timeout).toBe('10s');
  });

  it('configures ramping-arrival-rate with the plan, and CRITPOINT_TARGET overrides the target', () => {
    const { src, plan } = scriptOf(scenario());
    const box = loadScript(src, { ...ENV, CRITPOINT_TARGET: 'http://10.0.0.5:9000' });
    const sc = (box.options.scenarios as Record<string, Record<string, unknown>>).critpoint!;
    expect(sc).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 200, timeUnit: '1s', maxVUs: 100, preAllocatedVUs: 20 });
    expect(sc.stages).toEqual(plan.stages);
    expect(box.iterate(5).url).toBe('http://10.0.0.5:9000/orders');
    expect(box.options.thresholds).toBeUndefined();
  });

  it('a safety threshold aborts on the failure rate when asked (exit 99)', () => {
    const box = loadScript(scriptOf(scenario(), 0.2).src, ENV);
    expect(box.options.thresholds).toEqual({ http_req_failed: [{ threshold: 'rate<0.2', abortOnFail: true, delayAbortEval: '10s' }] });
  });

  it('fails at init with a clear message when a variable is missing', () => {
    expect(() => loadScript(scriptOf(scenario()).src, { API_TOKEN: 'x' })).toThrow(/environment variable CRITPOINT_HEADER_X_API_KEY is not set/);
  });

  it('renders a gRPC scenario (the grpc section of the gRPC engine) as k6/net/grpc calls', () => {
    const base = scenario({ http: undefined });
    const s = {
      ...base,
      target: { url: 'grpc://127.0.0.1:50051' },
      grpc: {
        proto: 'work.proto',
        includeDirs: [],
        service: 'loadtarget.Work',
        method: 'Do',
        request: { n: 1 },
        metadata: { authorization: 'Bearer ${env:API_TOKEN}' },
        deadline: 2000,
      },
    } as unknown as Scenario;
    const { src, req } = scriptOf(s);
    expect(req.problems).toEqual([]);
    expect(src).toContain("import grpc from 'k6/net/grpc';");
    const box = loadScript(src, ENV);
    const r = box.iterate(3);
    expect(r).toMatchObject({ method: 'grpc', url: 'loadtarget.Work/Do', body: { n: 1 } });
    expect(r.params).toMatchObject({ metadata: { authorization: 'Bearer tok-abc' }, timeout: '2s', tags: { critpoint_step: '0', critpoint_load: '200' } });
    expect(box.grpcConnect).toEqual(['127.0.0.1:50051', { plaintext: true }]);
    expect(box.grpcLoad).toEqual([[], 'work.proto']);
  });
});

describe('export k6 command body', () => {
  it('writes the script, the TestRun manifest and a how-to; secrets come from a Secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k6-export-'));
    const res = await exportK6(scenario(), {
      outDir: dir,
      parallelism: 4,
      outputs: ['json', 'prometheus'],
      prometheusUrl: 'http://prom:9090/api/v1/write',
      abortErrorRate: 0.1,
      scenarioFile: 'orders.yaml',
    });
    expect((await readdir(dir)).sort()).toEqual(['HOWTO.md', 'script.js', 'testrun.yaml']);
    expect(res.files).toEqual(['script.js', 'testrun.yaml', 'HOWTO.md']);
    const manifest = await readFile(join(dir, 'testrun.yaml'), 'utf8');
    expect(manifest).not.toContain('sk-live-123456');
    type Doc = { spec: { arguments: string; runner: { env: { name: string; value?: string; valueFrom?: unknown }[] } } };
    const [testRun, pvc] = parseAllDocuments(manifest).map((d) => d.toJS() as Doc);
    expect(testRun).toMatchObject({
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      metadata: { name: 'orders-api-v2' },
      spec: { parallelism: 4, script: { configMap: { name: 'orders-api-v2-script', file: 'script.js' } } },
    });
    const args: string = testRun!.spec.arguments;
    expect(args).toContain('--no-usage-report');
    expect(args).toContain('--out json=/results/$(POD_NAME).json.gz');
    expect(args).toContain('--out experimental-prometheus-rw');
    const env = testRun!.spec.runner.env;
    expect(env.find((e) => e.name === 'API_TOKEN')?.valueFrom).toEqual({ secretKeyRef: { name: 'orders-api-v2-secrets', key: 'API_TOKEN' } });
    expect(env.find((e) => e.name === 'K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM')?.value).toBe('true');
    expect(env.find((e) => e.name === 'POD_NAME')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(pvc).toMatchObject({ kind: 'PersistentVolumeClaim', spec: { accessModes: ['ReadWriteMany'] } });
    const how = await readFile(join(dir, 'HOWTO.md'), 'utf8');
    expect(how).toContain('kubectl create configmap orders-api-v2-script --from-file=script.js');
    expect(how).toContain('--from-literal=API_TOKEN="$API_TOKEN"');
    expect(how).toContain('critpoint analyze ./results-k6/*.json.gz --scenario orders.yaml');
  });

  it('reports every problem at once and writes nothing', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'k6-export-bad-')), 'out');
    const s = scenario({ target: { url: 'http://user:pw@127.0.0.1:8080' } });
    const err = await exportK6(s, { outDir: dir, parallelism: 0, outputs: [], prometheusUrl: '', abortErrorRate: 1.5, scenarioFile: 'x.yaml' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ScenarioError);
    const problems = (err as ScenarioError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe('--parallelism: must be a whole number from 1 to 1000, got 0');
    expect(problems[3]).toMatch(
      /^target\.url: credentials in the URL would be written into the k6 script.*got "http:\/\/user:\[redacted\]@127\.0\.0\.1:8080\/"$/,
    );
    await expect(readdir(dir)).rejects.toThrow();
  });
});

describe('export k6 refuses what the k6 engine refuses, in the same words', () => {
  async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runCli(argv, { stdout: (x) => void (out += x), stderr: (x) => void (err += x), env: {} });
    return { code, out, err };
  }
  it.each([
    [
      'load.mode concurrency',
      'load: { mode: concurrency, end: 16 }',
      'load.mode: k6 (load.engine k6 and export k6) runs rate steps only (ramping-arrival-rate); concurrency steps run on the http-closed or grpc engine, got "concurrency"',
    ],
    [
      'load.pacing spin',
      'load: { end: 1000, pacing: spin }',
      'load.pacing: k6 paces its own iterations (ramping-arrival-rate); spin applies to the http-open and grpc engines, got "spin"',
    ],
  ])('%s: export k6 and run --engine k6 print one identical problem, exit 2, write nothing', async (_name, load, problem) => {
    const dir = await mkdtemp(join(tmpdir(), 'k6-refuse-'));
    const file = join(dir, 's.yaml');
    await writeFile(file, `name: s\ntarget: { url: http://127.0.0.1:9 }\n${load}\n`);
    const exported = await cli(['export', 'k6', file, '--out', join(dir, 'out')]);
    const run = await cli(['run', file, '--engine', 'k6', '--dry-run']);
    expect(exported.code).toBe(EXIT.invalid);
    expect(run.code).toBe(EXIT.invalid);
    expect(exported.err).toBe(`error: export k6: ${problem}\n`);
    expect(run.err).toBe(`error: ${file}: ${problem}\n`);
    expect(exported.out).toBe('');
    await expect(readdir(join(dir, 'out'))).rejects.toThrow();
    // The engine's own config refuses it too (a scenario built without the rules' engine field).
    const s = resolveScenario({
      name: 's',
      target: { url: 'http://127.0.0.1:9' },
      load: /concurrency/.test(load) ? { mode: 'concurrency', end: 16 } : { end: 1000, pacing: 'spin' },
    });
    expect(() => k6EngineConfig(s, { K6_BINARY: process.execPath })).toThrow(problem);
  });
});
