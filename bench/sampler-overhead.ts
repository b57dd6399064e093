// Sampling costs the target little: the Go fixture's saturated throughput
// (closed loop, bare autocannon) with the runtime samplers polling at 1 s
// vs without them, in interleaved pairs. Reported as the median ratio.
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { median } from 'simple-statistics';
import { SamplingLoop } from '../src/samplers/sampling-loop.js';
import { runtimeSchema } from '../src/samplers/schema.js';
import { startGoTarget } from '../test/helpers/go-target.js';
import type { BenchResult } from './paced-engine.js';
import { runIfMain } from './lib/standalone.js';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 5);
const SECONDS = 5;

const runtime = runtimeSchema.parse({
  interval: '1s',
  timeout: '500ms',
  signals: [
    { name: 'goroutines', source: { pprof: '/debug/pprof/goroutine?debug=1' } },
    { name: 'heap', source: { expvar: '/debug/vars', field: 'memstats.HeapAlloc' } },
    { name: 'inflight', source: { prometheus: '/metrics', metric: 'http_inflight_requests', labels: { handler: 'work' } } },
  ],
});

async function saturate(url: string): Promise<number> {
  const r = await autocannon({ url, connections: 32, duration: SECONDS });
  return r.requests.total / SECONDS;
}

export async function run(): Promise<BenchResult> {
  // 16 workers x 2 ms = 8000 req/s nominal: a target that works hard, so sampling has something to slow down.
  const target = await startGoTarget({ workers: 16, serviceTimeMs: 2 });
  try {
    const url = `${target.url}/work`;
    await saturate(url); // warm both sides
    const ratios: number[] = [];
    const rows: Record<string, string | number>[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const order = i % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
      const got: Record<string, number> = {};
      for (const mode of order) {
        let loop: SamplingLoop | null = null;
        if (mode === 'with') {
          const t0 = performance.now();
          loop = new SamplingLoop({
            signals: runtime.signals,
            intervalMs: runtime.interval,
            timeoutMs: runtime.timeout,
            targetUrl: target.url,
            now: () => performance.now() - t0,
          });
          loop.start();
        }
        got[mode] = await saturate(url);
        await loop?.stop();
      }
      const ratio = (got.with as number) / (got.without as number);
      ratios.push(ratio);
      rows.push({
        pair: i + 1,
        order: order.join(' then '),
        'without samplers req/s': Math.round(got.without as number),
        'with samplers req/s': Math.round(got.with as number),
        'with / without': Number(ratio.toFixed(4)),
      });
    }
    const m = median(ratios);
    return {
      title: 'Runtime sampling overhead on the Go target (3 signals at 1 s)',
      rows,
      notes: [
        `median with/without = ${m.toFixed(4)} (${((m - 1) * 100).toFixed(2)}%) over ${PAIRS} interleaved pairs of ${SECONDS} s saturation (autocannon, 32 connections, Go fixture 16 workers x 2 ms); target within 1%: ${Math.abs(m - 1) <= 0.01 ? 'met' : 'NOT met'}`,
      ],
    };
  } finally {
    await target.stop();
  }
}

await runIfMain(import.meta.url, run);
