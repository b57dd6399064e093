// Time to answer: seconds of load until the critical point is known to 5%,
// with the default search (geometric x1.5 ramp, then bisection) on the
// default step lengths (3 s warm-up, 20 x 1 s baseline windows, 5 s steps),
// vs a linear ramp in 5% steps over the same range on the same target.
// The default search is a real run (Go fixture pool W=8 S=8ms, 1000 req/s,
// ramp from 200 req/s). The linear ramp is computed from that run's measured
// step durations, not run: the same baseline, then steps of 5% of the found
// critical point from the start up to it (each as long as the run's passing
// steps), then one breaching step (as long as the run's first breaching step).
// 5% of the critical point is the coarsest linear step that gives 5% resolution
// at the knee; 5% of the start would be 5x finer here, and slower.
//   flock /tmp/critpoint-load.lock npx tsx bench/time-to-answer.ts [--full]
import { pathToFileURL } from 'node:url';
import { resolveScenario } from '../src/scenario/load.js';
import type { ScenarioInput } from '../src/scenario/schema.js';
import { startGoTarget } from '../test/helpers/go-target.js';
import { BENCH_MAX_SEND_LAG, ensureGoTarget, FULL, fixed, loadSeconds, median, MODE, pct, timedRun } from './lib/bench-run.js';
import type { BenchResult } from './types.js';

const RUNS = FULL ? 3 : 1;
const START = 200;
const TARGET_S = 60;

export async function run(): Promise<BenchResult> {
  ensureGoTarget();
  const target = await startGoTarget({ workers: 8, serviceTimeMs: 8 });
  const rows: Record<string, string | number>[] = [];
  const search: number[] = [];
  const linear: number[] = [];
  const resolutions: number[] = [];
  const notes: string[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const s = resolveScenario({
        name: `time-to-answer-${i}`,
        target: { url: target.url },
        http: { method: 'GET', path: '/work', timeout: '5s' },
        load: { start: START, end: 5000, seed: i + 1 },
        detect: { generator: { maxSendLag: BENCH_MAX_SEND_LAG } },
        report: { dir: 'results', formats: ['json'] },
      } as ScenarioInput);
      const r = await timedRun(s);
      const res = r.result;
      const cp = res.criticalPoint;
      if (res.stopReason !== 'breach' || !cp) {
        notes.push(`run ${i}: ended ${res.stopReason} (${res.stopDetail}): no time to answer`);
        continue;
      }
      const base = res.steps.find((st) => st.phase === 'baseline');
      const passing = res.steps.filter((st) => st.phase !== 'baseline' && st.outcome === 'pass');
      const breaching = res.steps.filter((st) => st.outcome === 'breach');
      const baseS = (base?.stats.elapsedMs ?? 0) / 1000;
      const passS = passing.length ? median(passing.map((st) => st.stats.elapsedMs)) / 1000 : s.load.stepDuration / 1000;
      const breachS = (breaching[0]?.stats.elapsedMs ?? s.load.stepDuration) / 1000;
      const step = 0.05 * cp.value;
      const linearSteps = Math.floor((cp.value - START) / step + 1e-9);
      const linearS = baseS + linearSteps * passS + breachS;
      const searchS = loadSeconds(res);
      search.push(searchS);
      resolutions.push(cp.resolution);
      linear.push(linearS);
      rows.push({
        run: i + 1,
        'critical point req/s': cp.value,
        resolution: pct(cp.resolution),
        'search steps (ramp+refine)': `${res.steps.filter((st) => st.phase === 'ramp').length}+${res.steps.filter((st) => st.phase === 'refine').length}`,
        'search load s': fixed(searchS),
        'baseline s': fixed(baseS),
        'linear steps (5% of cp)': `${linearSteps}+1 of ${Math.round(step)} req/s`,
        'linear load s (computed)': fixed(linearS),
        'linear / search': fixed(linearS / searchS, 2),
        'run wall s': fixed(r.wallS),
      });
    }
  } finally {
    await target.stop();
  }
  const med = search.length ? median(search) : NaN;
  const sharp = resolutions.every((x) => x <= 0.05 + 1e-9);
  if (!sharp) notes.push('a run ended with a resolution above 5% (load.refine.maxSteps spent): its time is not a time to a 5% answer');
  notes.push(
    `${MODE} mode: ${RUNS} run(s) (--full: 3); default scenario except target, load.start ${START} req/s, load.end 5000 req/s and the generator send-lag allowance (${BENCH_MAX_SEND_LAG}, shared machine)`,
    "load seconds = every step's wall time including the warm-up, the baseline and the in-flight drain of each step; the pauses between steps (load.drain) carry no load and are not counted",
    'the linear ramp is computed from the measured step durations (see the header of bench/time-to-answer.ts), assuming it would breach at the same point',
  );
  return {
    title: `Time to answer: default geometric + bisection search vs linear 5% ramp (Go fixture W=8 S=8ms, 1000 req/s)`,
    rows,
    notes,
    targets: [
      {
        target: `<= ${TARGET_S} s of load to a 5% critical point`,
        measured: search.length ? `${med.toFixed(1)} s (median of ${search.length}); linear 5% ramp ${median(linear).toFixed(1)} s` : 'no critical point found',
        met: search.length ? med <= TARGET_S && sharp : false,
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
