// Benchmark (not a test): how fast critpoint reads k6 JSON output. A k6-format
// file of a modelled run (13 lines per request, the shapes of real k6 v0.48
// output) is read (a) parsing every line as JSON, (b) with the prefix fast
// path the engine and analyze use, and (c) through the whole `analyze`,
// plain, gzipped and split in two runner files. Medians of 5 runs. CPU only,
// no network; run under the load lock:
//   flock /tmp/critpoint-load.lock npx tsx bench/k6-parse.ts
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from 'simple-statistics';
import { K6LineWriter } from '../test/helpers/k6-format.js';
import { readLines } from '../src/k6/line-reader.js';
import { parseK6Line } from '../src/k6/k6-lines.js';
import { eventOfLine, newLineStats } from '../src/k6/k6-events.js';
import { resolveScenario } from '../src/scenario/load.js';
import { scenarioK6Plan } from '../src/k6/export/k6-plan.js';
import { analyzeK6 } from '../src/k6/analyze/analyze.js';
import { seededRandom } from '../src/stats/seeded-random.js';

const RUNS = 5;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export async function run(): Promise<{ title: string; rows: Record<string, string | number>[]; notes?: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-k6-'));
  try {
    const s = resolveScenario({
      name: 'bench',
      target: { url: 'http://127.0.0.1:9/' },
      load: { start: 500, end: 1700, growth: { factor: 1.5 }, stepDuration: '3s', warmup: '1s', baselineWindows: 5, drain: '500ms' },
      detect: { minRequests: 200 },
    });
    const plan = scenarioK6Plan(s);
    const file = join(dir, 'run.json');
    const out = createWriteStream(file);
    const w = new K6LineWriter();
    const rnd = seededRandom(3);
    let requests = 0;
    for (const st of plan.steps) {
      const n = Math.floor((st.load * (st.endMs - st.startMs)) / 1000);
      for (let i = 0; i < n; i++) {
        const tIn = ((i + 1) * 1000) / st.load;
        const d = 3 + -Math.log(1 - rnd()) + (st.load > 1000 ? ((st.load - 1000) / 1000) * tIn : 0);
        if (!out.write(w.request({ endMs: 1.8e12 + st.startMs + tIn + d, durationMs: d, status: 200, step: st.index, load: st.load })))
          await once(out, 'drain');
        requests++;
      }
    }
    out.end();
    await once(out, 'finish');
    const text = await readFile(file, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    const gz = join(dir, 'run.json.gz');
    await writeFile(gz, gzipSync(text));
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    await writeFile(a, `${lines.filter((_, i) => i % 2 === 0).join('\n')}\n`);
    await writeFile(b, `${lines.filter((_, i) => i % 2 === 1).join('\n')}\n`);
    const mb = (await stat(file)).size / 1e6;

    const cases: [string, () => Promise<unknown>][] = [
      [
        'read + JSON.parse every line',
        async () => {
          for await (const l of readLines(file)) parseK6Line(l);
        },
      ],
      [
        'read + prefix fast path (engine/analyze)',
        async () => {
          const st = newLineStats();
          for await (const l of readLines(file)) eventOfLine(l, st);
        },
      ],
      ['analyze, 1 plain file', () => analyzeK6([file], s, { dryWrite: true })],
      ['analyze, 1 gzipped file', () => analyzeK6([gz], s, { dryWrite: true })],
      ['analyze, 2 runner files', () => analyzeK6([a, b], s, { dryWrite: true })],
    ];
    const rows: Record<string, string | number>[] = [];
    let base = 0;
    for (const [name, fn] of cases) {
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) ms.push(await time(fn));
      const m = median(ms);
      if (base === 0) base = m;
      rows.push({
        case: name,
        'median ms': Math.round(m),
        'lines/s': Math.round(lines.length / (m / 1000)),
        'MB/s': Number((mb / (m / 1000)).toFixed(1)),
        'vs JSON.parse all': Number((base / m).toFixed(2)),
      });
    }
    return {
      title: `k6 JSON output reading (${lines.length} lines, ${requests} requests, ${mb.toFixed(1)} MB; analyze reads each file twice)`,
      rows,
      notes: [`medians of ${RUNS} runs on ${process.version}`],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  console.log(r.title);
  console.table(r.rows);
  for (const n of r.notes ?? []) console.log(n);
}
