// Lets a benchmark module also run on its own (npx tsx bench/<name>.ts) and print its table.
import type { BenchResult } from '../types.js';

export async function runIfMain(metaUrl: string, run: () => Promise<BenchResult>): Promise<void> {
  if (metaUrl !== `file://${process.argv[1]}`) return;
  const r = await run();
  console.log(r.title);
  console.table(r.rows);
  for (const n of r.notes ?? []) console.log(n);
}
