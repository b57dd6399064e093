// Benchmark (not a test): does the live view disturb the measurement? The
// same short ramp against the demo target (4 slots x 10 ms, in this process),
// run by the CLI inside a pseudo-terminal with the live view and with
// --quiet, in interleaved pairs (ABBA). Compares the generator's send lag and
// the baseline p99 from each run's summary.json and windows.csv.
// Bounded (PAIRS x 2 runs of about 20 s), loopback only.
//   flock /tmp/critpoint-load.lock npx tsx bench/live-view-overhead.ts
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { startDemoTarget } from '../src/demo/demo-target.js';
import { readRunFolder } from '../src/reporters/run-folder.js';
import { runCliInPty } from '../test/helpers/cli-child.js';

const PAIRS = Number(process.env.PAIRS ?? 5);
const SCENARIO = 'test/fixtures/scenarios/live-short.yaml';

interface Sample {
  mode: 'live' | 'quiet';
  /** Median and max over evaluated windows of the window's send-lag p99, ms. */
  lagMedian: number;
  lagMax: number;
  baselineP99: number;
  criticalPoint: number | null;
}

async function once(mode: 'live' | 'quiet', url: string): Promise<Sample> {
  const out = await mkdtemp(join(tmpdir(), 'critpoint-bench-live-'));
  try {
    const run = await runCliInPty(['run', SCENARIO, '--target', url, '--out', out, ...(mode === 'quiet' ? ['--quiet'] : [])], 120, 120_000);
    if (run.code !== 0 && run.code !== 3) throw new Error(`run exited ${run.code}: ${run.stdout.slice(-500)}`);
    const dir = join(out, 'live-short', (await readdir(join(out, 'live-short')))[0]!);
    const { result } = await readRunFolder(dir);
    const lags = result.windows.filter((w) => !w.warmup && !w.sparse).map((w) => w.sendLagP99);
    return {
      mode,
      lagMedian: median(lags),
      lagMax: Math.max(...lags),
      baselineP99: result.steps[0]!.stats.p99,
      criticalPoint: result.criticalPoint?.value ?? null,
    };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

export async function run(): Promise<{ title: string; rows: Record<string, string | number>[]; notes?: string[] }> {
  const target = await startDemoTarget({ workers: 4, serviceMs: 10 });
  const samples: Sample[] = [];
  try {
    for (let i = 0; i < PAIRS; i++) {
      const order: ('live' | 'quiet')[] = i % 2 === 0 ? ['live', 'quiet'] : ['quiet', 'live'];
      for (const mode of order) samples.push(await once(mode, target.url));
    }
  } finally {
    await target.close();
  }
  const f = (x: number) => Number(x.toFixed(2));
  const rows: Record<string, string | number>[] = (['live', 'quiet'] as const).map((mode) => {
    const s = samples.filter((x) => x.mode === mode);
    return {
      mode,
      runs: s.length,
      'window lag p99, median of runs (ms)': f(median(s.map((x) => x.lagMedian))),
      'window lag p99, worst, median of runs (ms)': f(median(s.map((x) => x.lagMax))),
      'baseline p99, median of runs (ms)': f(median(s.map((x) => x.baselineP99))),
      'critical points': s.map((x) => x.criticalPoint ?? '-').join(' '),
    };
  });
  const ratio = (k: keyof Sample) =>
    median(samples.filter((x) => x.mode === 'live').map((x) => x[k] as number)) / median(samples.filter((x) => x.mode === 'quiet').map((x) => x[k] as number));
  return {
    title: `Live view vs --quiet in a pseudo-terminal, ${PAIRS} interleaved pairs`,
    rows,
    notes: [
      `live/quiet ratio of medians: window send-lag p99 ${ratio('lagMedian').toFixed(2)}, worst window send-lag p99 ${ratio('lagMax').toFixed(2)}, baseline p99 ${ratio('baselineP99').toFixed(2)}`,
      'per run: ' + samples.map((x) => `${x.mode} lag ${f(x.lagMedian)}/${f(x.lagMax)} ms p99 ${f(x.baselineP99)} ms cp ${x.criticalPoint ?? '-'}`).join('; '),
    ],
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run();
  console.log(r.title);
  console.table(r.rows);
  for (const n of r.notes ?? []) console.log(`- ${n}`);
}
