// Memory: RSS of a critpoint run (the CLI, `critpoint run`, in its own
// process) holding a constant rate against the Go fixture's /fast route.
// Quick (default): 60 s at 10,000 req/s. --full: 10 minutes at 10,000 req/s,
// then 100 s at 8,000 req/s (the issue's two figures). Each run is one
// constant-rate phase (load.start = load.end: a 3 s warm-up, then 1 s
// baseline windows, no ramp), so its memory is the steady state of windows,
// histograms, runtime samples and sockets.
// Measured: peak RSS (the kernel's VmHWM), RSS every 250 ms from /proc and
// its slope (least squares, MB/min) over the last 80% of the load; from a
// probe preloaded into the CLI process (bench/lib/memory-probe.mjs):
// heapUsed, the heap in use right after each major GC (close to the live
// heap: a leak shows as its slope) and the GC counts; from the run's own
// report: the rate achieved against the rate offered, and how many 1 s
// windows sent less than 99% of it (a generator that could not keep the rate
// is visible next to its memory).
//   flock /tmp/critpoint-load.lock npx tsx bench/memory.ts [--full]
//   CRITPOINT_MEMORY_RUNS=4000x120,8000x100 npx tsx bench/memory.ts   (rate x seconds per run)
//   CRITPOINT_MEMORY_NODE_ARGS=--heap-growing-percent=0 ... (node flags for the CLI process: 0 = V8's own
//   heap growth instead of the CLI's heap policy, src/cli/heap-policy.ts, for an A/B run)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { linearRegression } from 'simple-statistics';
import { startGoTarget } from '../test/helpers/go-target.js';
import { ensureGoTarget, FULL, fixed, MODE } from './lib/bench-run.js';
import type { BenchResult, TargetCheck } from './types.js';

const RSS_TARGET_MB = 150;
/** "Flat": RSS rising less than this over the last 80% of the run (a 10-minute run: under 8 MB in 8 minutes). */
const FLAT_MB_PER_MIN = 1;
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const PROBE = fileURLToPath(new URL('./lib/memory-probe.mjs', import.meta.url));
const MB = 1024 * 1024;

interface RunSpec {
  rate: number;
  seconds: number;
}

function runSpecs(): RunSpec[] {
  const env = process.env.CRITPOINT_MEMORY_RUNS;
  const text = env ?? (FULL ? '10000x600,8000x100' : '10000x60');
  return text.split(',').map((part) => {
    const m = /^(\d+)x(\d+)$/.exec(part.trim());
    if (!m) throw new Error(`CRITPOINT_MEMORY_RUNS: each run is <rate>x<seconds>, got "${part}"`);
    const spec = { rate: Number(m[1]), seconds: Number(m[2]) };
    if (spec.rate < 1 || spec.rate > 20_000 || spec.seconds < 10 || spec.seconds > 900)
      throw new Error(`CRITPOINT_MEMORY_RUNS: rate 1..20000 and seconds 10..900, got "${part}"`);
    return spec;
  });
}

function statusKb(pid: number, field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function findFile(dir: string, name: string): string | null {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isFile() && e.name === name) return p;
    if (e.isDirectory()) {
      const found = findFile(p, name);
      if (found) return found;
    }
  }
  return null;
}

/** Least-squares slope of (ms, bytes) points in MB/min; NaN with fewer than 3 points. */
export function slopeMbPerMin(points: readonly (readonly [number, number])[]): number {
  if (points.length < 3) return NaN;
  return linearRegression(points.map(([t, v]) => [t / 60_000, v / MB])).m;
}

interface ProbeSample {
  at: number;
  rss?: number;
  heapUsed?: number;
  afterMajorGc?: number;
  gc?: { major: number; minor: number; majorMs: number; maxMajorMs: number };
}

interface Summary {
  startedAt?: string;
  endedAt?: string;
  stopReason?: string;
  steps?: { phase: string; stats: { achievedRate: number; sendLagP99: number; sent: number } }[];
}

interface Measured {
  spec: RunSpec;
  peakMb: number;
  slope: number;
  achieved: number;
  behindWindows: number;
  measuredWindows: number;
  stopReason: string;
  row: Record<string, string | number>;
  series: string;
}

