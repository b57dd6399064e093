// The headline every human report leads with (HTML, markdown): the critical
// point or why there is none, read straight from the RunResult. Formatting
// only: every figure here was computed by the runner and the detector.
import type { LoadUnit, RunResult, StepResult, StopReason } from '../types.js';
import { figure, percent } from '../format/numbers.js';
import { runUnit } from '../result/run-unit.js';

export interface Headline {
  /** The critical point, or null when the run could not name one. */
  criticalPoint: { value: number; unit: LoadUnit } | null;
  unit: LoadUnit;
  /** One sentence for people. */
  verdict: string;
  stopReason: StopReason;
  stopDetail: string;
  lastPass: number | null;
  firstBreach: number | null;
  /** (firstBreach - lastPass) / lastPass, as the runner computed it. */
  resolution: number | null;
  /** Signals that confirmed the breach, with the detector's sentences. */
  breaching: { signal: string; reason: string }[];
  /** stopDetail says nothing that the verdict or the breaching signals do not: reports leave it out rather than say it twice. */
  stopDetailRepeats: boolean;
}

/** A figure for people (969, 24.3, 0.0123; '-' for none) and a share as a percentage: format/numbers.ts, under the names the reports use. */
export const fmtNum = figure;
export const fmtPct = percent;

/** Value of a signal in its natural unit, for people. */
export function fmtSignal(signal: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  if (signal === 'p99' || signal === 'p50') return `${fmtNum(v)} ms`;
  if (signal === 'errors') return fmtPct(v, 2);
  if (signal === 'throughput') return fmtPct(v, 1);
  return fmtNum(v, 4);
}

/**
 * The phase to show for a step. The runner files a repeated step under the phase it repeats, so the
 * repeat is named here from its place in the run: a ramp step at the load of a ramp step that just
 * breached is the recheck (detect.recheck), a step at the load of one the generator could not keep up
 * with is its repeat (detect.generator.retries).
 */
export function phaseLabel(step: StepResult, previous: StepResult | undefined): string {
  const phase: string = step.phase;
  if (phase === 'recheck' || !previous || previous.phase !== step.phase || previous.load !== step.load) return phase;
  if (previous.outcome === 'breach' && phase === 'ramp') return 'recheck';
  if (previous.outcome === 'generator-limited') return `${phase} repeat`;
  return phase;
}

/** phaseLabel of every step, by step index. */
export function phaseLabels(r: RunResult): Map<number, string> {
  return new Map(r.steps.map((s, i) => [s.index, phaseLabel(s, r.steps[i - 1])]));
}

function verdictOf(r: RunResult, unit: LoadUnit): string {
  const cp = r.criticalPoint;
  if (cp)
    return `Critical point ${fmtNum(cp.value, 4)} ${unit}: the highest load that still behaved like the baseline; it broke at ${fmtNum(cp.firstBreach, 4)} ${unit}.`;
  switch (r.stopReason) {
    case 'breach':
      return `No critical point within the ramp: ${r.stopDetail}.`;
    case 'completed':
      return `No breach up to ${fmtNum(r.lastPass, 4)} ${unit}: the critical point is above the ramp.`;
    case 'generator-limited':
      return `Generator-limited: the load generator could not keep up, so this is not the target's critical point${r.lastPass !== null ? ` (highest passing load ${fmtNum(r.lastPass, 4)} ${unit})` : ''}.`;
    case 'target-unreachable':
      return `Target unreachable: ${r.stopDetail}.`;
    case 'baseline-failed':
      return `Baseline failed: ${r.stopDetail}.`;
    case 'interrupted':
      return `Interrupted before a critical point was found${r.lastPass !== null ? ` (highest passing load so far ${fmtNum(r.lastPass, 4)} ${unit})` : ''}.`;
    case 'error':
      return `The run ended with an error: ${r.stopDetail}.`;
  }
}

export function headlineOf(r: RunResult): Headline {
  const unit = runUnit(r) ?? 'req/s';
  const cp = r.criticalPoint;
  const verdict = verdictOf(r, unit);
  const breaching = (cp?.signals ?? []).map((s) => ({ signal: s.signal, reason: s.reason }));
  return {
    criticalPoint: cp ? { value: cp.value, unit: cp.unit } : null,
    unit,
    verdict,
    stopReason: r.stopReason,
    stopDetail: r.stopDetail,
    lastPass: cp?.lastPass ?? r.lastPass,
    firstBreach: cp?.firstBreach ?? null,
    resolution: cp?.resolution ?? null,
    breaching,
    stopDetailRepeats: verdict.includes(r.stopDetail) || (breaching.length > 0 && breaching.every((b) => r.stopDetail.includes(b.reason))),
  };
}
