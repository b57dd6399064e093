// npm run bench: runs every benchmark (bounded, loopback only), prints one
// table per benchmark and writes results/bench/<timestamp>/bench.json.
// A benchmark is not a test: it measures and reports, it does not pass/fail;
// the closing summary states which of the issue's targets are met.
// Modes: --quick (default) or --full (5 runs per accuracy case, the 10-minute memory run).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import type { BenchResult } from './types.js';
import { summarize } from './summary.js';

// The default set; the slower ones run when named: npm run bench -- gate live-view-overhead
const benches: Record<string, () => Promise<{ run: () => Promise<BenchResult> }>> = {
  'paced-engine': () => import('./paced-engine.js'),
  'http2-engine': () => import('./http2-engine.js'),
  'grpc-engine': () => import('./grpc-engine.js'),
  'sampler-overhead': () => import('./sampler-overhead.js'),
  'closed-loop': () => import('./closed-loop.js'),
  'k6-parse': () => import('./k6-parse.js'),
  'report-render': () => import('./report-render.js'),
  accuracy: () => import('./accuracy.js'),
  'time-to-answer': () => import('./time-to-answer.js'),
  'stop-latency': () => import('./stop-latency.js'),
  memory: () => import('./memory.js'),
  'false-stops': () => import('./false-stops.js'),
};
const onDemand: Record<string, () => Promise<{ run: () => Promise<BenchResult> }>> = {
  gate: () => import('./gate.js'),
  'paced-sweep': () => import('./paced-sweep.js'),
  'request-mix': () => import('./request-mix.js'),
  'live-view-overhead': () => import('./live-view-overhead.js'),
};

const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const unknownFlags = flags.filter((f) => f !== '--quick' && f !== '--full');
if (unknownFlags.length) throw new Error(`unknown flag(s) ${unknownFlags.join(' ')}: use --quick (default) or --full`);
const mode = flags.includes('--full') ? 'full' : 'quick';
const started = new Date();
const machine = {
  cores: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
};
console.log(`critpoint bench (${mode}) ${started.toISOString()} on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}`);
const results: Record<string, BenchResult | { error: string }> = {};
/** Wall seconds per benchmark. */
const seconds: Record<string, number> = {};
const selected = only.length > 0 ? Object.entries({ ...benches, ...onDemand }).filter(([name]) => only.includes(name)) : Object.entries(benches);
for (const [name, load] of selected) {
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
  seconds[name] = Math.round((Date.now() - t0) / 1000);
}
const summary = summarize(results);
const totalS = Math.round((Date.now() - started.getTime()) / 1000);
console.log(`\n## Summary: the issue's targets (${mode} mode, ${totalS} s in all)`);
console.table(summary);
const dir = join(
  'results',
  'bench',
  started
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z'),
);
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'bench.json'),
  `${JSON.stringify({ startedAt: started.toISOString(), endedAt: new Date().toISOString(), command: `npm run bench${only.length || flags.length ? ` -- ${[...only, ...flags].join(' ')}` : ''}`, mode, totalS, seconds, machine, summary, results }, null, 2)}\n`,
);
console.log(`\nwritten ${join(dir, 'bench.json')}`);
