// The k6 path end to end without a k6 binary: a real open-loop run of an
// exported plan against the Go target (8 workers x 10 ms = 800 req/s) is
// recorded in k6's JSON line shapes; `analyze` reads it whole and split in
// two runner files; then the k6 engine runs the scenario with a stand-in
// binary that replays the recording at real speed (test/fixtures/k6-replay),
// so the live streaming, windowing, detection and REST stop are exercised on
// the same code. Run under the load lock, one file at a time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goTargetAvailable, startGoTarget, type GoTarget } from '../helpers/go-target.js';
import { recordK6Run, type Recording } from '../helpers/k6-recorder.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { scenarioK6Plan } from '../../src/k6/export/k6-plan.js';
import { analyzeK6 } from '../../src/k6/analyze/analyze.js';
import { runScenario } from '../../src/runner/run.js';
import { K6Engine } from '../../src/engines/k6/k6-engine.js';
import { k6EngineConfig } from '../../src/engines/k6/k6-config.js';
import { K6Process, freePort } from '../../src/engines/k6/k6-process.js';

const REPLAY = fileURLToPath(new URL('../fixtures/k6-replay/k6-replay.mjs', import.meta.url));

const scenarioFor = (url: string): Scenario =>
  resolveScenario({
    name: 'k6-replay',
    target: { url },
    http: { path: '/work', timeout: '5s' },
    // Lean where the claims allow: the recording and its real-speed replay each run this whole plan, and
    // the claims are about the k6 path (same answer whole and split, live, the REST stop), not the knee's
    // sharpness. 3 s steps: the breach must be decided (warm-up + two 500 ms windows) while the stand-in
    // still has lines of the step to replay, or the REST stop is never exercised (2 s steps were too short).
    load: {
      start: 600,
      end: 1000,
      growth: { factor: 1.5 },
      stepDuration: '3s',
      warmup: '500ms',
      baselineWindows: 5,
      drain: '300ms',
      refine: { maxSteps: 0 },
      maxInFlight: 400,
    },
    detect: { window: '500ms', minRequests: 100 },
  });

