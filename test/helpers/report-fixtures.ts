// Saved runs for the report tests: a real run folder, optionally with a
// synthetic runtime signal added (the runtime samplers are wired elsewhere;
// the renderer must show any signal present in the result).
import { fileURLToPath } from 'node:url';
import type { RunResult, RuntimeSample } from '../../src/types.js';
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
    k: 3, confirm: 2, p99: { enabled: false, minRatio: 2, sigmaFloor: 0.02 }, errors: { enabled: false, maxRate: 0.01 }, throughput: { enabled: false, minRatio: 0.95 },
    generator: { maxSendLag: 5, minSendRatio: 0.98 }, arrival: 'uniform', runtime: [{ name, enabled: true, minRatio: 1.5, rising: true, sigmaFloor: 1, direction: 'up' }],
  };
  const spec = signalSpecs(cfg)[0]!;
  const learned = learnSignal(spec, windows.filter((w) => w.stepIndex === 0), cfg.k);
  if (!learned || !r.baseline) throw new Error('the fixture run has no baseline to extend');
  return {
    ...r,
    windows,
    runtimeSamples: samples,
    samplers: [{ signal: name, status: 'gaps', samples: samples.length, gaps: 1, lastError: 'timeout after 500 ms' }],
    baseline: { ...r.baseline, signals: { ...r.baseline.signals, [name]: learned } },
  };
}
