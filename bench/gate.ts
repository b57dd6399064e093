// Benchmark of the interleaved gate on this machine: two gates of 3 pairs against real Go targets
// (W workers x 8 ms, capacity W / 8 ms) on 127.0.0.1, with the e2e test's fast scenario:
//   B/A: base 8 workers (1000 req/s) vs head 6 workers (750 req/s): expect BLOCK, ratio ~0.75
//   A/A: 6 vs 6 workers (750 vs 750 req/s): expect PASS (or INCONCLUSIVE), ratio ~1
// Reports the verdict, the ratio and its interval, the measured per-pair noise, the minimal
// detectable drop, and what a gate costs (wall time, median run time). Bounded: at most
// 2 x 3 runs per gate, each capped by load.maxDuration (60 s). Run it under the load lock:
//   flock /tmp/critpoint-load.lock npx tsx bench/gate.ts
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from 'simple-statistics';
import { loadScenarioFile } from '../src/scenario/load.js';
import { runInterleavedGate } from '../src/compare/gate-runner.js';
import { GO_TARGET_BUILD_SCRIPT, goTargetAvailable, startGoTarget } from '../test/helpers/go-target.js';
import { percent } from '../src/format/numbers.js';

const SCENARIO = 'test/fixtures/scenarios/gate-fast.yaml';
const PAIRS = 3;

const cases = [
  { name: 'B/A 1000 vs 750 req/s', baseWorkers: 8, headWorkers: 6 },
  { name: 'A/A 750 vs 750 req/s', baseWorkers: 6, headWorkers: 6 },
];

export async function run(): Promise<{ title: string; rows: Record<string, string | number>[]; notes?: string[] }> {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
  const rows: Record<string, string | number>[] = [];
  const errors: string[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'critpoint-bench-gate-'));
  try {
    for (const c of cases) {
      const base = await startGoTarget({ workers: c.baseWorkers, serviceTimeMs: 8 });
      const head = await startGoTarget({ workers: c.headWorkers, serviceTimeMs: 8 });
      try {
        const scenario = await loadScenarioFile(SCENARIO, { target: base.url });
        const t0 = performance.now();
        const o = await runInterleavedGate({
          scenario,
          baseUrl: base.url,
          headUrl: head.url,
          maxDrop: 0.15,
          pairs: PAIRS,
          maxPairs: PAIRS,
          seed: 1,
          cooldownMs: 1_000,
          dir: join(dir, c.name.replace(/\W+/g, '-')),
        });
        const wall = (performance.now() - t0) / 1000;
        const d = o.decision;
        if (!d)
          errors.push(
            `${c.name}: ${o.error} (run folders kept in ${dir}; load average ${loadavg()
              .map((x) => x.toFixed(2))
              .join(' ')})`,
          );
        const cps = (side: 'base' | 'head') => o.runs.filter((r) => r.side === side && r.criticalPoint !== null).map((r) => r.criticalPoint as number);
        rows.push({
          case: c.name,
          verdict: d?.verdict ?? 'ERROR (see notes)',
          'expected ratio': percent(head.capacity / base.capacity),
          'R (head/base)': percent(d?.ratio),
          '95% interval': d ? `${percent(d.lower)} to ${percent(d.upper)}` : '-',
          'per-pair noise': percent(d?.sdLog),
          'min. detectable drop': percent(d?.mde),
          'median cp base': cps('base').length ? median(cps('base')) : '-',
          'median cp head': cps('head').length ? median(cps('head')) : '-',
          'median run s': o.runs.length ? Number(median(o.runs.map((r) => r.durationMs / 1000)).toFixed(1)) : '-',
          'gate wall s': Number(wall.toFixed(1)),
        });
      } finally {
        await Promise.all([base.stop(), head.stop()]);
      }
    }
  } finally {
    if (errors.length === 0) await rm(dir, { recursive: true, force: true });
  }
  return {
    title: `critpoint gate, ${PAIRS} pairs per gate, max drop 15%, Go targets W x 8 ms on 127.0.0.1 (${SCENARIO})`,
    rows,
    notes: [
      ...errors,
      "Critical points are quantized by the ramp (x1.25) and bisection (5%): runs of one side often land on the same load, so the per-pair noise is small and the interval is widened by the runs' resolutions.",
      'A gate costs 2 x pairs runs plus a 1 s cooldown between runs.',
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run();
  console.log(r.title);
  console.table(r.rows);
  for (const n of r.notes ?? []) console.log(`note: ${n}`);
}
