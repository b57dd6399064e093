// What a gate produced, whatever its mode: the decision (or why there is none) and a record of
// every run it made. The gate runners fill it; the gate outputs and the CLI only read it.
import type { LoadUnit, ProgressEvent, RunResult, StopReason } from '../types.js';
import { EXIT } from '../errors.js';
import type { GateDecision } from './gate-decision.js';
import type { PairOrder } from './pair-order.js';

export type GateMode = 'interleaved' | 'baseline';
/** decided: a verdict; error: a run gave no usable critical point; interrupted: SIGINT/SIGTERM. */
export type GateStatus = 'decided' | 'error' | 'interrupted';

/** One run the gate made (or, for the stored baseline, read). */
export interface GateRunRecord {
  /** 1-based pair number (the stored baseline is pair 0). */
  pair: number;
  side: 'base' | 'head';
  order: PairOrder;
  /** Target URL (secrets redacted), or the baseline's file for a stored run. */
  target: string;
  runId: string;
  /** Run folder, or null when none was written. */
  runDir: string | null;
  stopReason: StopReason;
  stopDetail: string;
  criticalPoint: number | null;
  unit: LoadUnit | null;
  lastPass: number | null;
  firstBreach: number | null;
  resolution: number | null;
  durationMs: number;
  /** True for a run read from a file rather than run by this gate. */
  stored: boolean;
}

export interface GateSideInfo {
  /** e.g. a branch name or commit (--base-label / --head-label). */
  label: string | null;
  /** URL of the target, or the stored baseline's file. */
  target: string;
}

export interface GateOutcome {
  mode: GateMode;
  status: GateStatus;
  decision: GateDecision | null;
  /** Why there is no verdict (error, interrupted); null when decided. */
  error: string | null;
  /** SIGINT or SIGTERM when interrupted. */
  signal: string | null;
  scenario: string;
  unit: LoadUnit;
  maxDrop: number;
  /** Pairs run before the first decision, and the most the gate may run. */
  pairsPlanned: number;
  maxPairs: number;
  /** Seed of the pair order (interleaved), null in baseline mode. */
  seed: number | null;
  base: GateSideInfo;
  head: GateSideInfo;
  runs: GateRunRecord[];
  /** Sentences people must read with the verdict (e.g. baseline mode is weaker). */
  notes: string[];
  startedAt: string;
  endedAt: string;
  /** Folder holding gate.json and the run folders. */
  dir: string;
}

/** Progress of a gate, for the CLI to print. */
export type GateEvent =
  | { type: 'plan'; text: string }
  | { type: 'run-start'; pair: number; side: 'base' | 'head'; order: PairOrder; target: string }
  | { type: 'run-progress'; event: ProgressEvent }
  | { type: 'run-end'; record: GateRunRecord }
  | { type: 'decision'; decision: GateDecision; final: boolean };

/** Documented exit code of a gate (README "Exit codes", docs/ci.md). */
export function gateExitCode(o: Pick<GateOutcome, 'status' | 'decision' | 'signal'>): number {
  if (o.status === 'interrupted') return o.signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
  if (o.status === 'error' || !o.decision) return EXIT.gateError;
  switch (o.decision.verdict) {
    case 'PASS':
      return EXIT.gatePass;
    case 'BLOCK':
      return EXIT.gateBlock;
    case 'INCONCLUSIVE':
      return EXIT.gateInconclusive;
  }
}

/** The record of one run. */
export function recordOf(
  result: RunResult,
  at: { pair: number; side: 'base' | 'head'; order: PairOrder; target: string; runDir: string | null; stored?: boolean },
): GateRunRecord {
  const cp = result.criticalPoint;
  return {
    pair: at.pair,
    side: at.side,
    order: at.order,
    target: at.target,
    runId: result.runId,
    runDir: at.runDir,
    stopReason: result.stopReason,
    stopDetail: result.stopDetail,
    criticalPoint: cp?.value ?? null,
    unit: cp?.unit ?? null,
    lastPass: cp?.lastPass ?? result.lastPass ?? null,
    firstBreach: cp?.firstBreach ?? null,
    resolution: cp?.resolution ?? null,
    durationMs: result.durationMs,
    stored: at.stored ?? false,
  };
}

/**
 * Why a run cannot enter the gate, or null when it can. Only a run that stopped on a confirmed
 * breach has a critical point; anything else makes the gate an error, never a PASS.
 */
export function unusableReason(r: GateRunRecord): string | null {
  const who = `${r.side} run${r.pair > 0 ? ` of pair ${r.pair}` : ''} (${r.runId})`;
  if (r.stopReason === 'breach' && r.criticalPoint !== null && r.criticalPoint > 0) return null;
  switch (r.stopReason) {
    case 'generator-limited':
      return `${who} was generator-limited: ${r.stopDetail}. A gate never decides on a run the load generator could not drive: rerun it when the machine is quieter (the gate's runs need the CPU to themselves) or on a larger runner.`;
    case 'target-unreachable':
      return `${who} could not reach its target: ${r.stopDetail}.`;
    case 'completed':
      return `${who} completed its ramp with no breach (${r.stopDetail}): its critical point is above load.end, so no ratio can be formed; raise load.end so both sides breach.`;
    case 'interrupted':
      return `${who} was interrupted: ${r.stopDetail}.`;
    default:
      return `${who} ended with ${r.stopReason}: ${r.stopDetail}.`;
  }
}
