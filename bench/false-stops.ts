// False stops: 20 short runs against a target whose capacity is far above the
// ramp (Go fixture pool W=64 S=5ms: 12,800 req/s; the ramp ends at 2,000
// req/s, 16% of it). Every run should end 'completed' (no breach up to
// load.end); a run that stops on a breach is a false stop. Each run has its own
// seed. Bounded: 20 runs of ~9 s, loopback only.
//   flock /tmp/critpoint-load.lock npx tsx bench/false-stops.ts
import { pathToFileURL } from 'node:url';
import { startGoTarget } from '../test/helpers/go-target.js';
import { ensureGoTarget, fixed, median, shortScenario, timedRun } from './lib/bench-run.js';
import type { BenchResult } from './types.js';

const RUNS = 20;

export async function run(): Promise<BenchResult> {
  ensureGoTarget();
  const target = await startGoTarget({ workers: 64, serviceTimeMs: 5 });
  const outcomes: Record<string, number> = {};
  const stops: string[] = [];
  const walls: number[] = [];
  let windows = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      const s = shortScenario(target.url, {
        name: `false-stops-${i}`,
        load: { start: 600, end: 2000, growth: { factor: 1.5 }, stepDuration: '1s', warmup: '500ms', seed: 1000 + i },
      });
      const r = await timedRun(s);
      walls.push(r.wallS);
      const reason = r.result.stopReason;
      outcomes[reason] = (outcomes[reason] ?? 0) + 1;
      windows += r.result.windows.filter((w) => w.phase !== 'baseline' && !w.warmup).length;
      if (reason !== 'completed') stops.push(`run ${i}: ${reason}: ${r.result.stopDetail}`);
    }
  } finally {
    await target.stop();
  }
  const falseStops = outcomes.breach ?? 0;
  return {
    title: `False stops: ${RUNS} runs, no knee in range (Go fixture W=64 S=5ms, 12,800 req/s; ramp 600 -> 2,000 req/s)`,
    rows: [
      {
        runs: RUNS,
        completed: outcomes.completed ?? 0,
        'false stops (breach)': falseStops,
        'other endings': RUNS - (outcomes.completed ?? 0) - falseStops,
        'windows judged': windows,
        'median run s': fixed(median(walls)),
      },
    ],
    notes: [
      'scenario: 10 baseline windows of 500 ms at 600 req/s after a 500 ms warm-up, then 900, 1350, 2000 req/s, 1 s steps (2 windows each: a breach still needs 2 confirming windows), generator send-lag allowance 25 ms; detect defaults otherwise (k = 3, confirm = 2, p99 floor 2x)',
      ...stops,
    ],
    targets: [
      {
        target: '0 false stops in 20 runs',
        measured: `${falseStops} false stops in ${RUNS} runs (${windows} judged windows)${RUNS - (outcomes.completed ?? 0) - falseStops ? `; ${RUNS - (outcomes.completed ?? 0) - falseStops} ended otherwise (see notes)` : ''}`,
        met: falseStops === 0,
      },
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run();
  console.log(r.title);
  console.table(r.rows);
  for (const n of [...(r.notes ?? []), ...(r.targets ?? []).map((t) => `${t.target}: ${t.measured}: ${t.met ? 'met' : 'not met'}`)]) console.log(`- ${n}`);
}
