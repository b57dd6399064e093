// Scenario -> HttpOpenConfig: what the paced open-loop HTTP engine sends and
// how it paces it. Sends nothing.
import type { Dispatcher } from 'undici';
import type { Scenario } from '../../scenario/schema.js';
import { httpRequestOf } from '../http-request.js';
import { httpConnectionOf } from '../http-dispatcher.js';
import type { HttpOpenConfig } from './http-open-engine.js';

export function httpOpenConfig(s: Scenario, env: NodeJS.ProcessEnv): HttpOpenConfig {
  return {
    ...httpRequestOf(s, env),
    ...httpConnectionOf(s),
    method: s.http.method as Dispatcher.HttpMethod,
    maxInFlight: s.load.maxInFlight,
    arrival: s.load.arrival,
    pacing: s.load.pacing,
    seed: s.load.seed,
    windowMs: s.detect.window,
    minRequests: s.detect.minRequests,
  };
}
