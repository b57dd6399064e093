// load.workers (auto | N) -> how many load threads an engine runs. One rule
// for both modes, so the open- and closed-loop engines read it the same way.
import { availableParallelism } from 'node:os';

export type WorkersSetting = 'auto' | number | undefined;

/** auto: the machine's cores minus one for the main thread (the controller, window merging, samplers), at least 1. */
export function autoWorkers(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

/**
 * Rate mode: load threads that split the schedule. 1 = the main thread alone (the single-thread path,
 * no worker thread); 0 means the same. Default 1.
 */
export function openLoopThreads(w: WorkersSetting, cores?: number): number {
  if (w === 'auto') return autoWorkers(cores);
  return Math.max(1, w ?? 1);
}

/** Concurrency mode: worker threads that share the connections (0 = the main thread). Default 0. */
export function closedLoopWorkers(w: WorkersSetting, cores?: number): number {
  if (w === 'auto') return autoWorkers(cores);
  return w ?? 0;
}
