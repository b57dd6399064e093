// Faults of the target itself, against real processes on 127.0.0.1: refusing
// at start, killed mid-run, hanging mid-run. Bounded load (a few hundred req/s,
// seconds), loopback only.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../src/runner/run.js';
import { EXIT } from '../../src/errors.js';
import type { ProgressEvent } from '../../src/types.js';
import { fastScenario } from '../helpers/scenarios.js';
import { BUSY_MACHINE_GENERATOR, startFaultTarget, type FaultTarget } from '../helpers/fault-target.js';
import { ensureBuilt, onlyRunDir, spawnCli } from '../helpers/cli.js';
import { openTcpHandles, waitUntil } from '../helpers/processes.js';

let target: FaultTarget | undefined;
afterEach(async () => {
  await target?.stop();
  target = undefined;
});

async function closedPortUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  await new Promise<void>((r) => s.close(() => r()));
  return url;
}

describe('target refuses connections at start', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('the CLI fails the preflight in < 2 s with the URL and the error, exit 4, and writes only a short summary', async () => {
    const url = await closedPortUrl();
    const dir = mkdtempSync(join(tmpdir(), 'critpoint-refused-'));
    const file = join(dir, 's.yaml');
    writeFileSync(
      file,
      `name: refused\ntarget: { url: ${url} }\nhttp: { path: /work }\nload: { start: 400, end: 800, stepDuration: 2s, warmup: 1s, baselineWindows: 8 }\ndetect: { window: 500ms, minRequests: 150 }\nreport: { dir: ${JSON.stringify(dir)} }\n`,
    );
    const cli = spawnCli(['run', file]);
    const { code, ms } = await cli.exited;
    const runDir = onlyRunDir(dir, 'refused');
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    console.log(`refused: CLI exit ${code} after ${ms.toFixed(0)} ms (process start included), run ${summary.durationMs} ms`);
    expect(code).toBe(EXIT.targetUnreachable);
    expect(summary.durationMs).toBeLessThan(2_000);
    expect(ms).toBeLessThan(5_000);
    expect(summary.stopReason).toBe('target-unreachable');
    expect(summary.steps).toEqual([]);
    const err = cli.stderr();
    expect(err).toContain(`${url}/work`);
    expect(err).toMatch(/ECONNREFUSED/);
    expect(err).toMatch(/exit code 4/);
    // Short: no empty step table, no CSVs of nothing.
    expect(err).not.toMatch(/step +phase/);
    expect(err.trim().split('\n').length).toBeLessThanOrEqual(6);
    expect(readdirSync(runDir)).toEqual(['summary.json']);
  });

  it('a target that accepts but never answers fails the preflight after its 2 s timeout', async () => {
    target = await startFaultTarget({ hang: true });
    const t0 = performance.now();
    const { result } = await runScenario(fastScenario(target.url), { dryWrite: true });
    const ms = performance.now() - t0;
    expect(result.stopReason).toBe('target-unreachable');
    expect(result.stopDetail).toMatch(/no answer within 2000 ms/);
    expect(result.stopDetail).toContain(target.url);
    expect(ms).toBeLessThan(3_000);
    expect(result.steps).toHaveLength(0);
  });
});

