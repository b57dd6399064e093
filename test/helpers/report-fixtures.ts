// Saved runs for the report tests: a real run folder, optionally with a
// synthetic runtime signal added (the runtime samplers are wired elsewhere;
// the renderer must show any signal present in the result).
import { fileURLToPath } from 'node:url';
import type { RunResult, RuntimeSample, StepResult, WindowStats } from '../../src/types.js';
import { readRunFolder } from '../../src/reporters/run-folder.js';
import { learnSignal } from '../../src/detector/baseline.js';
import { signalSpecs, type DetectConfig } from '../../src/detector/signals.js';

export const DEMO_RUN_DIR = fileURLToPath(new URL('../fixtures/runs/demo-breach/', import.meta.url));

export async function demoRun(): Promise<RunResult> {
  return (await readRunFolder(DEMO_RUN_DIR)).result;
}

/**
 * Adds a runtime gauge that follows the real run's in-flight count (Little's
 * law: goroutines ~ in flight + a constant), two samples per window and one
 * gap, and its baseline learned by the detector's own code.
 */
export function withRuntimeSignal(r: RunResult, name = 'goroutines', base = 8): RunResult {
  const windows = r.windows.map((w) => ({ ...w, runtime: { ...w.runtime, [name]: w.maxInFlight + base } }));
  const samples: RuntimeSample[] = windows.flatMap((w, i) => [
    { signal: name, t: w.tStart + 1, value: i === 3 ? null : w.maxInFlight + base, latencyMs: 1.2, ...(i === 3 ? { error: 'timeout after 500 ms' } : {}) },
    { signal: name, t: w.tEnd - 1, value: w.maxInFlight + base + 1, latencyMs: 1.1 },
  ]);
  const cfg: DetectConfig = {
    k: 3,
    confirm: 2,
    p99: { enabled: false, minRatio: 2, sigmaFloor: 0.02 },
    errors: { enabled: false, maxRate: 0.01 },
    throughput: { enabled: false, minRatio: 0.95 },
    generator: { maxSendLag: 5, minSendRatio: 0.98 },
    arrival: 'uniform',
    runtime: [{ name, enabled: true, minRatio: 1.5, rising: true, sigmaFloor: 1, direction: 'up' }],
  };
  const spec = signalSpecs(cfg)[0]!;
  const learned = learnSignal(
    spec,
    windows.filter((w) => w.stepIndex === 0),
    cfg.k,
  );
  if (!learned || !r.baseline) throw new Error('the fixture run has no baseline to extend');
  return {
    ...r,
    windows,
    runtimeSamples: samples,
    samplers: [{ signal: name, status: 'gaps', samples: samples.length, gaps: 1, lastError: 'timeout after 500 ms' }],
    baseline: { ...r.baseline, signals: { ...r.baseline.signals, [name]: learned } },
  };
}

/**
 * A run with many short steps for layout checks (labels at any step count):
 * the demo run's real windows, its baseline kept, every later window made a
 * one-window ramp step of its own at a rising load (rates scaled to it), the
 * two windows that breached p99 one step, and the step after it the recheck
 * that passed, so the ramp went on to the end (stop reason completed).
 * The latencies, send lags and breach are the real run's; loads are not.
 */
export async function manyStepRun(): Promise<RunResult> {
  const r = await demoRun();
  const breach = r.criticalPoint!.signals.find((b) => b.signal === 'p99')!;
  const base = r.windows.filter((w) => w.stepIndex === 0);
  const rest = r.windows.filter((w) => w.stepIndex > 0);
  // Windows of each new step: a sparse drain tail and the breach's second window join the step before them.
  const groups: WindowStats[][] = [];
  for (const w of rest) {
    const joins = w.sparse || (w.index === breach.windowIndexes[1] && groups.at(-1)?.some((x) => x.index === breach.windowIndexes[0]));
    if (joins && groups.length > 0) groups.at(-1)!.push(w);
    else groups.push([w]);
  }
  let load = 450;
  const steps: StepResult[] = [r.steps[0]!];
  const windows: WindowStats[] = [...base];
  let breachLoad: number | null = null;
  groups.forEach((ws, i) => {
    const index = i + 1;
    const breached = ws.some((w) => breach.windowIndexes.includes(w.index));
    const recheck = breachLoad !== null && steps.at(-1)!.outcome === 'breach';
    if (recheck) load = breachLoad!;
    else if (i > 0) load = Math.round(load * 1.07);
    if (breached) breachLoad = load;
    const scaled = ws.map((w) => {
      const f = load / w.offered;
      return {
        ...w,
        stepIndex: index,
        phase: 'ramp' as const,
        offered: load,
        sent: Math.round(w.sent * f),
        scheduled: Math.round(w.scheduled * f),
        completed: Math.round(w.completed * f),
        sendRate: w.sendRate * f,
        achievedRate: w.achievedRate * f,
      };
    });
    windows.push(...scaled);
    const full = scaled.filter((w) => !w.sparse);
    const worst = full.reduce((a, b) => (b.p99 > a.p99 ? b : a));
    const sum = (k: 'sent' | 'completed' | 'errorTotal') => scaled.reduce((a, w) => a + w[k], 0);
    steps.push({
      index,
      phase: 'ramp',
      load,
      unit: 'req/s',
      outcome: breached ? 'breach' : 'pass',
      breaches: breached ? [breach] : [],
      windowCount: scaled.length,
      stats: {
        sent: sum('sent'),
        completed: sum('completed'),
        errors: {},
        errorTotal: sum('errorTotal'),
        achievedRate: worst.achievedRate,
        p50: worst.p50,
        p90: worst.p90,
        p99: worst.p99,
        max: worst.max,
        mean: worst.mean,
        sendLagP99: Math.max(...scaled.map((w) => w.sendLagP99)),
        maxInFlight: Math.max(...scaled.map((w) => w.maxInFlight)),
        aborted: false,
        elapsedMs: scaled.at(-1)!.tEnd - scaled[0]!.tStart,
      },
    });
  });
  return {
    ...r,
    steps,
    windows,
    criticalPoint: null,
    lastPass: load,
    stopReason: 'completed',
    stopDetail: `no breach up to load.end (${load} req/s): the critical point is above the ramp`,
    warnings: [
      `the breach at ${breachLoad} req/s (${breach.reason}) did not come back when the step was repeated (detect.recheck): taken as noise, the ramp went on`,
    ],
  };
}
