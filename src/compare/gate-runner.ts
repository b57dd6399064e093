// The interleaved A/B gate (docs/method.md section 7): runs base and head as pairs through the normal
// runner, in a balanced random order within each pair, decides after the planned pairs, and adds
// pairs while INCONCLUSIVE up to maxPairs. Any run without a confirmed breach ends the gate as an
// error. Each run writes its own run folder under the gate's folder.
import { join } from 'node:path';
import type { Scenario } from '../scenario/schema.js';
import { runScenario, type RunOptions, type RunOutcome } from '../runner/run.js';
import { prepareEngine } from '../engines/registry.js';
import { redactUrl } from '../scenario/secrets.js';
import { decideGate, shouldAddPair, type GateDecision, type GatePair } from './gate-decision.js';
import { pairOrders, runSequence } from './pair-order.js';
import { recordOf, unusableReason, type GateEvent, type GateOutcome, type GateRunRecord } from './gate-outcome.js';

/** Runs one scenario; runScenario unless a test passes another. */
export type ScenarioRunner = (s: Scenario, opts: RunOptions) => Promise<RunOutcome>;

export interface GateRunOptions {
  env?: NodeJS.ProcessEnv;
  /** SIGINT/SIGTERM: stops the current run and the gate. */
  signal?: AbortSignal;
  onEvent?: (e: GateEvent) => void;
  /** Pause between two runs so the previous target drains, ms. */
  cooldownMs: number;
  /** The gate's folder: run folders go to <dir>/pair-<i>-<side>/. */
  dir: string;
  run?: ScenarioRunner;
  preflightTimeoutMs?: number;
}

export interface InterleavedGateOptions extends GateRunOptions {
  scenario: Scenario;
  baseUrl: string;
  headUrl: string;
  baseLabel?: string | null;
  headLabel?: string | null;
  maxDrop: number;
  pairs: number;
  maxPairs: number;
  seed: number;
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** The scenario aimed at one side: its target, and a run folder of its own. */
export function scenarioFor(s: Scenario, url: string, reportDir: string): Scenario {
  return { ...s, target: { ...s.target, url }, report: { ...s.report, dir: reportDir } };
}

/** One request to each target before any load: a gate that cannot reach a side sends nothing. */
export async function preflightTargets(s: Scenario, urls: { side: string; url: string }[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string[]> {
  const problems: string[] = [];
  for (const { side, url } of urls) {
    let engine;
    try {
      // Each side describes itself: without grpc.proto, base and head are asked by reflection each.
      engine = await prepareEngine({ ...s, target: { ...s.target, url } }, { env });
    } catch (err) {
      problems.push(`${side}: ${(err as Error).message}`);
      continue;
    }
    try {
      await engine.preflight(timeoutMs);
    } catch (err) {
      problems.push(`${side}: ${(err as Error).message}`);
    } finally {
      await engine.close().catch(() => undefined);
    }
  }
  return problems;
}

export async function runInterleavedGate(o: InterleavedGateOptions): Promise<GateOutcome> {
  const env = o.env ?? process.env;
  const emit = o.onEvent ?? (() => undefined);
  const run = o.run ?? runScenario;
  const startedAt = new Date().toISOString();
  const orders = pairOrders(o.maxPairs, o.seed);
  const runs: GateRunRecord[] = [];
  const pairs: GatePair[] = [];
  const targets = { base: o.baseUrl, head: o.headUrl };
  let decision: GateDecision | null = null;
  const outcome = (status: GateOutcome['status'], error: string | null, signal: string | null = null): GateOutcome => ({
    mode: 'interleaved',
    status,
    decision: status === 'decided' ? decision : null,
    error,
    signal,
    scenario: o.scenario.name,
    unit: 'req/s',
    maxDrop: o.maxDrop,
    pairsPlanned: o.pairs,
    maxPairs: o.maxPairs,
    seed: o.seed,
    base: { label: o.baseLabel ?? null, target: redactUrl(o.baseUrl) },
    head: { label: o.headLabel ?? null, target: redactUrl(o.headUrl) },
    runs,
    notes: [],
    startedAt,
    endedAt: new Date().toISOString(),
    dir: o.dir,
  });
  const interrupted = () => outcome('interrupted', `interrupted by ${String(o.signal?.reason ?? 'a signal')}`, String(o.signal?.reason ?? 'SIGINT'));

  const first = runSequence(orders.slice(0, o.pairs))
    .map((r) => `${r.side}${r.pair + 1}`)
    .join(' ');
  emit({ type: 'plan', text: `${o.pairs} pairs (up to ${o.maxPairs} while inconclusive), seed ${o.seed}, run order ${first}` });
  const unreachable = await preflightTargets(
    o.scenario,
    [
      { side: 'base', url: o.baseUrl },
      { side: 'head', url: o.headUrl },
    ],
    env,
    o.preflightTimeoutMs ?? 2_000,
  );
  if (unreachable.length > 0) return outcome('error', `no load sent: ${unreachable.join('; ')}`);

  for (let i = 0; i < o.maxPairs; i++) {
    if (i >= o.pairs && !(decision && shouldAddPair(decision, o.maxPairs))) break;
    const order = orders[i] ?? 'base-first';
    const values: Partial<Record<'base' | 'head', GateRunRecord>> = {};
    for (const side of order === 'base-first' ? (['base', 'head'] as const) : (['head', 'base'] as const)) {
      if (runs.length > 0) await sleep(o.cooldownMs, o.signal);
      if (o.signal?.aborted) return interrupted();
      emit({ type: 'run-start', pair: i + 1, side, order, target: redactUrl(targets[side]) });
      const s = scenarioFor(o.scenario, targets[side], join(o.dir, `pair-${i + 1}-${side}`));
      const { result, runDir } = await run(s, { env, signal: o.signal, onProgress: (event) => emit({ type: 'run-progress', event }) });
      const record = recordOf(result, { pair: i + 1, side, order, target: redactUrl(targets[side]), runDir });
      runs.push(record);
      emit({ type: 'run-end', record });
      if (result.stopReason === 'interrupted' || o.signal?.aborted) return interrupted();
      const why = unusableReason(record);
      if (why) return outcome('error', why);
      values[side] = record;
    }
    const b = values.base as GateRunRecord;
    const h = values.head as GateRunRecord;
    pairs.push({
      base: b.criticalPoint as number,
      head: h.criticalPoint as number,
      order,
      baseResolution: b.resolution ?? 0,
      headResolution: h.resolution ?? 0,
    });
    if (pairs.length >= o.pairs) {
      decision = decideGate(pairs, o.maxDrop);
      emit({ type: 'decision', decision, final: !shouldAddPair(decision, o.maxPairs) });
    }
  }
  return outcome('decided', null);
}
