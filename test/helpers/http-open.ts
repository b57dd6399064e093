// An http-open engine built directly (not through a scenario) for engine tests: a GET of `/` on a
// loopback server, uniform arrivals on timers, 500 ms windows; `over` sets what a test is about.
import { HttpOpenEngine, type HttpOpenConfig } from '../../src/engines/http-open/http-open-engine.js';

export function directHttpOpenEngine(url: string, over: Partial<HttpOpenConfig> = {}): HttpOpenEngine {
  return new HttpOpenEngine({
    url,
    method: 'GET',
    path: '/',
    headers: {},
    body: null,
    timeoutMs: 5_000,
    drainTimeoutMs: 2_000,
    maxInFlight: 100,
    arrival: 'uniform',
    pacing: 'timer',
    seed: 1,
    windowMs: 500,
    minRequests: 1,
    ...over,
  });
}
