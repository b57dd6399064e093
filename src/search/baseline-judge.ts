// Pure: what the baseline step itself says before any ramp.
//   - no window with enough responses: nothing to learn (error);
//   - (nearly) every request failed (a 403 to each, a wrong path, a missing
//     token): the target was never working, so there is no baseline and no
//     load question; lowering load.start cannot fix it (baseline-failed);
//   - the generator could not even offer load.start (generator-limited);
//   - the target already fails the practical floors at load.start: its
//     critical point is below the ramp (breach, lower load.start).
import type { Baseline, ErrorCounts, SignalBreach, StepStats, StopReason, WindowStats } from '../types.js';
import type { DetectConfig } from '../detector/signals.js';
import { evaluable } from '../detector/baseline.js';
import { generatorIssue } from '../detector/evaluate.js';

/** Share of the baseline's requests that failed at or above which the baseline failed: (nearly) every request. */
export const BASELINE_FAILED_SHARE = 0.9;

/** Refusals of the generator's own in-flight cap are requests never sent: they say nothing about the target's answers. */
const NOT_SENT = 'in-flight-cap';

export interface BaselineJudgement {
  stop: { reason: StopReason; detail: string } | null;
  breaches: SignalBreach[];
  warnings: string[];
}

export interface BaselineSettings {
  /** "100 req/s": load.start with its unit, for sentences. */
  start: string;
  minRequests: number;
  baselineWindows: number;
}

/** Failed requests (sent ones) and attempts over the measured windows. */
function failures(windows: WindowStats[]): { failed: number; attempts: number; kinds: ErrorCounts } {
  let failed = 0;
  let attempts = 0;
  const kinds: ErrorCounts = {};
  for (const w of windows) {
    if (w.warmup) continue;
    // errorRate = errorTotal / (responses + transport failures + cap refusals).
    const all = w.errorRate > 0 ? Math.round(w.errorTotal / w.errorRate) : w.completed + w.capHits;
    const refused = w.errors[NOT_SENT] ?? 0;
    attempts += all - refused;
    for (const [k, v] of Object.entries(w.errors)) {
      if (k === NOT_SENT) continue;
      kinds[k] = (kinds[k] ?? 0) + v;
      failed += v;
    }
  }
  return { failed, attempts, kinds };
}

/** "http-4xx 4000, timeout 3", most frequent first. */
export function describeKinds(kinds: ErrorCounts): string {
  return Object.entries(kinds)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

export function judgeBaseline(
  windows: WindowStats[],
  stats: Pick<StepStats, 'errorExample'>,
  baseline: Baseline,
  cfg: DetectConfig,
  o: BaselineSettings,
): BaselineJudgement {
  const warnings: string[] = [];
  const f = failures(windows);
  if (f.attempts > 0 && f.failed >= BASELINE_FAILED_SHARE * f.attempts) {
    const share = f.failed / f.attempts;
    const example = stats.errorExample ? `; first error: ${stats.errorExample}` : '';
    const reason = `${f.failed} of ${f.attempts} baseline requests (${(share * 100).toFixed(1)}%) failed at ${o.start}: ${describeKinds(f.kinds)}${example}`;
    const breach: SignalBreach = {
      signal: 'errors',
      values: [share],
      windowIndexes: [],
      baselineMedian: share,
      sigma: 0,
      threshold: BASELINE_FAILED_SHARE,
      reason,
    };
    return {
      stop: {
        reason: 'baseline-failed',
        detail: `the target failed (nearly) every request of the baseline, so it has no baseline to compare with: ${reason}. Failing at the lowest load, it refuses the request, not the load: check target.url, the method, the headers (a token?) and the body`,
      },
      breaches: [breach],
      warnings,
    };
  }
  const usable = windows.filter(evaluable);
  if (usable.length === 0) {
    return {
      stop: { reason: 'error', detail: `the baseline at ${o.start} produced no window with detect.minRequests (${o.minRequests}) responses` },
      breaches: [],
      warnings,
    };
  }
  if (usable.length < o.baselineWindows) warnings.push(`baseline has ${usable.length} windows, fewer than load.baselineWindows (${o.baselineWindows})`);

  const genIssues = usable.map((w) => generatorIssue(w, cfg)).filter((x): x is string => x !== null);
  if (genIssues.length * 2 > usable.length) {
    return {
      stop: { reason: 'generator-limited', detail: `the load generator could not keep up even at load.start (${o.start}): ${genIssues[0]}` },
      breaches: [],
      warnings,
    };
  }
  if (genIssues.length > 0) warnings.push(`${genIssues.length} baseline window(s) show the generator falling behind: ${genIssues[0]}`);

  const breaches: SignalBreach[] = [];
  const err = baseline.signals.errors;
  if (cfg.errors.enabled && err && err.medianValue > cfg.errors.maxRate) {
    breaches.push({
      signal: 'errors',
      values: [err.medianValue],
      windowIndexes: [],
      baselineMedian: err.medianValue,
      sigma: err.sigma,
      threshold: cfg.errors.maxRate,
      reason: `error rate ${(err.medianValue * 100).toFixed(2)}% > ${(cfg.errors.maxRate * 100).toFixed(2)}% already at load.start`,
    });
  }
  const thr = baseline.signals.throughput;
  if (cfg.throughput.enabled && thr && thr.medianValue < cfg.throughput.minRatio) {
    breaches.push({
      signal: 'throughput',
      values: [thr.medianValue],
      windowIndexes: [],
      baselineMedian: thr.medianValue,
      sigma: thr.sigma,
      threshold: cfg.throughput.minRatio,
      reason: `achieved/offered ${(thr.medianValue * 100).toFixed(1)}% < ${(cfg.throughput.minRatio * 100).toFixed(1)}% already at load.start`,
    });
  }
  if (breaches.length > 0) {
    return {
      stop: {
        reason: 'breach',
        detail: `the target breaks already at load.start (${o.start}): ${breaches.map((b) => b.reason).join('; ')}; its critical point is below the ramp, lower load.start`,
      },
      breaches,
      warnings,
    };
  }
  if (!baseline.signals.p99) warnings.push('no latency baseline: no responses during the baseline');
  return { stop: null, breaches: [], warnings };
}
