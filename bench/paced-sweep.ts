// Paced engine sweep: one warm-up step, then one 4 s step per rate (PACED_RATES,
// default 8000..22000) in one process, each with a fresh engine (PACED_WORKERS
// load threads, default 1), against the fast local target. Complements
// paced-engine (which interleaves configurations and autocannon runs): this
// one shows where the schedule starts to slip.
//   npm run bench -- paced-sweep
import type { BenchResult } from './types.js';
import { startFastTarget } from './fast-target.js';
import { pacedStep } from './lib/paced-step.js';

const RATES = (process.env.PACED_RATES ?? '8000,11000,14000,18000,22000').split(',').map(Number);
const WORKERS = Number(process.env.PACED_WORKERS ?? 1);

export async function run(): Promise<BenchResult> {
  const target = await startFastTarget();
  try {
    await pacedStep(target.url, RATES[0] ?? 5000, { pacing: 'timer', workers: WORKERS, stepMs: 2_000 }); // warm-up: JIT and connections
    const rows: Record<string, string | number>[] = [];
    for (const rate of RATES) {
      const r = await pacedStep(target.url, rate, { pacing: 'timer', workers: WORKERS, stepMs: 4_000 });
      rows.push({
        'offered req/s': rate,
        'achieved/offered': Number(r.ratio.toFixed(3)),
        'send-lag p99 ms': Number(r.lag.toFixed(2)),
        'p99 ms': Number(r.stats.p99.toFixed(2)),
        'CPU us/request (generator)': Math.round(r.usPerReq),
        errors: r.stats.errorTotal,
      });
    }
    return {
      title: `Paced engine sweep (${WORKERS} load thread${WORKERS > 1 ? 's' : ''}, one process, warm-up step first)`,
      rows,
      notes: [`target: ${target.kind}; 4 s steps after a 1 s warm-up each; one run per rate (noisy: run it twice)`],
    };
  } finally {
    await target.stop();
  }
}
