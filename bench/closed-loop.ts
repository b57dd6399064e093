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

const RUN_S = 3;
const PAIRS = 5;
const CONNECTIONS = [10, 50];
const STOP_RUNS = 5;

export interface BenchResult {
  title: string;
  rows: Record<string, string | number>[];
  notes?: string[];
}

async function bare(url: string, connections: number): Promise<number> {
  const r = await autocannon({ url, connections, duration: RUN_S });
  return r.requests.total / r.duration;
}

function engineFor(url: string): HttpClosedEngine {
  const u = new URL(url);
  return new HttpClosedEngine({ url: u.origin, method: 'GET', path: u.pathname, headers: {}, body: null, timeoutMs: 10_000, pipelining: 1, workers: 0, windowMs: 1_000, minRequests: 200, drainTimeoutMs: 2_000, maxRequestsPerStep: 10_000_000, maxStretch: 1 });
}

async function critpointStep(url: string, connections: number, abortAfterMs?: number) {
  const e = engineFor(url);
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const ac = new AbortController();
  let abortedAt = 0;
  const timer = abortAfterMs === undefined ? undefined : setTimeout(() => {
    abortedAt = now();
    ac.abort('breach');
  }, abortAfterMs);
  let i = 0;
  const stats = await e.runStep({ index: 0, phase: 'ramp', load: connections, unit: 'connections', durationMs: RUN_S * 1000, warmupMs: 0 }, { now, signal: ac.signal, onWindow: () => undefined, nextWindowIndex: () => i++ });
  clearTimeout(timer);
  await e.close();
  return { throughput: stats.achievedRate, stop: e.lastStop, returnedMs: now() - abortedAt };
}

/** Bare autocannon's stop(): requests keep leaving until its next sample tick. */
async function bareStopLag(url: string, connections: number): Promise<number> {
  let last = 0;
  let stopAt = 0;
  const t0 = performance.now();
  const inst = autocannon({ url, connections, duration: 10, setupClient: (c) => c.on('request' as 'response', () => (last = performance.now() - t0)) }, () => undefined);
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
    await bare(url, 10); // warm both sides' JIT and the target
    for (const c of CONNECTIONS) {
      const a: number[] = [];
      const b: number[] = [];
      const ratios: number[] = [];
      for (let p = 0; p < PAIRS; p++) {
        // ABBA: alternate which one goes first so drift hits both.
        const first = p % 2 === 0;
        const x = first ? await bare(url, c) : (await critpointStep(url, c)).throughput;
        const y = first ? (await critpointStep(url, c)).throughput : await bare(url, c);
        const bareX = first ? x : y;
        const cpX = first ? y : x;
        a.push(bareX);
        b.push(cpX);
        ratios.push(cpX / bareX);
      }
      rows.push({ connections: c, 'bare autocannon req/s (median)': Math.round(median(a)), 'critpoint http-closed req/s (median)': Math.round(median(b)), 'ratio (median of pairs)': Number(median(ratios).toFixed(3)), 'ratio min..max': `${Math.min(...ratios).toFixed(3)}..${Math.max(...ratios).toFixed(3)}`, pairs: PAIRS });
    }
    const lags: number[] = [];
    const returned: number[] = [];
    const bareLags: number[] = [];
    for (let i = 0; i < STOP_RUNS; i++) {
      const r = await critpointStep(url, 50, 1_000);
      if (r.stop) lags.push(r.stop.stopLagMs);
      returned.push(r.returnedMs);
      bareLags.push(await bareStopLag(url, 50));
    }
    notes.push(`target: Go fixture /fast on loopback; ${RUN_S} s per run; each pair runs both in alternating order (ABBA)`);
    notes.push(`stop, 50 connections, median of ${STOP_RUNS}: critpoint's last request left ${median(lags).toFixed(2)} ms after the abort (<= 0: none after it), step returned ${median(returned).toFixed(1)} ms after it; bare autocannon stop() kept sending for ${median(bareLags).toFixed(0)} ms (until its next sample tick)`);
  } finally {
    await target.stop();
  }
  return { title: 'closed loop: critpoint http-closed vs bare autocannon (same connections, fast target)', rows, notes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run();
  console.log(`## ${r.title}`); // eslint-disable-line no-console
  console.table(r.rows); // eslint-disable-line no-console
  for (const n of r.notes ?? []) console.log(`- ${n}`); // eslint-disable-line no-console
}
