// How much of a core this process gets when it asks for one: the share of
// wall time a busy loop actually runs. On a quiet machine that is ~100%;
// when other work holds both cores it falls far below, and then no generator
// can keep a millisecond schedule (an idle timer still fires nearly on time:
// the scheduler favours a sleeper, not a process that keeps working). Tests
// whose claim is "the generator keeps its schedule" check this first and say
// so instead of failing on the machine.
import { performance } from 'node:perf_hooks';

/** Share (0..1) of durationMs that a busy loop on this thread got to run. */
export function cpuShareAvailable(durationMs = 500): number {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let x = 0;
  while (performance.now() - t0 < durationMs) x++;
  const c = process.cpuUsage(c0);
  return x >= 0 ? (c.user + c.system) / 1000 / (performance.now() - t0) : 0;
}
