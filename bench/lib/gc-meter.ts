// Heap allocation and garbage-collector pauses over a stretch of code, from
// V8's GC profiler (node:v8 GCProfiler: the heap before and after every
// collection). Bytes allocated = the growth of the used heap between
// collections plus what each collection freed, so it counts short-lived
// garbage that never shows in a heap snapshot. Pauses are each collection's
// own cost on the main thread.
import v8 from 'node:v8';

export interface GcFigures {
  /** Bytes allocated on the V8 heap over the stretch. */
  allocatedBytes: number;
  /** Collections (scavenges and mark-compacts) over the stretch. */
  collections: number;
  /** Longest single collection pause, ms. */
  maxPauseMs: number;
  /** 99th percentile of the pauses, ms (the longest but one of every hundred; with few pauses, the longest). */
  p99PauseMs: number;
  /** All pauses together, ms. */
  totalPauseMs: number;
}

interface GcStat {
  cost: number;
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}

/** Runs fn under the GC profiler; returns its value and the heap figures of the stretch. */
export async function gcMeasured<T>(fn: () => Promise<T>): Promise<{ value: T; gc: GcFigures }> {
  const profiler = new v8.GCProfiler();
  const usedBefore = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  const value = await fn();
  const usedAfter = v8.getHeapStatistics().used_heap_size;
  const stats = (profiler.stop() as unknown as { statistics: GcStat[] }).statistics;
  let allocated = 0;
  let used = usedBefore;
  const pauses: number[] = [];
  for (const s of stats) {
    allocated += Math.max(0, s.beforeGC.heapStatistics.usedHeapSize - used);
    used = s.afterGC.heapStatistics.usedHeapSize;
    pauses.push(s.cost / 1000);
  }
  allocated += Math.max(0, usedAfter - used);
  pauses.sort((a, b) => a - b);
  const p99 = pauses.length === 0 ? 0 : pauses[Math.min(pauses.length - 1, Math.ceil(0.99 * pauses.length) - 1)]!;
  return {
    value,
    gc: {
      allocatedBytes: allocated,
      collections: pauses.length,
      maxPauseMs: pauses.length ? pauses[pauses.length - 1]! : 0,
      p99PauseMs: p99,
      totalPauseMs: pauses.reduce((a, b) => a + b, 0),
    },
  };
}
