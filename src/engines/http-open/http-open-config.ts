// Scenario -> HttpOpenConfig: what the paced open-loop HTTP engine sends and
// how it paces it. Sends nothing.
import type { Dispatcher } from 'undici';
import type { Scenario } from '../../scenario/schema.js';
import { httpRequestOf } from '../http-request.js';
import { httpConnectionOf } from '../http-dispatcher.js';
import { HttpOpenEngine, type HttpOpenConfig } from './http-open-engine.js';
import { HttpOpenThreadsEngine } from './http-open-threads.js';
import { openLoopThreads } from '../threads/worker-count.js';
import type { Engine } from '../../types.js';
import { httpSourceConfig } from '../../requests/config.js';

export function httpOpenConfig(s: Scenario, env: NodeJS.ProcessEnv): HttpOpenConfig {
  return {
    ...httpRequestOf(s, env),
    ...httpConnectionOf(s),
    method: s.http.method as Dispatcher.HttpMethod,
    maxInFlight: s.load.maxInFlight,
    arrival: s.load.arrival,
    pacing: s.load.pacing,
    seed: s.load.seed,
    requests: httpSourceConfig(s, env),
    windowMs: s.detect.window,
    minRequests: s.detect.minRequests,
  };
}

/** load.workers: one thread is the single-thread engine exactly as it always was; two or more split the schedule over worker threads. */
export function createHttpOpenEngine(s: Scenario, env: NodeJS.ProcessEnv): Engine {
  const cfg = httpOpenConfig(s, env);
  const threads = openLoopThreads(s.load.workers);
  return threads > 1 ? new HttpOpenThreadsEngine(cfg, threads) : new HttpOpenEngine(cfg);
}
