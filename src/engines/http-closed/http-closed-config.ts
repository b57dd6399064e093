// Scenario -> HttpClosedConfig: what the closed-loop HTTP engine sends and on
// how many threads. Sends nothing.
import type { Scenario } from '../../scenario/schema.js';
import { httpRequestOf } from '../http-request.js';
import type { HttpClosedConfig } from './http-closed-engine.js';
import { closedLoopWorkers } from '../threads/worker-count.js';
import { httpSourceConfig } from '../../requests/config.js';

export function httpClosedConfig(s: Scenario, env: NodeJS.ProcessEnv): HttpClosedConfig {
  return {
    ...httpRequestOf(s, env),
    pipelining: s.load.pipelining ?? 1,
    workers: closedLoopWorkers(s.load.workers),
    windowMs: s.detect.window,
    minRequests: s.detect.minRequests,
    requests: httpSourceConfig(s, env),
  };
}