describe('target answers 403 to every request (a wrong path, a missing token)', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('the baseline failed: it says what failed and how often, one example response, no advice to lower the load, exit 8', async () => {
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests++;
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const dir = mkdtempSync(join(tmpdir(), 'critpoint-403-'));
      const file = join(dir, 's.yaml');
      writeFileSync(
        file,
        `name: forbidden\ntarget: { url: ${url} }\nhttp: { path: /work }\nload: { start: 200, end: 800, stepDuration: 2s, warmup: 250ms, baselineWindows: 5 }\ndetect: { window: 250ms, minRequests: 40 }\nreport: { dir: ${JSON.stringify(dir)} }\n`,
      );
      const cli = spawnCli(['run', file]);
      const { code } = await cli.exited;
      const err = cli.stderr();
      const summary = JSON.parse(readFileSync(join(onlyRunDir(dir, 'forbidden'), 'summary.json'), 'utf8'));
      expect(code, err).toBe(EXIT.baselineFailed);
      expect(summary.stopReason).toBe('baseline-failed');
      expect(summary.criticalPoint).toBeNull();
      // Only the baseline ran: no ramp step was sent to a target that refuses every request.
      expect(summary.steps.map((st: { phase: string }) => st.phase)).toEqual(['baseline']);
      expect(summary.steps[0].outcome).toBe('breach');
      expect(err).toMatch(/baseline-failed/);
      expect(err).toMatch(/\d+ of \d+ baseline requests \(100\.0%\) failed at 200 req\/s: http-4xx \d+/);
      expect(err).toMatch(/first error: HTTP 403 Forbidden/);
      expect(err).toMatch(/exit code 8/);
      expect(err).not.toMatch(/lower load\.start/);
      // No step with errors over the limit is printed as a pass.
      expect(err).not.toMatch(/baseline\s+200\s+pass/);
      expect(requests).toBeLessThan(200 * 2); // the baseline (1.5 s at 200 req/s) and the preflight, nothing more
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('target dies mid-run (process killed)', () => {
  it('load stops within 2 s (1 s windows: the watchdog, not the window rule), the partial report holds every window up to the failure, exit 4', async () => {
    target = await startFaultTarget({ serviceMs: 2 });
    const t = target;
    // 1 s windows: two dead windows would take 2-3 s; the watchdog must tell within ~1 s.
    const s = fastScenario(t.url, {
      name: 'killed',
      load: { start: 400, end: 3000, baselineWindows: 5, stepDuration: '3s' },
      detect: { window: '1s', generator: BUSY_MACHINE_GENERATOR },
    });
    let killedAt = 0;
    let stoppedAt = 0;
    const onProgress = (e: ProgressEvent) => {
      // Kill the target 1.2 s into the first ramp step.
      if (e.type === 'step-start' && e.step.phase === 'ramp' && killedAt === 0) {
        killedAt = -1;
        setTimeout(() => {
          killedAt = performance.now();
          void t.kill();
        }, 1_200);
      }
      if (e.type === 'step-end' && killedAt > 0 && stoppedAt === 0) stoppedAt = performance.now();
    };
    const startedWall = performance.now();
    const { result, runDir } = await runScenario(s, { onProgress });
    const stopMs = stoppedAt - killedAt;
    console.log(`killed: load stopped ${stopMs.toFixed(0)} ms after SIGKILL; ${result.windows.length} windows; ${result.stopDetail}`);
    expect(killedAt).toBeGreaterThan(0);
    expect(stopMs).toBeLessThan(2_000);
    expect(result.stopReason).toBe('target-unreachable');
    expect(result.stopDetail).toMatch(/only connection errors/);
    expect(result.exitCode).toBe(EXIT.targetUnreachable);
    expect(result.exitCode).not.toBe(EXIT.breach);
    expect(result.criticalPoint).toBeNull();
    expect(result.lastPass).toBe(400);
    // Every window up to the failure: baseline and ramp windows, contiguous inside each step, the last one reaching the kill.
    const killRunClock = killedAt - startedWall;
    const last = result.windows[result.windows.length - 1]!;
    expect(last.tEnd).toBeGreaterThan(killRunClock - 100);
    for (let i = 1; i < result.windows.length; i++) {
      const [a, b] = [result.windows[i - 1]!, result.windows[i]!];
      if (a.stepIndex === b.stepIndex) expect(b.tStart).toBeCloseTo(a.tEnd, 6);
    }
    const ramp = result.windows.filter((w) => w.phase === 'ramp');
    expect(ramp.some((w) => w.completed > 0)).toBe(true);
    expect(ramp.reduce((a, w) => a + (w.errors.connection ?? 0), 0)).toBeGreaterThan(0);
    // Written: summary.json and windows.csv with every window.
    const summary = JSON.parse(readFileSync(join(runDir!, 'summary.json'), 'utf8'));
    expect(summary.stopReason).toBe('target-unreachable');
    expect(summary.windowCount).toBe(result.windows.length);
    const csvRows = readFileSync(join(runDir!, 'windows.csv'), 'utf8').trim().split('\n').length - 1;
    expect(csvRows).toBe(result.windows.length);
  });
});

describe('target hangs mid-run (accepts, never answers)', () => {
  it('in-flight cap reached: refused sends and timeouts count as errors, breach on errors, under maxInFlight, within its caps, no socket left open', async () => {
    target = await startFaultTarget({ serviceMs: 2 });
    const t = target;
    const handlesBefore = openTcpHandles();
    const maxDuration = 60_000;
    const s = fastScenario(t.url, {
      name: 'hang',
      http: { timeout: '1s' },
      // refine.maxSteps 0: the claims are the first hanging step's; the bisection below it is the controller's (unit tests).
      load: { start: 400, end: 3000, baselineWindows: 5, maxInFlight: 120, maxDuration: `${maxDuration}ms`, refine: { maxSteps: 0 } },
      detect: { generator: BUSY_MACHINE_GENERATOR },
    });
    let toggled = false;
    const onProgress = (e: ProgressEvent) => {
      if (e.type === 'step-start' && e.step.phase === 'ramp' && !toggled) {
        toggled = true;
        t.toggleHang();
      }
    };
    const t0 = performance.now();
    const { result } = await runScenario(s, { onProgress });
    const ms = performance.now() - t0;
    const stats = await t.stats();
    console.log(`hang: ${result.stopReason} in ${ms.toFixed(0)} ms; ${result.stopDetail}; server saw at most ${stats.maxOpenWork} open requests`);
    expect(stats.hanging).toBe(true);
    expect(result.stopReason).toBe('breach');
    expect(result.criticalPoint!.value).toBe(400);
    expect(result.criticalPoint!.signals.map((b) => b.signal)).toContain('errors');
    const rampErrors = result.steps.filter((st) => st.phase !== 'baseline').map((st) => st.stats.errors);
    expect(rampErrors.reduce((a, e) => a + (e.timeout ?? 0), 0)).toBeGreaterThan(0);
    expect(rampErrors.reduce((a, e) => a + (e['in-flight-cap'] ?? 0), 0)).toBeGreaterThan(0);
    // Caps: never more than maxInFlight requests open at the target, wall time within maxDuration.
    expect(Math.max(...result.windows.map((w) => w.maxInFlight))).toBeLessThanOrEqual(120);
    expect(stats.maxOpenWork).toBeLessThanOrEqual(120);
    expect(result.durationMs).toBeLessThan(maxDuration);
    // Nothing left open: no connection at the target, no TCP handle here.
    expect(await waitUntil(async () => (await t.stats()).open === 0, 2_000)).toBe(true);
    expect(await waitUntil(() => openTcpHandles() <= handlesBefore, 2_000)).toBe(true);
  });
});

describe('target hangs mid-run, its timeouts due after the step and its drain (timeout 10 s, cap never reached)', () => {
  it('the step is not a pass: judged on its totals, a throughput breach, within maxDuration', async () => {
    target = await startFaultTarget({ serviceMs: 2 });
    const t = target;
    const s = fastScenario(t.url, {
      name: 'hang-late',
      // The timeout (10 s) is longer than the step (2 s) plus the engine's bounded wait for its in-flight
      // requests (min(http.timeout, 5 s)): no request of the hanging step has an answer or a timeout when
      // the step is judged. No refinement: the first ramp step's verdict is the claim, and a refinement
      // step would hang the same way for another 7 s.
      http: { timeout: '10s' },
      load: { start: 400, end: 3000, baselineWindows: 5, maxInFlight: 5000, maxDuration: '45s', refine: { maxSteps: 0 } },
      detect: { generator: BUSY_MACHINE_GENERATOR },
    });
    let toggled = false;
    const onProgress = (e: ProgressEvent) => {
      if (e.type === 'step-start' && e.step.phase === 'ramp' && !toggled) {
        toggled = true;
        t.toggleHang();
      }
    };
    const { result } = await runScenario(s, { onProgress, dryWrite: true });
    console.log(`hang-late: ${result.stopReason} after ${result.durationMs} ms; ${result.stopDetail}`);
    expect(result.stopReason).toBe('breach');
    expect(result.criticalPoint!.value).toBe(400);
    const first = result.steps.find((st) => st.phase === 'ramp')!;
    expect(first.outcome).toBe('breach');
    expect(first.breaches[0]!.signal).toBe('throughput');
    expect(first.stats.completed).toBeLessThan(first.stats.sent * 0.5);
    expect(result.durationMs).toBeLessThan(45_000);
  });
});
