// Preloaded (node --import) into the `critpoint run` process the memory
// benchmark starts: appends one JSON line per second to the file named by
// CRITPOINT_MEMORY_PROBE (wall-clock ms, process.memoryUsage() in bytes,
// garbage collections so far), and one line after each major GC with the
// heap then in use (close to the live heap). Bench instrumentation only:
// nothing in src/ reads or needs it.
import { appendFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';

const file = process.env.CRITPOINT_MEMORY_PROBE;
if (file) {
  const gc = { major: 0, minor: 0, majorMs: 0, maxMajorMs: 0 };
  const line = (o) => {
    try {
      appendFileSync(file, `${JSON.stringify(o)}\n`);
    } catch {
      // The benchmark's folder is gone: nothing left to report to.
    }
  };
  new PerformanceObserver((list) => {
    let major = false;
    for (const e of list.getEntries()) {
      if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        major = true;
        gc.major++;
        gc.majorMs += e.duration;
        gc.maxMajorMs = Math.max(gc.maxMajorMs, e.duration);
      } else if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
    }
    if (major) line({ at: Date.now(), afterMajorGc: process.memoryUsage().heapUsed });
  }).observe({ entryTypes: ['gc'] });
  const sample = () => line({ at: Date.now(), ...process.memoryUsage(), gc: { ...gc } });
  sample();
  setInterval(sample, 1000).unref();
}
