// npm run bench: runs every benchmark (bounded, loopback only), prints one
// table per benchmark and writes results/bench/<timestamp>/bench.json.
// A benchmark is not a test: it measures and reports, it does not pass/fail.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import type { BenchResult } from './paced-engine.js';

const benches: Record<string, () => Promise<{ run: () => Promise<BenchResult> }>> = {
  'paced-engine': () => import('./paced-engine.js'),
};

const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const started = new Date();
const machine = { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.arch()}`, memoryGb: Math.round(os.totalmem() / 2 ** 30) };
console.log(`critpoint bench ${started.toISOString()} on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}`);
const results: Record<string, BenchResult | { error: string }> = {};
for (const [name, load] of Object.entries(benches)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const t0 = Date.now();
  try {
    const r = await (await load()).run();
    results[name] = r;
    console.log(`\n## ${r.title} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    console.table(r.rows);
    for (const n of r.notes ?? []) console.log(`- ${n}`);
  } catch (err) {
    results[name] = { error: (err as Error).stack ?? String(err) };
    console.log(`\n## ${name}: FAILED: ${(err as Error).message}`);
  }
}
const dir = join('results', 'bench', started.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z'));
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'bench.json'), `${JSON.stringify({ startedAt: started.toISOString(), endedAt: new Date().toISOString(), command: `npm run bench${only.length ? ` -- ${only.join(' ')}` : ''}`, machine, results }, null, 2)}\n`);
console.log(`\nwritten ${join(dir, 'bench.json')}`);