/** Polls the stand-in's REST API until it answers (true) or the time is up (false). */
async function restUp(port: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    const ok = await fetch(`http://127.0.0.1:${port}/v1/status`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

interface ReplayLog {
  load: number;
  stopReceivedAt: number | null;
  via: string | null;
  linesWritten: number;
  linesTotal: number;
  exitCode: number;
}

describe.skipIf(!goTargetAvailable())('k6 output recorded from a real run: analyze and live replay', () => {
  let target: GoTarget;
  let dir: string;
  let s: Scenario;
  let rec: Recording;

  beforeAll(async () => {
    target = await startGoTarget({ workers: 8, serviceTimeMs: 10 });
    dir = await mkdtemp(join(tmpdir(), 'k6-replay-'));
    s = scenarioFor(target.url);
    rec = await recordK6Run({
      origin: target.url,
      path: '/work',
      plan: scenarioK6Plan(s),
      out: join(dir, 'run.json'),
      maxInFlight: s.load.maxInFlight,
      timeoutMs: 5_000,
    });
  }, 90_000);

  afterAll(async () => {
    await target?.stop();
  });

  it('analyze finds the knee of the recorded run, and two runner files split from it give the same answer', async () => {
    expect(rec.requests).toBeGreaterThan(4_000);
    const whole = (await analyzeK6([rec.file], s, { dryWrite: true })).result;
    expect(whole.stopReason, whole.stopDetail).toBe('breach');
    expect(whole.criticalPoint, whole.stopDetail).not.toBeNull();
    const cp = whole.criticalPoint!;
    expect(cp.lastPass).toBeLessThan(target.capacity);
    expect(cp.firstBreach).toBeGreaterThan(cp.lastPass);
    console.log(
      `recorded ${rec.requests} requests (${rec.lines} lines, ${rec.dropped} dropped); analyze: critical point ${cp.value} req/s, first breach ${cp.firstBreach} (${cp.signals.map((x) => x.reason).join('; ')}); target capacity ${target.capacity}`,
    );

    const lines = (await readFile(rec.file, 'utf8')).split('\n').filter(Boolean);
    const a = join(dir, 'runner-a.json');
    const b = join(dir, 'runner-b.json');
    await writeFile(a, `${lines.filter((_, i) => i % 2 === 0).join('\n')}\n`);
    await writeFile(b, `${lines.filter((_, i) => i % 2 === 1).join('\n')}\n`);
    const split = (await analyzeK6([a, b], s, { dryWrite: true })).result;
    expect(split.criticalPoint).toEqual(whole.criticalPoint);
    expect(split.windows.map((w) => [w.completed, w.p99, w.errorTotal])).toEqual(whole.windows.map((w) => [w.completed, w.p99, w.errorTotal]));
  });

  it('the k6 engine streams the replayed output live, finds the same critical point and stops k6 through its REST API', async () => {
    const expected = (await analyzeK6([rec.file], s, { dryWrite: true })).result.criticalPoint!;
    const logFile = join(dir, 'replay-log.jsonl');
    const env = { ...process.env, K6_BINARY: REPLAY, K6_REPLAY_FILE: rec.file, K6_REPLAY_LOG: logFile };
    const engine = new K6Engine(k6EngineConfig(s, env));
    const { result } = await runScenario(s, { env, engine, dryWrite: true });
    expect(result.engine).toBe('k6');
    expect(result.stopReason).toBe('breach');
    expect(result.criticalPoint?.lastPass).toBe(expected.lastPass);
    expect(result.criticalPoint?.firstBreach).toBe(expected.firstBreach);

    const log = (await readFile(logFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ReplayLog);
    const breachLoad = expected.firstBreach;
    const stopped = log.find((l) => l.load === breachLoad)!;
    const k6Stop = engine.log.find((l) => l.step === result.steps.find((st) => st.outcome === 'breach')!.index)!;
    expect(stopped.via).toBe('rest');
    expect(stopped.exitCode).toBe(103);
    expect(k6Stop.stop.via).toBe('rest');
    expect(stopped.linesWritten).toBeLessThan(stopped.linesTotal);
    const stopLatency = stopped.stopReceivedAt! - k6Stop.stop.requestedAt!;
    expect(stopLatency).toBeLessThan(100);
    for (const l of log.filter((x) => x.load !== breachLoad)) expect(l.exitCode).toBe(0);
    console.log(
      `replay: stop request reached k6 ${stopLatency} ms after the decision; k6 had replayed ${stopped.linesWritten} of ${stopped.linesTotal} lines of the ${breachLoad} req/s step; late events ${engine.log.map((l) => l.late).join('/')}`,
    );
  });

  it('falls back to SIGTERM when the REST stop does not end k6 (exit 105)', async () => {
    const scriptDir = await mkdtemp(join(tmpdir(), 'k6-sig-'));
    const script = join(scriptDir, 'step.js');
    await writeFile(script, `const STEPS = [\n  [0, "baseline", ${s.load.start}, 0, 6000],\n];\n`);
    const port = await freePort();
    const out = join(scriptDir, 'out.json');
    const proc = new K6Process({
      binary: REPLAY,
      port,
      restGraceMs: 500,
      env: { ...process.env, K6_REPLAY_FILE: rec.file, K6_REPLAY_IGNORE_REST: '1' },
      args: ['run', '--no-usage-report', '--address', `127.0.0.1:${port}`, '--out', `json=${out}`, script],
    });
    // Stop once the stand-in is up (its REST API answers), not after a fixed pause: on a busy machine a
    // process not yet listening refuses the REST call and dies of a SIGTERM it has no handler for yet.
    expect(await restUp(port, 15_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const t = Date.now();
    const exit = await proc.stop();
    const ms = Date.now() - t;
    expect(exit.code).toBe(105);
    // The REST call was answered and ignored; after its grace SIGTERM ended k6, before the SIGKILL that
    // would follow killAfterMs (3 s) later.
    expect(proc.stopLog.restError).toBeNull();
    expect(proc.stopLog.via).toBe('signal');
    expect(ms).toBeGreaterThanOrEqual(500 - 5);
    expect(ms).toBeLessThan(500 + 3_000);
    expect((await readFile(out, 'utf8')).length).toBeGreaterThan(0);
  });

  it.each([
    [108, 'error', /k6 failed \(exit 108: script called test.abort\(\)\)/],
    [105, 'interrupted', /k6 was stopped from outside \(exit 105/],
  ])('maps a k6 exit %i nobody asked for to the stop reason %s', async (code, reason, detail) => {
    const env = { ...process.env, K6_BINARY: REPLAY, K6_REPLAY_FILE: rec.file, K6_REPLAY_EXIT: String(code), K6_REPLAY_EXIT_AFTER_MS: '1500' };
    const { result } = await runScenario({ ...s, load: { ...s.load, engine: 'k6' } }, { env, dryWrite: true });
    expect(result.engine).toBe('k6');
    expect(result.stopReason).toBe(reason);
    expect(result.stopDetail).toMatch(detail);
  });
});
