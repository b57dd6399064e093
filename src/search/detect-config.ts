// The detector's settings read from a scenario, in one place: the live runner,
// the k6-output analyzer and the tests judge with the same configuration.
import type { Scenario } from '../scenario/schema.js';
import type { RuntimeConfig } from '../samplers/types.js';
import type { DetectConfig, RuntimeSignalDetect } from '../detector/signals.js';
import { requestNamesOf } from '../scenario/rules.js';

export function runtimeDetect(rt: RuntimeConfig | undefined): RuntimeSignalDetect[] {
  return (rt?.signals ?? []).map((s) => ({
    name: s.name,
    enabled: s.detect.enabled,
    minRatio: s.detect.minRatio,
    rising: s.detect.rising,
    direction: s.detect.direction,
    sigmaFloor: 1,
  }));
}

export function detectConfig(s: Scenario): DetectConfig {
  // With a single request the totals are that request (windows carry no breakdown of one).
  const { request, ...p99 } = s.detect.p99;
  return {
    k: s.detect.k,
    confirm: s.detect.confirm,
    p99: request !== undefined && requestNamesOf(s).length > 1 ? { ...p99, request } : p99,
    errors: s.detect.errors,
    throughput: s.detect.throughput,
    generator: s.detect.generator,
    loadMode: s.load.mode,
    arrival: s.load.arrival,
    latencySeries: s.grpc?.stopLatency === 'first-message' ? 'first-message' : 'response',
    runtime: runtimeDetect(s.runtime),
  };
}
