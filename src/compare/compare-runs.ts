// Compare two saved runs side by side (docs/method.md section 7): shift = cp_head / cp_base - 1, shown
// with both resolutions; a shift within the combined resolution is "no measurable change".
// Pure: two RunResults in, a Comparison out. Refuses runs that measured different things.
import type { LoadUnit, RecordedScenario, RunResult, StopReason } from '../types.js';
import { CompareMismatchError, RunNotComparableError, type FieldDifference } from './errors.js';
import { percent, signedPercent } from '../format/numbers.js';
import { runUnit } from '../result/run-unit.js';

export { formatComparison, type ComparisonFormat } from './format-comparison.js';

/** How the shift is known: exactly, or only as a bound because a run completed its ramp. */
export type ShiftBound = 'exact' | 'at-least' | 'at-most' | 'unknown';
export type ChangeKind = 'improvement' | 'regression' | 'no-measurable-change' | 'undetermined';

/** One run, as the comparison shows it. */
export interface RunSide {
  runId: string;
  name: string;
  startedAt: string;
  stopReason: StopReason;
  /** The critical point, or the last passing load when the ramp completed (then lowerBound). */
  criticalPoint: number;
  /** True when the run completed its ramp with no breach: the critical point is above the ramp. */
  lowerBound: boolean;
  unit: LoadUnit;
  lastPass: number;
  firstBreach: number | null;
  /** (firstBreach - lastPass) / lastPass; null without a breach. */
  resolution: number | null;
  breachingSignals: string[];
  /** The detector's sentences for the breaching signals. */
  breachReasons: string[];
  baselineP50: number | null;
  baselineP99: number | null;
  /** Baseline median of every signal, natural unit (signals.<name>.medianValue). */
  atBaseline: Record<string, number | null>;
  /** Values of the confirming windows of each breaching signal, natural unit. */
  atBreach: Record<string, number[]>;
}