async function measure(url: string, spec: RunSpec, dir: string): Promise<Measured> {
  const { rate, seconds } = spec;
  const file = join(dir, `memory-${rate}x${seconds}.json`);
  const probeFile = join(dir, `probe-${rate}x${seconds}.jsonl`);
  const resultsDir = join(dir, `results-${rate}x${seconds}`);
  writeFileSync(
    file,
    JSON.stringify({
      name: 'bench-memory',
      target: { url },
      http: { method: 'GET', path: '/fast', timeout: '5s' },
      load: { start: rate, end: rate, warmup: '3s', baselineWindows: seconds - 3, maxDuration: `${seconds + 120}s`, maxInFlight: 1000 },
      detect: { window: '1s' },
      report: { dir: resultsDir, formats: ['json', 'csv'] },
    }),
  );
  const nodeArgs = (process.env.CRITPOINT_MEMORY_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', pathToFileURL(PROBE).href, CLI, 'run', file, '--quiet', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CRITPOINT_MEMORY_PROBE: probeFile },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  let peakKb = 0;
  const rss: [number, number][] = [];
  const poll = setInterval(() => {
    const hwm = statusKb(child.pid ?? 0, 'VmHWM');
    const now = statusKb(child.pid ?? 0, 'VmRSS');
    if (hwm !== null) peakKb = Math.max(peakKb, hwm);
    if (now !== null) rss.push([Date.now(), now * 1024]);
  }, 250);
  // The run's own load.maxDuration (seconds + 120) ends it; the kill is only for a run that outlives its cap.
  const kill = setTimeout(() => child.kill('SIGKILL'), (seconds + 120 + 60) * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearInterval(poll);
  clearTimeout(kill);
  let summary: Summary;
  try {
    summary = JSON.parse(out) as Summary;
  } catch {
    throw new Error(`critpoint run printed no JSON (exit ${code}${code === null ? ', killed after its load.maxDuration' : ''}): ${err.trim().slice(-1000)}`);
  }
  const probe = existsSync(probeFile)
    ? readFileSync(probeFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as ProbeSample)
    : [];

  // The load: from the run's start to its end (the summary's clock is the same wall clock); its last 80%.
  const start = Date.parse(summary.startedAt ?? '') || (rss[0]?.[0] ?? 0);
  const end = Date.parse(summary.endedAt ?? '') || (rss[rss.length - 1]?.[0] ?? 0);
  const from = start + 0.2 * (end - start);
  const inLoad = <T extends readonly [number, number]>(pts: T[], lo = start) => pts.filter(([t]) => t >= lo && t <= end);
  const rssLate = inLoad(rss, from);
  const slope = slopeMbPerMin(rssLate.map(([t, v]) => [t - from, v] as const));
  const liveLate = inLoad(
    probe.filter((p) => p.afterMajorGc !== undefined).map((p) => [p.at, p.afterMajorGc ?? 0] as [number, number]),
    from,
  );
  const liveSlope = slopeMbPerMin(liveLate.map(([t, v]) => [t - from, v] as const));
  const heap = inLoad(probe.filter((p) => p.heapUsed !== undefined).map((p) => [p.at, p.heapUsed ?? 0] as [number, number]));
  const heapMaxMb = heap.length ? Math.max(...heap.map(([, v]) => v)) / MB : NaN;
  const lastGc = [...probe].reverse().find((p) => p.gc)?.gc;
  const rssAt = (f: number): number => {
    const t = start + f * (end - start);
    const near = rss.reduce<[number, number] | undefined>((best, p) => (!best || Math.abs(p[0] - t) < Math.abs(best[0] - t) ? p : best), undefined);
    return near ? near[1] / MB : NaN;
  };

  // Achieved against offered: the baseline step, and each measured 1 s window's send rate.
  const base = summary.steps?.find((s) => s.phase === 'baseline')?.stats;
  const csvPath = existsSync(resultsDir) ? findFile(resultsDir, 'windows.csv') : null;
  const windows = csvPath ? (parse(readFileSync(csvPath, 'utf8'), { columns: true }) as Record<string, string>[]) : [];
  // csv-stringify writes a boolean as '1' or ''.
  const yes = (v: string | undefined) => v === '1' || v === 'true';
  const measured = windows.filter((w) => w.phase === 'baseline' && !yes(w.warmup) && !yes(w.sparse));
  const behind = measured.filter((w) => Number(w.send_rate) < 0.99 * Number(w.offered));
  const lagOver2 = measured.filter((w) => Number(w.send_lag_p99_ms) > 2);
  const achieved = base?.achievedRate ?? NaN;
  const peakMb = peakKb / 1024;
  // Where the highest sample fell: a peak past 100% is the report being built and written, not the load.
  const top = rss.reduce<[number, number] | undefined>((best, p) => (!best || p[1] > best[1] ? p : best), undefined);
  const peakAt = top && end > start ? `${Math.round((100 * (top[0] - start)) / (end - start))}%` : '-';
  const first = liveLate[0]?.[1];
  const last = liveLate[liveLate.length - 1]?.[1];
  return {
    spec,
    peakMb,
    slope,
    achieved,
    behindWindows: behind.length,
    measuredWindows: measured.length,
    stopReason: summary.stopReason ?? `exit ${code}`,
    row: {
      'offered req/s': rate,
      'achieved req/s': Math.round(achieved),
      'windows < 99% sent': `${behind.length}/${measured.length}`,
      'send-lag p99 ms': base ? fixed(base.sendLagP99, 1) : '-',
      'windows lag > 2 ms': `${lagOver2.length}/${measured.length}`,
      'run s': fixed((end - start) / 1000, 0),
      'peak RSS MB': fixed(peakMb),
      'peak sample at % of load': peakAt,
      'RSS at 50% MB': fixed(rssAt(0.5)),
      'RSS at end MB': fixed(rssAt(1)),
      'RSS slope MB/min': fixed(slope, 2),
      'heapUsed max MB': fixed(heapMaxMb),
      'live heap MB (after MC)': first !== undefined && last !== undefined ? `${fixed(first / MB)}-${fixed(last / MB)}` : '-',
      'live slope MB/min': fixed(liveSlope, 2),
      // What each request leaves behind for good, if anything: the live heap's growth per request sent.
      'retained B/request': Number.isFinite(liveSlope) && achieved > 0 ? fixed((liveSlope * MB) / (achieved * 60), 2) : '-',
      'MCs (max pause ms)': lastGc ? `${lastGc.major} (${fixed(lastGc.maxMajorMs, 1)})` : '-',
      'stop reason': summary.stopReason ?? `exit ${code}`,
    },
    series: `${rate} req/s x ${seconds} s: RSS MB at each 10% of the load: ${[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]
      .map((f) => rssAt(f).toFixed(0))
      .join(' ')}`,
  };
}

function check(m: Measured): TargetCheck {
  const { rate, seconds } = m.spec;
  const held = m.achieved >= 0.99 * rate && m.behindWindows <= 0.01 * m.measuredWindows;
  const under = m.peakMb <= RSS_TARGET_MB;
  const flat = m.slope <= FLAT_MB_PER_MIN;
  return {
    target: `peak RSS <= ${RSS_TARGET_MB} MB and flat (slope <= ${FLAT_MB_PER_MIN} MB/min over the last 80%) at ${rate} req/s for ${seconds} s`,
    measured: `peak ${m.peakMb.toFixed(0)} MB, slope ${m.slope.toFixed(2)} MB/min, ${Math.round(m.achieved)} req/s achieved of ${rate} (${m.behindWindows}/${m.measuredWindows} windows sent < 99%)`,
    // Over the bound or rising is a failure at any achieved rate; under it and flat counts only where the rate was held.
    met: !under || !flat ? false : held ? true : null,
  };
}

export async function run(): Promise<BenchResult> {
  ensureGoTarget();
  if (!existsSync(CLI)) throw new Error(`${CLI} not found: run \`npm run build\` first`);
  const specs = runSpecs();
  const target = await startGoTarget({ workers: 8, serviceTimeMs: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'critpoint-bench-memory-'));
  try {
    const runs: Measured[] = [];
    for (const spec of specs) runs.push(await measure(target.url, spec, dir));
    return {
      title: `Memory: RSS of \`critpoint run\` at a constant rate (${MODE} mode: ${specs.map((s) => `${s.rate} req/s x ${s.seconds} s`).join(', ')})`,
      rows: runs.map((r) => r.row),
      notes: [
        ...runs.map((r) => r.series),
        `${MODE} mode; --full runs 10 minutes at 10,000 req/s and 100 s at 8,000 req/s; CRITPOINT_MEMORY_RUNS=<rate>x<seconds>,... picks other runs`,
        'the CLI in its own Node process (`critpoint run`, JSON + CSV report), one constant-rate phase: load.start = load.end, warm-up 3 s, then 1 s baseline windows; target: Go fixture /fast (8 workers x 1 ms)',
        'peak RSS = the kernel VmHWM; RSS slope = least squares over the RSS samples (every 250 ms) of the last 80% of the load; live heap = heapUsed read right after each mark-compact (MC), first and last of the last 80%, and its slope (a leak; per request: retained B/request)',
        '"windows < 99% sent": measured 1 s windows whose send rate fell below 99% of the offered rate (the generator did not keep the rate); memory is judged only where the rate was held',
      ],
      targets: runs.map(check),
    };
  } finally {
    await target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run();
  console.log(r.title);
  console.table(r.rows);
  for (const n of [
    ...(r.notes ?? []),
    ...(r.targets ?? []).map((t) => `${t.target}: ${t.measured}: ${t.met ? 'met' : t.met === null ? 'not judged' : 'not met'}`),
  ])
    console.log(`- ${n}`);
}
