// What the baseline step itself says before any ramp: a target that already
// fails the practical floors at load.start has its critical point below the
// ramp; a generator that cannot even offer load.start is generator-limited.
import type { Baseline, SignalBreach, StopReason, WindowStats } from '../types.js';
import type { Scenario } from '../scenario/schema.js';
import type { DetectConfig } from '../detector/signals.js';
import { evaluable } from '../detector/baseline.js';
import { generatorIssue } from '../detector/evaluate.js';
import { unitOf } from '../load/concurrency-ramp.js';

export interface BaselineCheck {
  stop: { reason: StopReason; detail: string } | null;
  breaches: SignalBreach[];
  warnings: string[];
}

export function checkBaseline(windows: WindowStats[], baseline: Baseline, cfg: DetectConfig, s: Scenario): BaselineCheck {
  const warnings: string[] = [];
  const usable = windows.filter(evaluable);
  const start = `${s.load.start} ${unitOf(s.load.mode)}`;
  if (usable.length === 0) {
    return { stop: { reason: 'error', detail: `the baseline at ${start} produced no window with detect.minRequests (${s.detect.minRequests}) responses` }, breaches: [], warnings };
  }
  if (usable.length < s.load.baselineWindows) warnings.push(`baseline has ${usable.length} windows, fewer than load.baselineWindows (${s.load.baselineWindows})`);

  const genIssues = usable.map((w) => generatorIssue(w, cfg)).filter((x): x is string => x !== null);
  if (genIssues.length * 2 > usable.length) {
    return { stop: { reason: 'generator-limited', detail: `the load generator could not keep up even at load.start (${start}): ${genIssues[0]}` }, breaches: [], warnings };
  }
  if (genIssues.length > 0) warnings.push(`${genIssues.length} baseline window(s) show the generator falling behind: ${genIssues[0]}`);

  const breaches: SignalBreach[] = [];
  const err = baseline.signals.errors;
  if (cfg.errors.enabled && err && err.medianValue > cfg.errors.maxRate) {
    breaches.push({ signal: 'errors', values: [err.medianValue], windowIndexes: [], baselineMedian: err.medianValue, sigma: err.sigma, threshold: cfg.errors.maxRate, reason: `error rate ${(err.medianValue * 100).toFixed(2)}% > ${(cfg.errors.maxRate * 100).toFixed(2)}% already at load.start` });
  }
  const thr = baseline.signals.throughput;
  if (cfg.throughput.enabled && thr && thr.medianValue < cfg.throughput.minRatio) {
    breaches.push({ signal: 'throughput', values: [thr.medianValue], windowIndexes: [], baselineMedian: thr.medianValue, sigma: thr.sigma, threshold: cfg.throughput.minRatio, reason: `achieved/offered ${(thr.medianValue * 100).toFixed(1)}% < ${(cfg.throughput.minRatio * 100).toFixed(1)}% already at load.start` });
  }
  if (breaches.length > 0) {
    return { stop: { reason: 'breach', detail: `the target breaks already at load.start (${start}): ${breaches.map((b) => b.reason).join('; ')}; its critical point is below the ramp, lower load.start` }, breaches, warnings };
  }
  if (!baseline.signals.p99) warnings.push('no latency baseline: no responses during the baseline');
  return { stop: null, breaches: [], warnings };
}
