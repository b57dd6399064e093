// Scenario -> K6EngineConfig: finds the binary (or fails with what to
// install) and builds the request the scripts send. Sends nothing.
import { resolve } from 'node:path';
import type { Scenario } from '../../scenario/schema.js';
import { ScenarioError } from '../../errors.js';
import { k6RequestFromScenario } from '../../k6/export/k6-request.js';
import { k6Refusals } from '../../k6/export/k6-limits.js';
import { findK6 } from './k6-binary.js';
import type { K6EngineConfig } from './k6-engine.js';

export function k6EngineConfig(s: Scenario, env: NodeJS.ProcessEnv): K6EngineConfig {
  const binary = findK6(env);
  const req = k6RequestFromScenario(s);
  const problems = [...k6Refusals(s), ...req.problems];
  if (problems.length > 0) throw new ScenarioError(problems);
  const request = req.request;
  if (request.protocol === 'grpc' && request.proto !== undefined) request.proto = resolve(request.proto);
  return {
    binary,
    request,
    // The scripts read ${env:NAME} references from k6's environment; literal secrets of the scenario go the same way.
    env: { ...env, ...req.secretValues },
    windowMs: s.detect.window,
    minRequests: s.detect.minRequests,
    maxInFlight: s.load.maxInFlight,
    okStatus: s.http.okStatus,
  };
}
