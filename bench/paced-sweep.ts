// Paced engine sweep: one warm-up step, then one 4 s step per rate (PACED_RATES,
// default 8000..22000) in one process, each with a fresh engine, against the
// fast local target. Complements paced-engine (which interleaves autocannon
// runs in the same process): this one shows where the schedule starts to slip.
//   npm run bench -- paced-sweep
import { performance } from 'node:perf_hooks';
import { HttpOpenEngine } from '../src/engines/http-open/http-open-engine.js';
import type { BenchResult } from './types.js';
import { startFastTarget } from './fast-target.js';
import { ignoreLiveness } from '../src/runner/target-watchdog.js';

const RATES = (process.env.PACED_RATES ?? '8000,11000,14000,18000,22000').split(',').map(Number);

async function step(url: string, rate: number, durationMs: number) {
  const u = new URL(url);
  const engine = new HttpOpenEngine({
    url: u.origin,
    method: 'GET',
    path: u.pathname,
    headers: {},
    body: null,
    timeoutMs: 5_000,
    maxInFlight: 1000,
    arrival: 'uniform',
    pacing: 'timer',
    seed: 1,
    windowMs: 1000,
    minRequests: 1,
    drainTimeoutMs: 2_000,
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    const s = await engine.runStep(
      { index: 0, phase: 'ramp', load: rate, unit: 'req/s', durationMs, warmupMs: 1_000, maxRequests: rate * 10 },
      {
        now: () => performance.now() - t0,
        signal: new AbortController().signal,
        liveness: ignoreLiveness,
        onWindow: () => undefined,
        nextWindowIndex: () => 0,
      },
    );
    const cpu = process.cpuUsage(cpu0);
    const total = s.windows.reduce((a, w) => a + w.completed, 0);
    return { s, cpuUsPerReq: total > 0 ? (cpu.user + cpu.system) / total : 0 };
  } finally {
    await engine.close();
  }
}

export async function run(): Promise<BenchResult> {
  const target = await startFastTarget();
  try {
    await step(target.url, RATES[0] ?? 5000, 2_000); // warm-up: JIT and connections
    const rows: Record<string, string | number>[] = [];
    for (const rate of RATES) {
      const { s, cpuUsPerReq } = await step(target.url, rate, 4_000);
      rows.push({
        'offered req/s': rate,
        'achieved/offered': Number((s.achievedRate / rate).toFixed(3)),
        'send-lag p99 ms': Number(s.sendLagP99.toFixed(2)),
        'p99 ms': Number(s.p99.toFixed(2)),
        'CPU us/request (generator)': Math.round(cpuUsPerReq),
        errors: s.errorTotal,
      });
    }
    return {
      title: 'Paced engine sweep (one process, warm-up step first)',
      rows,
      notes: [`target: ${target.kind}; 4 s steps after a 1 s warm-up each; one run per rate (noisy: run it twice)`],
    };
  } finally {
    await target.stop();
  }
}
