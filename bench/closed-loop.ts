// Benchmark: critpoint's closed-loop engine (http-closed, autocannon on the
// main thread with every response tapped into per-window HDR histograms)
// vs bare autocannon at the same connections against a fast local target
// (the Go fixture's /fast route). The ratio of their throughputs is the
// harness's own overhead; the stop timing shows "stop means stop".
// Bounded: 2 connection counts x PAIRS pairs x 2 runs x RUN_S s, loopback only.
//   flock /tmp/critpoint-load.lock npx tsx bench/closed-loop.ts
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median } from 'simple-statistics';
import { GO_TARGET_BUILD_SCRIPT, goTargetAvailable, startGoTarget } from '../test/helpers/go-target.js';
import { HttpClosedEngine } from '../src/engines/http-closed/http-closed-engine.js';
import type { BenchResult } from './types.js';
import { ignoreLiveness } from '../src/runner/target-watchdog.js';
import { resolveScenario } from '../src/scenario/load.js';
import { httpSourceConfig } from '../src/requests/config.js';
import type { HttpSourceConfig } from '../src/requests/source.js';

const RUN_S = 2;
const PAIRS = 8;
const CONNECTIONS = [10, 50];
const STOP_RUNS = 5;
/** Rounds of the request-mix comparison (single request, static mix, templated mix; order alternating). */
const MIX_ROUNDS = 4;

export type { BenchResult } from './types.js';

interface Measured {
  /** Responses per second of wall time. */
  throughput: number;
  /** Responses per second of this process's CPU time (user + system): the generator's cost per request, robust to other processes taking the cores. */
  perCpuSecond: number;
}

/** Runs fn and measures this process's CPU time over it. */
async function withCpu<T>(fn: () => Promise<T>): Promise<{ value: T; cpuS: number }> {
  const before = process.cpuUsage();
  const value = await fn();
  const d = process.cpuUsage(before);
  return { value, cpuS: (d.user + d.system) / 1e6 };
}

async function bare(url: string, connections: number): Promise<Measured> {
  const { value: r, cpuS } = await withCpu(() => autocannon({ url, connections, duration: RUN_S }));
  return { throughput: r.requests.total / r.duration, perCpuSecond: r.requests.total / cpuS };
}

function engineFor(url: string, requests: HttpSourceConfig | null = null): HttpClosedEngine {
  const u = new URL(url);
  return new HttpClosedEngine({
    url: u.origin,
    method: 'GET',
    path: u.pathname,
    headers: {},
    body: null,
    timeoutMs: 10_000,
    pipelining: 1,
    workers: 0,
    windowMs: 1_000,
    minRequests: 200,
    drainTimeoutMs: 2_000,
    maxStretch: 1,
    requests,
  });
}

/** The mix variants of the cost comparison: 9:1 between two paths, without and with placeholders. */
function mixVariants(url: string): Record<string, HttpSourceConfig | null> {
  const u = new URL(url);
  const base = { name: 'mix', target: { url: u.origin }, load: { mode: 'concurrency', start: 1, end: 4 } };
  const mix = (a: string, b: string) =>
    httpSourceConfig(
      resolveScenario({
        ...base,
        requests: [
          { name: 'a', weight: 9, path: a },
          { name: 'b', weight: 1, path: b },
        ],
      }),
      {},
    );
  return {
    'single request': null,
    'static mix': mix(u.pathname, `${u.pathname}?b=1`),
    'templated mix': mix(`${u.pathname}?k=\${int:1:1000}`, `${u.pathname}?id=\${seq}`),
  };
}

async function critpointStep(url: string, connections: number, abortAfterMs?: number, requests: HttpSourceConfig | null = null) {
  const e = engineFor(url, requests);
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const ac = new AbortController();
  let abortedAt = 0;
  const timer =
    abortAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          abortedAt = now();
          ac.abort('breach');
        }, abortAfterMs);
  let i = 0;
  const stats = await e.runStep(
    { index: 0, phase: 'ramp', load: connections, unit: 'connections', durationMs: RUN_S * 1000, warmupMs: 0, maxRequests: 10_000_000 },
    { now, signal: ac.signal, liveness: ignoreLiveness, onWindow: () => undefined, nextWindowIndex: () => i++ },
  );
  clearTimeout(timer);
  await e.close();
  return { stats, stop: e.lastStop, returnedMs: now() - abortedAt };
}

async function critpoint(url: string, connections: number): Promise<Measured> {
  const { value, cpuS } = await withCpu(() => critpointStep(url, connections));
  return { throughput: value.stats.achievedRate, perCpuSecond: value.stats.completed / cpuS };
}

/** Bare autocannon's stop(): requests keep leaving until its next sample tick. */
async function bareStopLag(url: string, connections: number): Promise<number> {
  let last = 0;
  let stopAt = 0;
  const t0 = performance.now();
  const inst = autocannon(
    { url, connections, duration: 10, setupClient: (c) => c.on('request' as 'response', () => (last = performance.now() - t0)) },
    () => undefined,
  );
  await new Promise((r) => setTimeout(r, 1_000));
  stopAt = performance.now() - t0;
  inst.stop();
  await new Promise((r) => setTimeout(r, 1_500));
  return last - stopAt;
}

