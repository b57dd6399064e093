// `gate --baseline`: one head run against a stored base run. Everything that can be checked
// without load is checked first (the baseline found a critical point, it measured the same
// scenario, the head target answers); then one run, then decideBaselineGate.
import { join } from 'node:path';
import type { RunResult } from '../types.js';
import type { Scenario } from '../scenario/schema.js';
import { runScenario } from '../runner/run.js';
import { redactScenario, redactUrl } from '../scenario/secrets.js';
import { compareRuns, scenarioDifferences } from './compare-runs.js';
import { CompareMismatchError, RunNotComparableError } from './errors.js';
import { decideBaselineGate } from './baseline-gate.js';
import { preflightTargets, scenarioFor, type GateRunOptions } from './gate-runner.js';
import { recordOf, unusableReason, type GateOutcome, type GateRunRecord } from './gate-outcome.js';

export interface BaselineGateOptions extends GateRunOptions {
  scenario: Scenario;
  /** The stored base run and the file it came from. */
  baseline: RunResult;
  baselineFile: string;
  headUrl: string;
  baseLabel?: string | null;
  headLabel?: string | null;
  maxDrop: number;
  /** Assumed per-pair noise (sd of ln ratio). */
  noise: number;
}

export const WEAKER_NOTE =
  'Baseline mode compares one head run with a run stored earlier: it cannot measure the noise and does not cancel drift between the two runs, so it is weaker than interleaving base and head on the same machine (gate --base ... --head ...).';

/** Throws (exit 2, nothing sent) when the stored run cannot serve as a baseline for this scenario. */
export function checkBaseline(baseline: RunResult, s: Scenario): void {
  const diffs = scenarioDifferences(baseline, { ...baseline, scenario: redactScenario(s) });
  if (diffs.length > 0) throw new CompareMismatchError(diffs);
  if (baseline.stopReason !== 'breach' || !baseline.criticalPoint) {
    throw new RunNotComparableError('base', baseline.runId, baseline.stopReason, `${baseline.stopDetail}; a baseline must have stopped on a confirmed breach`);
  }
}

export async function runBaselineGate(o: BaselineGateOptions): Promise<GateOutcome> {
  checkBaseline(o.baseline, o.scenario);
  const env = o.env ?? process.env;
  const emit = o.onEvent ?? (() => undefined);
  const run = o.run ?? runScenario;
  const startedAt = new Date().toISOString();
  const base = recordOf(o.baseline, { pair: 0, side: 'base', order: 'base-first', target: o.baselineFile, runDir: null, stored: true });
  const runs: GateRunRecord[] = [base];
  const notes = [WEAKER_NOTE];
  const outcome = (
    status: GateOutcome['status'],
    error: string | null,
    decision: GateOutcome['decision'] = null,
    signal: string | null = null,
  ): GateOutcome => ({
    mode: 'baseline',
    status,
    decision,
    error,
    signal,
    scenario: o.scenario.name,
    unit: o.baseline.criticalPoint?.unit ?? 'req/s',
    maxDrop: o.maxDrop,
    pairsPlanned: 1,
    maxPairs: 1,
    seed: null,
    base: { label: o.baseLabel ?? null, target: o.baselineFile },
    head: { label: o.headLabel ?? null, target: redactUrl(o.headUrl) },
    runs,
    notes,
    startedAt,
    endedAt: new Date().toISOString(),
    dir: o.dir,
  });

  emit({
    type: 'plan',
    text: `one head run against the stored baseline ${o.baselineFile} (critical point ${base.criticalPoint} ${o.baseline.criticalPoint?.unit}, resolution ${((base.resolution ?? 0) * 100).toFixed(1)}%), assumed per-pair noise ${(o.noise * 100).toFixed(1)}%`,
  });
  const unreachable = await preflightTargets(o.scenario, [{ side: 'head', url: o.headUrl }], env, o.preflightTimeoutMs ?? 2_000);
  if (unreachable.length > 0) return outcome('error', `no load sent: ${unreachable.join('; ')}`);
  if (o.signal?.aborted) return outcome('interrupted', 'interrupted before the head run', null, String(o.signal.reason));

  emit({ type: 'run-start', pair: 1, side: 'head', order: 'base-first', target: redactUrl(o.headUrl) });
  const s = scenarioFor(o.scenario, o.headUrl, join(o.dir, 'head'));
  const { result, runDir } = await run(s, { env, signal: o.signal, onProgress: (event) => emit({ type: 'run-progress', event }) });
  const head = recordOf(result, { pair: 1, side: 'head', order: 'base-first', target: redactUrl(o.headUrl), runDir });
  runs.push(head);
  emit({ type: 'run-end', record: head });
  if (result.stopReason === 'interrupted' || o.signal?.aborted) {
    return outcome('interrupted', `interrupted by ${String(o.signal?.reason ?? 'a signal')}`, null, String(o.signal?.reason ?? 'SIGINT'));
  }
  const why = unusableReason(head);
  if (why) return outcome('error', why);

  // Same checks and notes as `critpoint compare` (e.g. the two runs were measured on different setups).
  const comparison = compareRuns(o.baseline, result);
  notes.push(...comparison.notes);
  const decision = decideBaselineGate(
    { criticalPoint: comparison.base.criticalPoint, resolution: comparison.base.resolution },
    { criticalPoint: comparison.head.criticalPoint, resolution: comparison.head.resolution },
    o.maxDrop,
    o.noise,
  );
  emit({ type: 'decision', decision, final: true });
  return outcome('decided', null, decision);
}
