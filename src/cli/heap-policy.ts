// The CLI's V8 heap policy (the library leaves its host process's heap alone:
// docs/library.md says how to apply the same flag there).
// A long run at 8-10k req/s keeps a flat live heap (about 30 MB after each
// mark-compact) but promotes garbage from the young generation steadily
// (requests in flight, undici's parser buffers and timers alive across a
// scavenge). When collecting is cheap, V8 lets the old generation grow to up
// to about 4x the live heap before the next mark-compact, so RSS climbed past
// 230 MB with nothing leaking. A growing factor of 1.2 makes V8 start marking
// (mostly concurrently) once the old generation holds about 16 MB of garbage
// (V8's minimum step): the peak stays near the live heap. Measured in
// `npm run bench -- memory` (docs/benchmarks.md).
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 20;

const GROWING = /(^|\s)--heap[-_]growing[-_]percent(=|\s|$)/;

/** The V8 flag the CLI sets, or null when the user chose a growing factor on node's command line or in NODE_OPTIONS. */
export function heapPolicyFlag(execArgv: readonly string[], nodeOptions = ''): string | null {
  if (execArgv.some((a) => GROWING.test(a)) || GROWING.test(nodeOptions)) return null;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/** Applies the policy to this process (V8 reads the factor at every mark-compact, so setting it at startup is enough). */
export function applyHeapPolicy(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string | null {
  const flag = heapPolicyFlag(execArgv, nodeOptions);
  if (flag) v8.setFlagsFromString(flag);
  return flag;
}
