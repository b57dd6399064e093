// Stop latency: from the runner's decision (a confirmed breach aborts the
// step) to the last request sent, and to every in-flight request done.
// Timed from outside the runner: the scenario's engine is wrapped (its abort
// signal and liveness sink) and undici's diagnostics channels report each
// request handed to the pool (request:create) and each whose headers reached
// a socket (client:sendHeaders). Every breaching step of a run counts (ramp
// and refinement). Target: Go fixture pool W=8 S=8ms (1000 req/s, sharp knee).
//   flock /tmp/critpoint-load.lock npx tsx bench/stop-latency.ts [--full]
import { pathToFileURL } from 'node:url';
import { startGoTarget } from '../test/helpers/go-target.js';
import { ensureGoTarget, FULL, fixed, median, MODE, shortScenario, timedRun, type StopTiming } from './lib/bench-run.js';
import type { BenchResult } from './types.js';

const RUNS = FULL ? 5 : 2;
const LAST_REQUEST_TARGET_MS = 100;

export async function run(): Promise<BenchResult> {
  ensureGoTarget();
  const target = await startGoTarget({ workers: 8, serviceTimeMs: 8 });
  const stops: StopTiming[] = [];
  const reasons: string[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      // Start near the knee: 700 -> 980 -> 1372 (breach), then bisection steps, some of which breach too.
      const r = await timedRun(shortScenario(target.url, { name: `stop-latency-${i}`, load: { start: 700, end: 2000, seed: i + 1 } }));
      stops.push(...r.stops);
      reasons.push(r.result.stopReason);
    }
  } finally {
    await target.stop();
  }
  const col = (k: keyof StopTiming) => stops.map((s) => s[k]);
  const row = (what: string, k: keyof StopTiming, unit = 'ms') => {
    const xs = col(k);
    return { what, unit, median: xs.length ? fixed(median(xs), 2) : '-', max: xs.length ? fixed(Math.max(...xs), 2) : '-' };
  };
  const rows = [
    row('requests handed to the pool after the decision', 'createdAfter', 'requests'),
    row('last request handed to the pool', 'lastCreateMs'),
    row('last request on the wire (headers written)', 'lastOnWireMs'),
    row('last in-flight response or failure', 'lastOutcomeMs'),
    row('step returned (in-flight drained)', 'stepReturnedMs'),
  ];
  const worst = stops.length ? Math.max(...col('lastOnWireMs'), ...col('lastCreateMs')) : NaN;
  return {
    title: `Stop latency after a confirmed breach (${stops.length} stops in ${RUNS} runs, Go fixture W=8 S=8ms)`,
    rows: rows.map((r) => ({ ...r, stops: stops.length })),
    notes: [
      `${MODE} mode: ${RUNS} runs (--full: 5), each a short ramp 700 -> 2000 req/s (x1.4, 1.5 s steps) with bisection; every step aborted for a breach is one stop; run outcomes: ${reasons.join(', ')}`,
      "ms after the decision = after the step's abort signal fired (the runner aborts it synchronously on the window that confirms the breach); 0 = nothing after it",
      "a request can leave just after the decision when the confirming window was closed by that request's own scheduling call: it is counted above",
      "in-flight requests at a breach are the target's queue: they finish at its capacity, so \"in-flight done\" is the queue's drain time (capped at min(http.timeout, 5 s)), not the generator's",
    ],
    targets: [
      {
        target: `last request <= ${LAST_REQUEST_TARGET_MS} ms after the decision`,
        measured: stops.length
          ? `worst ${worst.toFixed(2)} ms over ${stops.length} stops (median in-flight done ${median(col('stepReturnedMs')).toFixed(0)} ms)`
          : 'no breach observed',
        met: stops.length ? worst <= LAST_REQUEST_TARGET_MS : null,
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