export interface Comparison {
  unit: LoadUnit;
  base: RunSide;
  head: RunSide;
  /** cp_head / cp_base - 1 (from the bounds when a run completed its ramp: see shiftBound). */
  shift: number;
  shiftBound: ShiftBound;
  /** resolution_base + resolution_head (a lower-bound side counts 0); null when neither has one. */
  combinedResolution: number | null;
  noMeasurableChange: boolean;
  change: ChangeKind;
  /** Signal names of the at-baseline rows, base's first. */
  baselineSignals: string[];
  /** Signal names of the at-breach rows. */
  breachSignals: string[];
  /** What each signal's values count, for the rows' labels (see signalUnit). */
  signalUnits: Record<string, string>;
  /** base and head are the same run (same run id): the comparison cannot show a change. */
  sameRun: boolean;
  notes: string[];
  /** One human sentence. */
  summary: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a dot path of the recorded scenario's untyped part (the definition fields below). */
function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** JSON with sorted keys, so bodies that differ only in key order compare equal. */
function canonical(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  return JSON.stringify(v, (_k, val: unknown) =>
    isRecord(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : val,
  );
}

function finiteOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}

/** The fields that must agree for two critical points to mean the same thing. */
export function scenarioDifferences(base: RunResult, head: RunResult): FieldDifference[] {
  const diffs: FieldDifference[] = [];
  const check = (field: string, b: unknown, h: unknown, norm: (v: unknown) => unknown = (v) => v): void => {
    if (norm(b) !== norm(h)) diffs.push({ field, base: b, head: h });
  };
  const sb = base.scenario;
  const sh = head.scenario;
  check('load.mode', sb.load.mode, sh.load.mode);
  check('unit', runUnit(base), runUnit(head));
  // A resolved scenario always has http (its defaults); grpc is there for gRPC targets only.
  const protocol = (s: RecordedScenario): string | undefined => (s.grpc ? 'grpc' : s.http ? 'http' : undefined);
  check('protocol', protocol(sb), protocol(sh));
  if (sb.http && sh.http && protocol(sb) === 'http' && protocol(sh) === 'http') {
    check('http.method', sb.http.method, sh.http.method, (v) => (typeof v === 'string' ? v.toUpperCase() : v));
    check('http.path', sb.http.path, sh.http.path);
    check('http.body', sb.http.body, sh.http.body, canonical);
  }
  if (sb.grpc && sh.grpc) {
    check('grpc.service', sb.grpc.service, sh.grpc.service);
    check('grpc.method', sb.grpc.method, sh.grpc.method);
  }
  check('load.start', sb.load.start, sh.load.start);
  check('load.end', sb.load.end, sh.load.end);
  return diffs;
}

function sideOf(run: RunResult, side: 'base' | 'head', notes: string[]): RunSide {
  const cp = run.criticalPoint;
  const unit = runUnit(run) ?? 'req/s';
  let criticalPoint: number;
  let lowerBound = false;
  if (cp && (run.stopReason === 'breach' || run.stopReason === 'interrupted')) {
    criticalPoint = cp.value;
    if (run.stopReason === 'interrupted') {
      notes.push(`${side} run was interrupted after its breach: its resolution (${(cp.resolution * 100).toFixed(1)}%) is as far as refinement got.`);
    }
  } else if (run.stopReason === 'completed') {
    const last = run.lastPass ?? run.scenario.load.end;
    if (!(last > 0)) {
      throw new RunNotComparableError(side, run.runId, run.stopReason, 'the ramp completed but no passing load was recorded');
    }
    criticalPoint = last;
    lowerBound = true;
    notes.push(`${side} completed its ramp with no breach: its critical point is above the ramp, so ${last} ${unit} is a lower bound.`);
  } else {
    throw new RunNotComparableError(side, run.runId, run.stopReason, run.stopDetail || 'no critical point');
  }
  if (!(criticalPoint > 0)) {
    throw new RunNotComparableError(side, run.runId, run.stopReason, `critical point must be positive, got ${criticalPoint}`);
  }
  // The last baseline step: an earlier one was repeated because the generator fell behind.
  const baselineStep = run.steps.findLast((s) => s.phase === 'baseline');
  const atBaseline: Record<string, number | null> = {};
  for (const [name, sig] of Object.entries(run.baseline?.signals ?? {})) {
    atBaseline[name] = finiteOrNull(sig.medianValue);
  }
  const atBreach: Record<string, number[]> = {};
  for (const b of cp?.signals ?? []) atBreach[b.signal] = [...b.values];
  return {
    runId: run.runId,
    name: run.name,
    startedAt: run.startedAt,
    stopReason: run.stopReason,
    criticalPoint,
    lowerBound,
    unit,
    lastPass: lowerBound ? criticalPoint : (cp?.lastPass ?? criticalPoint),
    firstBreach: lowerBound ? null : (cp?.firstBreach ?? null),
    resolution: lowerBound ? null : finiteOrNull(cp?.resolution),
    breachingSignals: (cp?.signals ?? []).map((s) => s.signal),
    breachReasons: (cp?.signals ?? []).map((s) => s.reason),
    baselineP50: finiteOrNull(baselineStep?.stats.p50),
    baselineP99: finiteOrNull(baselineStep?.stats.p99),
    atBaseline,
    atBreach,
  };
}

function environmentNotes(base: RunResult, head: RunResult): string[] {
  const notes: string[] = [];
  const e1 = base.environment;
  const e2 = head.environment;
  if (!e1 || !e2) return notes;
  const diffs: string[] = [];
  if (e1.cpus !== e2.cpus) diffs.push(`cpus ${e1.cpus} vs ${e2.cpus}`);
  if (e1.cpuModel !== e2.cpuModel) diffs.push(`cpu '${e1.cpuModel}' vs '${e2.cpuModel}'`);
  if (e1.node !== e2.node) diffs.push(`node ${e1.node} vs ${e2.node}`);
  if (diffs.length > 0) {
    notes.push(`The runs were measured on different setups (${diffs.join(', ')}): the shift mixes code and machine.`);
  }
  return notes;
}

/**
 * Fields that change how a critical point is found without changing what is measured: runs that
 * differ here are compared, with a note (a 4x p99 floor finds a higher point than a 2x one).
 */
const DEFINITION_FIELDS = ['detect', 'load.stepDuration', 'load.growth', 'load.arrival', 'load.refine.resolution', 'load.warmup', 'load.baselineWindows'];

export function definitionDifferences(base: RunResult, head: RunResult): string[] {
  return DEFINITION_FIELDS.filter((f) => canonical(at(base.scenario, f)) !== canonical(at(head.scenario, f)));
}

/**
 * What a signal's values count, natural unit as stored: `ms` (p99), `share of requests` (errors),
 * `achieved/offered` (throughput), and for a runtime signal what its source reads (`goroutines`, the
 * expvar/JSON field, the Prometheus metric), else `as sampled`.
 */
export function signalUnit(name: string, scenario: unknown): string {
  if (name === 'p99') return 'ms';
  if (name === 'errors') return 'share of requests';
  if (name === 'throughput') return 'achieved/offered';
  const signals = at(scenario, 'runtime.signals');
  const sig = Array.isArray(signals) ? (signals as unknown[]).find((x) => isRecord(x) && x.name === name) : undefined;
  const src = isRecord(sig) ? sig.source : undefined;
  if (isRecord(src)) {
    if (src.kind === 'pprof-goroutine') return 'goroutines';
    if ((src.kind === 'expvar' || src.kind === 'json') && typeof src.field === 'string') return src.field;
    if (src.kind === 'prometheus' && typeof src.metric === 'string') return src.metric;
  }
  return 'as sampled';
}

/** The warning when base and head are one run: said on stderr by the CLI and as a note in every format. */
export function sameRunWarning(runId: string): string {
  return `base and head are the same run (${runId}): a run compared with itself shows no change; compare two runs.`;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}

/**
 * Compare two runs of the same scenario. Throws CompareMismatchError (listing the differing
 * fields) when they measured different things, RunNotComparableError when a run has no usable
 * critical point (generator-limited, target-unreachable, error, or interrupted before a breach).
 */
export function compareRuns(base: RunResult, head: RunResult): Comparison {
  const diffs = scenarioDifferences(base, head);
  if (diffs.length > 0) throw new CompareMismatchError(diffs);
  const sameRun = base.runId === head.runId;
  const notes: string[] = sameRun ? [sameRunWarning(base.runId)] : [];
  const b = sideOf(base, 'base', notes);
  const h = sideOf(head, 'head', notes);
  notes.push(...environmentNotes(base, head));
  const defs = definitionDifferences(base, head);
  if (defs.length > 0) {
    notes.push(
      `The runs found their critical points with different settings (${defs.join(', ')}): part of the shift may come from the settings, not the code.`,
    );
  }
  for (const s of [b, h]) {
    if (s.resolution !== null && s.resolution > 0.05) {
      notes.push(`${s === b ? 'base' : 'head'} resolution ${(s.resolution * 100).toFixed(1)}% is coarser than 5%: refinement did not finish.`);
    }
  }

  const shift = h.criticalPoint / b.criticalPoint - 1;
  const combinedResolution = b.resolution === null && h.resolution === null ? null : (b.resolution ?? 0) + (h.resolution ?? 0);
  // A 1e-9 slack so that a shift equal to the combined resolution is not split by float rounding.
  const tol = (combinedResolution ?? 0) + 1e-9;
  const unit = b.unit;
  let shiftBound: ShiftBound;
  let change: ChangeKind;
  let summary: string;
  if (!b.lowerBound && !h.lowerBound) {
    shiftBound = 'exact';
    change = Math.abs(shift) <= tol ? 'no-measurable-change' : shift > 0 ? 'improvement' : 'regression';
    summary =
      change === 'no-measurable-change'
        ? `No measurable change: shift ${signedPercent(shift)} is within the combined resolution of ${percent(combinedResolution ?? 0)}.`
        : `${change === 'improvement' ? 'Improvement' : 'Regression'}: the critical point moved ${signedPercent(shift)} (${b.criticalPoint} -> ${h.criticalPoint} ${unit}), beyond the combined resolution of ${percent(combinedResolution ?? 0)}.`;
  } else if (b.lowerBound && h.lowerBound) {
    shiftBound = 'unknown';
    change = 'undetermined';
    summary = `Undetermined: both runs completed the ramp with no breach, so both critical points are above ${b.criticalPoint} ${unit}; extend the ramp to compare.`;
  } else if (h.lowerBound) {
    // head >= its bound: the true shift is at least the computed one.
    shiftBound = 'at-least';
    change = shift > tol ? 'improvement' : 'undetermined';
    summary =
      change === 'improvement'
        ? `Improvement: head completed the ramp with no breach, so its critical point is at least ${percent(Math.abs(shift))} above base's.`
        : `Undetermined: head completed the ramp with no breach (critical point above ${h.criticalPoint} ${unit}), so the shift is at least ${signedPercent(shift)}; extend the ramp to compare.`;
  } else {
    // base >= its bound: the true shift is at most the computed one.
    shiftBound = 'at-most';
    change = shift < -tol ? 'regression' : 'undetermined';
    summary =
      change === 'regression'
        ? `Regression: base completed the ramp with no breach, so head's critical point is at least ${percent(Math.abs(shift))} below base's.`
        : `Undetermined: base completed the ramp with no breach (critical point above ${b.criticalPoint} ${unit}), so the shift is at most ${signedPercent(shift)}; extend the ramp to compare.`;
  }

  const baselineSignals = union(Object.keys(b.atBaseline), Object.keys(h.atBaseline));
  const breachSignals = union(Object.keys(b.atBreach), Object.keys(h.atBreach));
  const signalUnits: Record<string, string> = {};
  for (const name of union(baselineSignals, breachSignals)) {
    const fromBase = signalUnit(name, base.scenario);
    signalUnits[name] = fromBase === 'as sampled' ? signalUnit(name, head.scenario) : fromBase;
  }
  return {
    unit,
    base: b,
    head: h,
    shift,
    shiftBound,
    combinedResolution,
    noMeasurableChange: change === 'no-measurable-change',
    change,
    baselineSignals,
    breachSignals,
    signalUnits,
    sameRun,
    notes,
    summary,
  };
}
