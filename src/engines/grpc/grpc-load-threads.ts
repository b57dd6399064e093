// How many load threads a gRPC scenario runs on (kept apart from the engine so
// validation reads the same rule without loading the engine).
import type { Scenario } from '../../scenario/schema.js';
import { openLoopThreads } from '../threads/worker-count.js';

/** Rate mode on the http2 client splits its schedule over load.workers; everything else runs on the main thread. */
export function grpcLoadThreads(s: Scenario, cores?: number): number {
  if (s.load.mode !== 'rate' || s.grpc?.client === 'grpc-js') return 1;
  return openLoopThreads(s.load.workers, cores);
}

/** Why a request mix cannot run on gRPC load threads yet (validation and the engine say the same). */
export const GRPC_MIX_ON_THREADS =
  'a gRPC request mix, data files and placeholders other than ${env:} run on one thread so far (load threads send one prepared call)';
