// The engine contract (src/types.ts, StepContext), one set of checks for every engine, each engine
// built through the registry from a scenario and run against a real server on 127.0.0.1:
//   - budget: a step whose plan is larger than Step.maxRequests sends exactly maxRequests;
//   - liveness: every response reaches StepContext.liveness, while the step runs;
//   - in-flight accounting: nothing is left unanswered when the step returns (inFlightAtEnd 0);
//   - dead target: a target killed mid-step is caught by the runner's watchdog (TargetWatchdog,
//     wired as runner/run.ts wires it) within the same bound for every engine, and the step ends;
//   - abort: once the signal fires nothing more reaches the target, and the step returns promptly.
// k6 runs through the replay stand-in (test/fixtures/k6-replay: it sends no request, it replays a
// k6 output written here in k6's line shapes, honours the script's budget like k6 would, and plays
// a dead target as refused connections): what is checked there is the k6 engine's side of the
// contract (the budget it writes into the script, the liveness it feeds from k6's output, its stop).
// Each check is one short step (1.5 s or less) at a few hundred requests per second.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createEngine } from '../../src/engines/registry.js';
import { TargetWatchdog, WATCHDOG_CHECK_MS, WATCHDOG_SILENCE_MS } from '../../src/runner/target-watchdog.js';
import type { Engine, LivenessSink, Step, StepStats, WindowStats } from '../../src/types.js';
import { resolveScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { startGrpcTarget } from '../helpers/grpc-target.js';
import { GO_TARGET_PROTO } from '../helpers/go-target.js';
import { K6LineWriter } from '../helpers/k6-format.js';

/** Every engine must tell a dead target within this long after it died: the watchdog's silence, its check period, and slack for a busy machine (and k6's output flush). */
const DEAD_TARGET_BOUND_MS = WATCHDOG_SILENCE_MS + WATCHDOG_CHECK_MS + 900;
/** After an abort, nothing may reach the target later than this (requests already on the wire may still land). */
const ABORT_SETTLE_MS = 250;
const REPLAY = fileURLToPath(new URL('../fixtures/k6-replay/k6-replay.mjs', import.meta.url));

interface Target {
  url: string;
  /** Requests the target received so far (for k6: none, the stand-in sends nothing). */
  received(): number | null;
  /** Kills the target: its port refuses connections from now on. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

interface EngineCase {
  name: string;
  unit: Step['unit'];
  load: number;
  start(): Promise<Target>;
  scenario(t: Target): Scenario;
  env?: (opts: { deadAfterMs?: number }) => NodeJS.ProcessEnv;
  /** Longest an aborted step may take to return: in-process engines drain their few in-flight requests; k6 is a process that is stopped through its REST API and exits. */
  returnAfterAbortMs: number;
}

/** A Node HTTP server answering every request after 2 ms; kill() closes its port and every connection. */
async function httpTarget(): Promise<Target> {
  let received = 0;
  const server = http.createServer((_req, res) => {
    received++;
    setTimeout(() => res.end('ok'), 2);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed = false;
  const kill = async () => {
    if (closed) return;
    closed = true;
    const done = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await done;
  };
  return { url, received: () => received, kill, close: kill };
}

async function grpcTarget(): Promise<Target> {
  const t = await startGrpcTarget({ workers: 64, serviceMs: 2 });
  let closed = false;
  const kill = async () => {
    if (closed) return;
    closed = true;
    await t.close();
  };
  return { url: `grpc://${t.address}`, received: () => t.received(), kill, close: kill };
}

const detect = { window: '500ms', minRequests: 5 };
const httpScenario = (url: string, load: Record<string, unknown>) =>
  resolveScenario({
    name: 'contract',
    target: { url },
    http: { path: '/', timeout: '2s' },
    load: { stepDuration: '2s', maxInFlight: 400, ...load },
    detect,
    report: { dir: tmp() },
  });

const tmp = () => mkdtempSync(join(tmpdir(), 'critpoint-contract-'));

/** A k6 output in k6's line shapes: `seconds` of requests at `rate`, 3 ms each, tagged as step 0 at that load, from now. */
function k6Recording(rate: number, seconds: number): string {
  const w = new K6LineWriter();
  const t0 = Date.now();
  let out = '';
  for (let i = 0; i < rate * seconds; i++)
    out += w.request({ endMs: t0 + (i * 1000) / rate + 3, durationMs: 3, status: 200, step: 0, load: rate, url: 'http://127.0.0.1:9/' });
  const file = join(tmp(), 'recording.json');
  writeFileSync(file, out);
  return file;
}

const K6_RATE = 300;
let k6File: string | null = null;

const cases: EngineCase[] = [
  { name: 'http-open', unit: 'req/s', load: 400, returnAfterAbortMs: 1_000, start: httpTarget, scenario: (t) => httpScenario(t.url, { start: 400, end: 800 }) },
  {
    name: 'http-open (workers: 2)',
    unit: 'req/s',
    load: 400,
    returnAfterAbortMs: 1_000,
    start: httpTarget,
    scenario: (t) => httpScenario(t.url, { start: 400, end: 800, workers: 2 }),
  },
  {
    name: 'http-closed',
    unit: 'connections',
    load: 4,
    returnAfterAbortMs: 1_000,
    start: httpTarget,
    scenario: (t) => httpScenario(t.url, { mode: 'concurrency', start: 4, end: 8 }),
  },
  {
    name: 'grpc',
    unit: 'req/s',
    load: 400,
    returnAfterAbortMs: 1_000,
    start: grpcTarget,
    scenario: (t) =>
      resolveScenario({
        name: 'contract',
        target: { url: t.url },
        grpc: { proto: GO_TARGET_PROTO, service: 'loadtarget.Work', method: 'Do', request: { payload: 'abc' }, channels: 1, deadline: '2s' },
        load: { start: 400, end: 800, stepDuration: '2s', maxInFlight: 400 },
        detect,
        report: { dir: tmp() },
      }),
  },
  {
    name: 'k6 (replay stand-in)',
    unit: 'req/s',
    load: K6_RATE,
    returnAfterAbortMs: 3_000,
    // The stand-in sends nothing: the target is there for the engine's preflight only.
    start: async () => ({ ...(await httpTarget()), received: () => null }),
    scenario: (t) => httpScenario(t.url, { engine: 'k6', start: K6_RATE, end: 2 * K6_RATE }),
    env: ({ deadAfterMs }) => {
      k6File ??= k6Recording(K6_RATE, 3);
      return {
        ...process.env,
        K6_BINARY: REPLAY,
        K6_REPLAY_FILE: k6File,
        ...(deadAfterMs === undefined ? {} : { K6_REPLAY_DEAD_AFTER_MS: String(deadAfterMs) }),
      };
    },
  },
];

interface Liveness extends LivenessSink {
  responses: number;
  failures: number;
  /** Run-clock time of the first report. */
  firstAt: number | null;
  /** Run-clock time the first failure happened (its `at`). */
  firstFailureAt: number | null;
}

function countingLiveness(now: () => number, inner?: LivenessSink): Liveness {
  const l: Liveness = {
    responses: 0,
    failures: 0,
    firstAt: null,
    firstFailureAt: null,
    response(at) {
      l.responses++;
      l.firstAt ??= now();
      inner?.response(at);
    },
    failed(kind, at) {
      l.failures++;
      l.firstAt ??= now();
      l.firstFailureAt ??= at;
      inner?.failed(kind, at);
    },
  };
  return l;
}

interface StepRun {
  stats: StepStats;
  windows: WindowStats[];
  liveness: Liveness;
  /** Run-clock time runStep returned. */
  returnedAt: number;
}

async function runOneStep(
  engine: Engine,
  c: EngineCase,
  opts: { durationMs: number; maxRequests: number; signal?: AbortSignal; liveness?: (now: () => number) => LivenessSink; now?: () => number },
): Promise<StepRun> {
  const t0 = performance.now();
  const now = opts.now ?? (() => performance.now() - t0);
  const windows: WindowStats[] = [];
  let i = 0;
  const liveness = countingLiveness(now, opts.liveness?.(now));
  const step: Step = { index: 0, phase: 'ramp', load: c.load, unit: c.unit, durationMs: opts.durationMs, warmupMs: 0, maxRequests: opts.maxRequests };
  const stats = await engine.runStep(step, {
    now,
    signal: opts.signal ?? new AbortController().signal,
    liveness,
    onWindow: (w) => windows.push(w),
    nextWindowIndex: () => i++,
  });
  return { stats, windows, liveness, returnedAt: now() };
}

const sum = (ws: WindowStats[], f: (w: WindowStats) => number) => ws.reduce((a, w) => a + f(w), 0);

describe.each(cases)('engine contract: $name', (c) => {
  const open: { engine?: Engine; target?: Target }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.engine?.close();
      await o.target?.close();
    }
  });
  async function setup(deadAfterMs?: number): Promise<{ engine: Engine; target: Target }> {
    const target = await c.start();
    const engine = await createEngine(c.scenario(target), { env: c.env?.({ deadAfterMs }) ?? process.env });
    open.push({ engine, target });
    expect(engine.name).toBe(c.name.split(' ')[0]);
    await engine.preflight(10_000);
    return { engine, target };
  }

  it('budget: a step planned for more sends exactly Step.maxRequests; liveness hears every response as it comes; nothing left in flight', async () => {
    const { engine, target } = await setup();
    const before = target.received();
    const budget = 137;
    // 1.5 s at 300-400 req/s (or 4 connections on a 2 ms server) plans several hundred requests.
    const r = await runOneStep(engine, c, { durationMs: 1_500, maxRequests: budget });
    const sent = sum(r.windows, (w) => w.sent);
    const refused = sum(r.windows, (w) => w.capHits);
    const windows = JSON.stringify(
      r.windows.map((w) => ({
        t: [Math.round(w.tStart), Math.round(w.tEnd)],
        scheduled: w.scheduled,
        sent: w.sent,
        capHits: w.capHits,
        completed: w.completed,
      })),
    );
    // The budget counts scheduled requests: each is sent, or refused at the in-flight cap (a busy machine can fill it).
    expect(
      sum(r.windows, (w) => w.scheduled),
      windows,
    ).toBe(budget);
    expect(sent + refused, windows).toBe(budget);
    expect(r.stats.sent).toBe(sent);
    if (before !== null) {
      await new Promise((res) => setTimeout(res, 100));
      expect((target.received() as number) - before).toBe(sent);
    }
    expect(r.stats.completed).toBe(sent);
    expect(r.liveness.responses).toBe(r.stats.completed);
    expect(r.liveness.failures).toBe(0);
    // Fed while the step ran, not after it.
    expect(r.liveness.firstAt).not.toBeNull();
    expect(r.liveness.firstAt!).toBeLessThan(r.returnedAt);
    expect(r.stats.inFlightAtEnd).toBe(0);
  });

  it(`dead target: killed mid-step, the watchdog tells it within ${DEAD_TARGET_BOUND_MS} ms, like every other engine`, async () => {
    const killAfterMs = 700;
    const { engine, target } = await setup(killAfterMs);
    const ac = new AbortController();
    let firedAt: number | null = null;
    let killedAt: number | null = null;
    let detail = '';
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    const killer = setTimeout(() => {
      killedAt = now();
      void target.kill();
    }, killAfterMs);
    const r = await runOneStep(engine, c, {
      durationMs: 6_000,
      maxRequests: 100_000,
      signal: ac.signal,
      now,
      // As runner/run.ts: the watchdog hears the engine's liveness and aborts the step with target-unreachable.
      liveness: () => {
        const w = new TargetWatchdog({
          now,
          onUnreachable: (d) => {
            firedAt = now();
            detail = d;
            ac.abort('target-unreachable');
          },
        });
        return { response: (at) => w.response(at), failed: (k, at) => w.failed(k, at) };
      },
    });
    clearTimeout(killer);
    expect(killedAt).not.toBeNull();
    expect(firedAt, 'the watchdog never fired').not.toBeNull();
    // From the kill; for k6, from the first refused request the stand-in wrote (it plays the death on its own clock, after its start-up).
    const diedAt = c.name.startsWith('k6') ? r.liveness.firstFailureAt! : killedAt!;
    const caughtMs = firedAt! - diedAt;
    console.log(
      `${c.name}: dead target caught ${caughtMs.toFixed(0)} ms after the kill (${detail}); step returned ${(r.returnedAt - firedAt!).toFixed(0)} ms after that`,
    );
    expect(detail).toMatch(/only connection errors/);
    expect(caughtMs).toBeLessThan(DEAD_TARGET_BOUND_MS);
    expect(r.stats.aborted).toBe(true);
    // The step ends soon after: requests to a dead port fail at once.
    expect(r.returnedAt - firedAt!).toBeLessThan(1_500);
    expect(r.liveness.responses).toBeGreaterThan(0);
    expect(r.liveness.failures).toBeGreaterThan(0);
  });

  it('abort: nothing reaches the target after the signal (beyond what was on the wire), and the step returns promptly', async () => {
    const { engine, target } = await setup();
    const ac = new AbortController();
    // Half a second after the first answer (k6's stand-in takes a moment to start).
    const abortAfterMs = 500;
    let abortedAt = 0;
    let receivedSettled: number | null = null;
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer ??= setTimeout(() => {
        abortedAt = now();
        ac.abort('breach');
        setTimeout(() => (receivedSettled = target.received()), ABORT_SETTLE_MS);
      }, abortAfterMs);
    };
    const r = await runOneStep(engine, c, {
      durationMs: 5_000,
      maxRequests: 100_000,
      signal: ac.signal,
      now,
      liveness: () => ({ response: arm, failed: arm }),
    });
    clearTimeout(timer);
    expect(abortedAt).toBeGreaterThan(0);
    expect(r.stats.aborted).toBe(true);
    expect(r.stats.sent).toBeGreaterThan(0);
    expect(r.returnedAt - abortedAt).toBeLessThan(c.returnAfterAbortMs);
    await new Promise((res) => setTimeout(res, ABORT_SETTLE_MS + 300));
    if (receivedSettled !== null) expect(target.received()).toBe(receivedSettled);
    // Every request the engine counted as sent is answered or failed: none is unaccounted for.
    expect(r.stats.inFlightAtEnd).toBe(0);
    // A step that went on sending would have windows for 5 s.
    const lastWindowEnd = Math.max(...r.windows.map((w) => w.tEnd));
    expect(lastWindowEnd - abortedAt).toBeLessThan(c.returnAfterAbortMs);
  });
});
