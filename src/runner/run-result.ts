// The one place a RunResult is assembled: the live runner and the k6-output
// analyzer both hand the search's stop and what was measured here.
import type {
  Baseline,
  ConnectionsDiagnostic,
  EvidenceFile,
  ServiceDescription,
  RunResult,
  RuntimeSample,
  SamplerHealth,
  StepResult,
  WindowStats,
} from '../types.js';
import type { Scenario } from '../scenario/schema.js';
import type { SearchStop } from '../search/controller.js';
import { exitCodeFor } from '../errors.js';
import { redactScenario, redactUrl } from '../scenario/secrets.js';
import { unitOf } from '../load/concurrency-ramp.js';
import { describeEnvironment } from './environment.js';
import { runDiagnostics } from './diagnostics.js';
import { SUMMARY_SCHEMA_VERSION } from '../result/summary-schema.js';

export interface ResultParts {
  scenario: Scenario;
  stop: SearchStop;
  engine: string;
  startedAt: Date;
  endedAt: Date;
  runDir: string | null;
  baseline: Baseline | null;
  steps: readonly StepResult[];
  windows: readonly WindowStats[];
  runtimeSamples?: RuntimeSample[];
  samplers?: SamplerHealth[];
  evidence?: EvidenceFile[];
  warnings: readonly string[];
  /** The engine's connection report (http-open), for diagnostics.connections. */
  connections?: ConnectionsDiagnostic;
  /** gRPC: where the service description came from. */
  serviceDescription?: ServiceDescription;
}

export function buildRunResult(p: ResultParts): RunResult {
  const s = p.scenario;
  const steps = [...p.steps];
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    runId: p.runDir ? p.runDir.split(/[\\/]/).slice(-2).join('/') : `${s.name}/${p.startedAt.toISOString()}`,
    name: s.name,
    startedAt: p.startedAt.toISOString(),
    endedAt: p.endedAt.toISOString(),
    durationMs: Math.round(p.endedAt.getTime() - p.startedAt.getTime()),
    stopReason: p.stop.reason,
    stopDetail: p.stop.detail,
    exitCode: exitCodeFor(p.stop.reason, p.stop.signal),
    engine: p.engine,
    target: redactUrl(s.target.url),
    scenario: redactScenario(s),
    environment: describeEnvironment(),
    baseline: p.baseline,
    steps,
    windows: [...p.windows],
    runtimeSamples: p.runtimeSamples ?? [],
    samplers: p.samplers ?? [],
    criticalPoint: p.stop.criticalPoint,
    lastPass: p.stop.lastPass,
    evidence: p.evidence ?? [],
    diagnostics: runDiagnostics(steps, unitOf(s.load.mode), p.connections),
    ...(p.serviceDescription ? { serviceDescription: p.serviceDescription } : {}),
    files: [],
    warnings: [...p.warnings],
  };
}