export async function run(): Promise<BenchResult> {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
  const target = await startGoTarget({ workers: 8, serviceTimeMs: 1 });
  const url = `${target.url}/fast`;
  const rows: Record<string, string | number>[] = [];
  const notes: string[] = [];
  try {
    // Warm both sides' JIT and the target before measuring.
    await bare(url, 10);
    await critpoint(url, 10);
    for (const c of CONNECTIONS) {
      const a: Measured[] = [];
      const b: Measured[] = [];
      for (let p = 0; p < PAIRS; p++) {
        // ABBA: alternate which one goes first so drift hits both.
        if (p % 2 === 0) {
          a.push(await bare(url, c));
          b.push(await critpoint(url, c));
        } else {
          b.push(await critpoint(url, c));
          a.push(await bare(url, c));
        }
      }
      const ratios = a.map((x, i) => (b[i] as Measured).throughput / x.throughput);
      const cpuRatios = a.map((x, i) => (b[i] as Measured).perCpuSecond / x.perCpuSecond);
      rows.push({
        connections: c,
        'bare req/s': Math.round(median(a.map((x) => x.throughput))),
        'critpoint req/s': Math.round(median(b.map((x) => x.throughput))),
        'throughput ratio': Number(median(ratios).toFixed(3)),
        'ratio min..max': `${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)}`,
        'bare req/CPU-s': Math.round(median(a.map((x) => x.perCpuSecond))),
        'critpoint req/CPU-s': Math.round(median(b.map((x) => x.perCpuSecond))),
        'per-CPU ratio': Number(median(cpuRatios).toFixed(3)),
        pairs: PAIRS,
      });
    }
    const lags: number[] = [];
    const after: number[] = [];
    const returned: number[] = [];
    const bareLags: number[] = [];
    for (let i = 0; i < STOP_RUNS; i++) {
      const r = await critpointStep(url, 50, 1_000);
      if (r.stop) {
        lags.push(r.stop.stopLagMs);
        after.push(r.stop.sentAfterAbort);
      }
      returned.push(r.returnedMs);
      bareLags.push(await bareStopLag(url, 50));
    }
    // The request mix's cost on the closed loop: the same engine with one request, a static 9:1 mix and a templated one.
    const variants = mixVariants(url);
    const names = Object.keys(variants);
    const mixed = new Map(names.map((n) => [n, [] as { rate: number; cpuUs: number }[]]));
    for (let r = 0; r < MIX_ROUNDS; r++) {
      for (const n of r % 2 === 0 ? names : [...names].reverse()) {
        const { value, cpuS } = await withCpu(() => critpointStep(url, 50, undefined, variants[n] ?? null));
        mixed.get(n)!.push({ rate: value.stats.achievedRate, cpuUs: (cpuS * 1e6) / Math.max(1, value.stats.completed) });
      }
    }
    notes.push(
      `request mix, 50 connections, median of ${MIX_ROUNDS} interleaved runs: ${names
        .map((n) => {
          const m = mixed.get(n)!;
          return `${n} ${Math.round(median(m.map((x) => x.rate)))} req/s at ${median(m.map((x) => x.cpuUs)).toFixed(1)} us CPU per request`;
        })
        .join('; ')}`,
    );
    notes.push(`target: Go fixture /fast on loopback; ${RUN_S} s per run; each pair runs both in alternating order (ABBA)`);
    notes.push(
      `stop, 50 connections, median of ${STOP_RUNS}: critpoint sent ${median(after)} requests after the abort (last one ${median(lags).toFixed(2)} ms after it; 0 = none), step returned ${median(returned).toFixed(1)} ms after it; bare autocannon stop() kept sending for ${median(bareLags).toFixed(0)} ms (until its next sample tick)`,
    );
  } finally {
    await target.stop();
  }
  notes.push(
    "ratios are medians of the per-pair ratios (critpoint / bare); per-CPU = responses per second of this process's CPU time, which other processes on the machine do not distort",
  );
  const ratios = rows.map((r) => `${r['throughput ratio']} (${r.connections} conns)`).join(', ');
  const minRatio = Math.min(...rows.map((r) => Number(r['throughput ratio'])));
  const targets = rows.length
    ? [{ target: 'concurrency mode vs bare autocannon, same connections (throughput ratio >= 0.95)', measured: ratios, met: minRatio >= 0.95 }]
    : [];
  return { title: 'closed loop: critpoint http-closed vs bare autocannon (same connections, fast target)', rows, notes, targets };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run();
  console.log(`## ${r.title}`);
  console.table(r.rows);
  for (const n of r.notes ?? []) console.log(`- ${n}`);
}
