// Accuracy: the critical point critpoint finds vs the target's closed-loop
// plateau (bare autocannon, measured in this bench), against the Go fixture
// at three capacities and in its gradual-knee mode; N runs per case (3 quick,
// 5 with --full), median ratio and run-to-run spread (CV).
// Service times are >= 5 ms (sleep-based workers, little CPU): at 2 ms the
// generator and the target fight for the 2 cores and p99 rises long before
// the queue does (docs/method.md section 10), which measures the machine, not critpoint.
// Bounded: short steps (1.5 s, 500 ms windows), each run capped at 90 s, loopback only.
//   flock /tmp/critpoint-load.lock npx tsx bench/accuracy.ts [--full]
import { pathToFileURL } from 'node:url';
import { startGoTarget, type GoTargetOptions } from '../test/helpers/go-target.js';
import { measurePlateau } from '../test/helpers/plateau.js';
import { cv, ensureGoTarget, FULL, fixed, median, MODE, pct, shortScenario, timedRun } from './lib/bench-run.js';
import type { BenchResult } from './types.js';

const RUNS = FULL ? 5 : 3;

interface Case {
  name: string;
  target: GoTargetOptions;
}

const cases: Case[] = [
  { name: 'pool W=4 S=5ms', target: { workers: 4, serviceTimeMs: 5 } },
  { name: 'pool W=8 S=8ms', target: { workers: 8, serviceTimeMs: 8 } },
  { name: 'pool W=16 S=10ms', target: { workers: 16, serviceTimeMs: 10 } },
  { name: 'knee W=8 S=5ms k=1', target: { workers: 8, serviceTimeMs: 5, mode: 'knee' } },
];

export async function run(): Promise<BenchResult> {
  ensureGoTarget();
  const rows: Record<string, string | number>[] = [];
  const notes: string[] = [];
  const judged: { ratio: number; cv: number; name: string }[] = [];
  for (const c of cases) {
    const target = await startGoTarget(c.target);
    try {
      const url = `${target.url}/work`;
      const plateau = await measurePlateau(url, 64, 3);
      const cps: number[] = [];
      const other: string[] = [];
      const resolutions: number[] = [];
      const walls: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // Start at 0.6x the plateau: x1.4 steps pass 0.84x and breach at 1.18x, bisection sharpens that to 5%.
        const s = shortScenario(target.url, { name: `accuracy-${i}`, load: { start: Math.round(plateau * 0.6), end: Math.round(plateau * 2), seed: i + 1 } });
        const r = await timedRun(s);
        walls.push(r.wallS);
        const cp = r.result.criticalPoint;
        if (r.result.stopReason === 'breach' && cp) {
          cps.push(cp.value);
          resolutions.push(cp.resolution);
        } else other.push(r.result.stopReason);
      }
      const ratio = cps.length ? median(cps) / plateau : NaN;
      const spread = cv(cps);
      judged.push({ ratio, cv: spread, name: c.name });
      rows.push({
        case: c.name,
        'nominal W/S req/s': Math.round(target.capacity),
        'plateau req/s': Math.round(plateau),
        'runs with a cp': `${cps.length}/${RUNS}`,
        'median cp req/s': cps.length ? median(cps) : '-',
        'cp / plateau': cps.length ? fixed(ratio, 3) : '-',
        CV: cps.length ? pct(spread) : '-',
        'cp min..max': cps.length ? `${Math.min(...cps)}..${Math.max(...cps)}` : '-',
        'median resolution': resolutions.length ? pct(median(resolutions)) : '-',
        'median run s': fixed(median(walls)),
      });
      if (other.length) notes.push(`${c.name}: ${other.length} run(s) ended without a critical point: ${other.join(', ')}`);
    } finally {
      await target.stop();
    }
  }
  const ok = judged.filter((j) => Number.isFinite(j.ratio));
  const worstErr = ok.length ? Math.max(...ok.map((j) => Math.abs(j.ratio - 1))) : NaN;
  const worstCv = ok.length ? Math.max(...ok.map((j) => j.cv)) : NaN;
  const met = ok.length === judged.length && worstErr <= 0.05 && worstCv <= 0.03;
  notes.push(
    `${MODE} mode: ${RUNS} runs per case (--full: 5); plateau = bare autocannon, 64 connections, 3 s, on the same target just before the runs`,
    'scenario: rate ramp from 0.6x plateau, x1.4 steps of 1.5 s, 500 ms windows (>= 150 requests), 10 baseline windows after a 1 s warm-up, bisection to 5%, generator send-lag allowance 25 ms (shared machine); every other detect setting default',
    'service times >= 5 ms (sleep-based): at 2 ms the generator and the target share 2 cores and p99 rises before the queue does (docs/method.md section 10)',
    'gradual-knee case: service time S*(1+u^2), u = busy workers / W, so latency rises with load before the plateau (at u = 1 the capacity is W/2S, half the nominal W/S)',
    "CV = sample SD / mean of the runs' critical points; every run of a case walks the same load grid (start 0.6x plateau, x1.4, then midpoints), so runs that agree give CV 0: the spread shows whether a run ever lands on a different grid point",
  );
  return {
    title: `Accuracy: critical point vs closed-loop plateau (Go fixture, ${RUNS} runs per case)`,
    rows,
    notes,
    targets: [
      {
        target: 'accuracy within +-5% with CV <= 3%',
        measured: ok.length
          ? `worst |cp/plateau - 1| ${pct(worstErr)}, worst CV ${pct(worstCv)} over ${judged.map((j) => `${j.name} ${Number.isFinite(j.ratio) ? j.ratio.toFixed(3) : 'no cp'}`).join(', ')}`
          : 'no critical point found',
        met,
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
