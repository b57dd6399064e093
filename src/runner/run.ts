// The controller: preflight, baseline, coarse ramp, refinement, stop,
// outputs. It owns the lifecycle and the decisions; engines only measure,
// the detector only judges, reporters only write.
import { performance } from 'node:perf_hooks';
import type { Baseline, CriticalPoint, Engine, EvidenceFile, ProgressEvent, RunResult, SignalBreach, Step, StepOutcome, StepResult, StopReason, WindowStats } from '../types.js';
import type { Scenario } from '../scenario/schema.js';
import { createEngine, engineName } from '../engines/registry.js';
import { learnBaseline } from '../detector/baseline.js';
import { evaluateWindow, newStepState } from '../detector/evaluate.js';
import type { DetectConfig } from '../detector/signals.js';
import { baselineWindowMs, planLoads, roundLoad } from '../load/ramp-plan.js';
import { gap, nextMidpoint } from '../load/bisection.js';
import { concurrencyMidpoint, unitOf } from '../load/concurrency-ramp.js';
import { plateauBreach } from '../detector/plateau.js';
import { littlesLaw } from '../stats/littles-law.js';
import { runDiagnostics } from './diagnostics.js';
import { CritpointError, EngineStopError, exitCodeFor, TargetUnreachableError } from '../errors.js';
import { redactScenario, redactUrl } from '../scenario/secrets.js';
import { describeEnvironment } from './environment.js';
import { prepareRunDir, writeReports } from './outputs.js';
import { checkBaseline } from './baseline-check.js';
import { RuntimeMonitor, runtimeDetect } from './runtime-monitor.js';
import { TargetWatchdog } from './target-watchdog.js';
import { CAP_ABORT, RunCaps } from './run-caps.js';
import { judgeThinStep } from '../detector/thin-step.js';
import { SUMMARY_SCHEMA_VERSION } from '../result/summary-schema.js';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** External stop (SIGINT/SIGTERM): its reason is the signal name. */
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  /** Use this engine instead of the registry's (tests). */
  engine?: Engine;
  /** Write no files (the result is still returned). */
  dryWrite?: boolean;
  /** Preflight timeout, ms. Default 2000. */
  preflightTimeoutMs?: number;
  /** Capture evidence (runtime.capture) at the end of the run whatever its outcome, not only at a breach. */
  captureAtEnd?: boolean;
}

export interface RunOutcome {
  result: RunResult;
  runDir: string | null;
}

interface StepRun {
  result: StepResult;
  windows: WindowStats[];
  breaches: SignalBreach[];
  generatorDetail: string | null;
  unreachable: string | null;
}

export function detectConfig(s: Scenario): DetectConfig {
  return {
    k: s.detect.k,
    confirm: s.detect.confirm,
    p99: s.detect.p99,
    errors: s.detect.errors,
    throughput: s.detect.throughput,
    generator: s.detect.generator,
    loadMode: s.load.mode,
    arrival: s.load.arrival,
    latencySeries: s.grpc?.stopLatency === 'first-message' ? 'first-message' : 'response',
    runtime: runtimeDetect(s.runtime),
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export async function runScenario(s: Scenario, opts: RunOptions = {}): Promise<RunOutcome> {
  const env = opts.env ?? process.env;
  const emit = opts.onProgress ?? (() => undefined);
  const startedAt = new Date();
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const cfg = detectConfig(s);
  const unit = unitOf(s.load.mode);
  const closedLoop = s.load.mode === 'concurrency';
  const warnings: string[] = [];

  // Both checked before any load is sent: the engine's tools exist, the run folder is writable.
  const engine = opts.engine ?? createEngine(s, { env });
  const runDir = opts.dryWrite ? null : await prepareRunDir(s.report.dir, s.name, startedAt).catch(async (err: unknown) => {
    await engine.close().catch(() => undefined);
    throw err;
  });
  const monitor = new RuntimeMonitor(s.runtime, s.target.url, now);
  let evidence: EvidenceFile[] = [];
  let capturing: Promise<void> | undefined;
  const capture = () =>
    (capturing ??= monitor.capture(runDir).then((res) => {
      evidence = res.files;
      warnings.push(...res.warnings);
    }));
  const windows: WindowStats[] = [];
  const steps: StepResult[] = [];
  let windowIndex = 0;
  let baseline: Baseline | null = null;
  let stop: { reason: StopReason; detail: string; signal?: string } | null = null;
  let lastPass: number | null = null;
  let firstBreach: { load: number; breaches: SignalBreach[] } | null = null;
  /** The step that set lastPass: the closed loop's throughput reference. */
  let lastPassStep: StepResult | null = null;
  /** A coarse step whose p99-only breach will be rechecked: its evidence waits for the breach to come back. */
  let recheckPending = false;

  const runAbort = new AbortController();
  const onExternal = () => runAbort.abort(opts.signal?.reason ?? 'SIGINT');
  opts.signal?.addEventListener('abort', onExternal, { once: true });
  if (opts.signal?.aborted) onExternal();
  const caps = new RunCaps(s);
  caps.startClock((reason) => runAbort.abort(reason));

  const finish = async (): Promise<RunOutcome> => {
    caps.stopClock();
    opts.signal?.removeEventListener('abort', onExternal);
    const reason = stop?.reason ?? 'error';
    if (reason === 'breach' || opts.captureAtEnd) await capture();
    else await capturing;
    await monitor.stop();
    await engine.close().catch(() => undefined);
    const criticalPoint: CriticalPoint | null =
      reason === 'breach' && firstBreach && lastPass !== null
        ? { value: lastPass, unit, lastPass, firstBreach: firstBreach.load, resolution: gap(lastPass, firstBreach.load), signals: firstBreach.breaches }
        : null;
    const endedAt = new Date();
    const result: RunResult = {
      schemaVersion: SUMMARY_SCHEMA_VERSION,
      runId: runDir ? runDir.split(/[\\/]/).slice(-2).join('/') : `${s.name}/${startedAt.toISOString()}`,
      name: s.name,
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - startedAt.getTime(),
      stopReason: reason,
      stopDetail: stop?.detail ?? 'unknown',
      exitCode: exitCodeFor(reason, stop?.signal),
      engine: engine.name,
      target: redactUrl(s.target.url),
      scenario: redactScenario(s),
      environment: describeEnvironment(),
      baseline,
      steps,
      windows,
      runtimeSamples: monitor.samples(),
      samplers: monitor.health(),
      criticalPoint,
      lastPass,
      evidence,
      diagnostics: runDiagnostics(steps, unit),
      files: [],
      warnings,
    };
    if (runDir) {
      await writeReports(result, runDir, s.report.formats);
    }
    emit({ type: 'phase', phase: 'done', detail: result.stopDetail });
    return { result, runDir };
  };

  const stopFromAbort = (): boolean => {
    if (!runAbort.signal.aborted) return false;
    const why = String(runAbort.signal.reason);
    const capped = caps.stopFor(why, firstBreach !== null && lastPass !== null);
    if (capped) {
      stop = capped.stop;
      if (capped.warning) warnings.push(capped.warning);
    } else {
      stop = { reason: 'interrupted', detail: `interrupted by ${why}`, signal: why };
    }
    return true;
  };

  // Interrupted before anything was sent (e.g. Ctrl-C while loading): no preflight either.
  if (stopFromAbort()) return finish();
  // Preflight: one request, short timeout.
  emit({ type: 'phase', phase: 'preflight', detail: engine.describe() });
  try {
    await engine.preflight(opts.preflightTimeoutMs ?? 2_000);
  } catch (err) {
    if (err instanceof TargetUnreachableError) {
      stop = { reason: 'target-unreachable', detail: err.message };
      return finish();
    }
    throw err;
  }

  monitor.start();

  /** Between steps: the fixed pause, then (with runtime signals) a bounded wait until they are back near baseline. */
  const drain = async () => {
    await sleep(s.load.drain, runAbort.signal);
    const drained = await monitor.waitNearBaseline(baseline, s.load.drainTimeout, runAbort.signal);
    if (!drained && !runAbort.signal.aborted) warnings.push(`runtime signals were still above their baseline band after load.drainTimeout (${s.load.drainTimeout} ms) before step ${steps.length}`);
  };

  /** Closed loop, after a step passed every window: did its throughput stop growing over the last passing step's? */
  const stepBreach = (stats: StepResult['stats'], load: number): SignalBreach | null => {
    if (!closedLoop || !lastPassStep) return null;
    const ref = lastPassStep.stats;
    return plateauBreach({ load: lastPassStep.load, throughput: ref.achievedRate, meanLatencyMs: ref.mean }, { load, throughput: stats.achievedRate, meanLatencyMs: stats.mean }, s.detect.plateau, unit);
  };

  const runStep = async (planned: Step, evaluate: boolean): Promise<StepRun> => {
    const step = caps.bound(planned);
    const stepAbort = new AbortController();
    const forward = () => stepAbort.abort(runAbort.signal.reason);
    runAbort.signal.addEventListener('abort', forward, { once: true });
    let state = newStepState();
    let outcome: StepOutcome = 'pass';
    let breaches: SignalBreach[] = [];
    let generatorDetail: string | null = null;
    let unreachable: string | null = null;
    let deadWindows = 0;
    const stepWindows: WindowStats[] = [];
    emit({ type: 'step-start', step });
    const onWindow = (w: WindowStats) => {
      monitor.annotate(w);
      windows.push(w);
      stepWindows.push(w);
      emit({ type: 'window', window: w, baseline });
      // Spent budget: stop after this window was judged (the engine itself never schedules past it).
      if (caps.count(w)) queueMicrotask(() => runAbort.abort(CAP_ABORT.requests));
      if (stepAbort.signal.aborted) return;
      // A target that stopped answering at all is unreachable, not a critical point.
      const connectionErrors = (w.errors.connection ?? 0) + (w.errors['grpc-UNAVAILABLE'] ?? 0);
      deadWindows = w.completed === 0 && connectionErrors > 0 ? deadWindows + 1 : 0;
      if (deadWindows >= 2) {
        unreachable = `no response in ${deadWindows} consecutive windows (${connectionErrors} connection errors in the last)`;
        stepAbort.abort('target-unreachable');
        return;
      }
      if (!evaluate || !baseline) return;
      const v = evaluateWindow(baseline, w, cfg, state);
      state = v.state;
      if (v.confirmed.length > 0) {
        outcome = 'breach';
        breaches = v.confirmed;
        stepAbort.abort('breach');
        // Evidence is worth most at the first confirmed breach, while the target is still loaded; a
        // p99-only breach that detect.recheck will repeat waits: noise that does not come back is no evidence.
        if (!(recheckPending && v.confirmed.every((b) => b.signal === 'p99'))) void capture();
      } else if (v.generatorLimited) {
        outcome = 'generator-limited';
        generatorDetail = v.generatorLimited;
        stepAbort.abort('generator-limited');
      }
    };
    // A target that died mid-step is told within ~1 s, not after two dead windows.
    const watchdog = new TargetWatchdog({
      now,
      onUnreachable: (detail) => {
        if (stepAbort.signal.aborted) return;
        unreachable = detail;
        stepAbort.abort('target-unreachable');
      },
    });
    const stats = await engine.runStep(step, { now, signal: stepAbort.signal, onWindow, nextWindowIndex: () => windowIndex++, liveness: watchdog }).finally(() => watchdog.stop());
    runAbort.signal.removeEventListener('abort', forward);
    // Too few answers to fill `confirm` windows is not a pass: judge the step on its totals.
    const thin = evaluate && outcome === 'pass' && !stats.aborted ? judgeThinStep(stepWindows, stats, step.load, cfg) : null;
    if (thin) {
      outcome = 'breach';
      breaches = [thin];
    }
    if (stats.aborted && outcome === 'pass') outcome = 'aborted';
    if (unreachable) outcome = 'aborted';
    const { windows: _w, step: _s, ...rest } = stats;
    if (evaluate && outcome === 'pass' && !stats.aborted) {
      const plateau = stepBreach(rest, step.load);
      if (plateau) {
        outcome = 'breach';
        breaches = [plateau];
      }
    }
    const result: StepResult = { index: step.index, phase: step.phase, load: step.load, unit, outcome, breaches, stats: rest, windowCount: stepWindows.length, littlesLaw: littlesLaw(stepWindows) };
    steps.push(result);
    emit({ type: 'step-end', result });
    return { result, windows: stepWindows, breaches, generatorDetail, unreachable };
  };

  /** Runs one evaluated step and files its outcome; returns false when the run must stop. */
  const judged = async (load: number, phase: 'ramp' | 'refine', durationMs: number): Promise<'pass' | 'breach' | 'stop'> => {
    let run = await runStep({ index: steps.length, phase, load, unit, durationMs, warmupMs: 0 }, true);
    // The generator fell behind: on a shared machine that is often a passing hiccup (another process took
    // the CPU), so the step is repeated; the attempt stays in the step table as generator-limited.
    for (let retry = 1; retry <= s.detect.generator.retries && run.result.outcome === 'generator-limited'; retry++) {
      warnings.push(`the generator fell behind at ${load} ${unit} (${run.generatorDetail}): step ${run.result.index} repeated (${retry} of detect.generator.retries ${s.detect.generator.retries})`);
      await drain();
      if (stopFromAbort()) return 'stop';
      run = await runStep({ index: steps.length, phase, load, unit, durationMs, warmupMs: 0 }, true);
    }
    if (run.unreachable) {
      stop = { reason: 'target-unreachable', detail: `target stopped answering at ${load} ${unit}: ${run.unreachable}` };
      return 'stop';
    }
    if (run.result.outcome === 'breach') return 'breach';
    if (run.result.outcome === 'generator-limited') {
      stop = { reason: 'generator-limited', detail: `the load generator could not keep up at ${load} ${unit} (${run.generatorDetail}); the target's critical point is above what this machine can offer` };
      return 'stop';
    }
    if (stopFromAbort()) return 'stop';
    return 'pass';
  };

  try {
    // Baseline: warm-up (discarded), then baselineWindows windows at the first load.
    emit({ type: 'phase', phase: 'baseline' });
    const baseWindowMs = baselineWindowMs(s);
    // Like a ramp step, a baseline where the generator fell behind is repeated (detect.generator.retries):
    // one stall of a shared machine must not end the run before it began. The last attempt is the baseline.
    let base: StepRun;
    let check: ReturnType<typeof checkBaseline>;
    for (let attempt = 0; ; attempt++) {
      base = await runStep({ index: steps.length, phase: 'baseline', load: s.load.start, unit, durationMs: s.load.baselineWindows * baseWindowMs, warmupMs: s.load.warmup }, false);
      if (base.unreachable) {
        stop = { reason: 'target-unreachable', detail: `target stopped answering during the baseline: ${base.unreachable}` };
        return await finish();
      }
      if (stopFromAbort()) return await finish();
      baseline = learnBaseline(base.windows, cfg, s.load.start, unit);
      check = checkBaseline(base.windows, baseline, cfg, s);
      if (check.stop?.reason !== 'generator-limited' || attempt >= s.detect.generator.retries) break;
      base.result.outcome = 'generator-limited';
      warnings.push(`${check.stop.detail}: baseline repeated (${attempt + 1} of detect.generator.retries ${s.detect.generator.retries})`);
      baseline = null; // the drain before the repeat waits on no band learned from a lagging attempt
      await drain();
      if (stopFromAbort()) return await finish();
    }
    warnings.push(...check.warnings);
    if (check.stop) {
      stop = check.stop;
      if (check.stop.reason === 'breach') firstBreach = { load: s.load.start, breaches: check.breaches };
      return await finish();
    }
    lastPass = s.load.start;
    lastPassStep = base.result;

    // Coarse ramp.
    emit({ type: 'phase', phase: 'ramp' });
    for (const load of planLoads(s.load)) {
      await drain();
      if (stopFromAbort()) return await finish();
      recheckPending = s.detect.recheck;
      let verdict = await judged(load, 'ramp', s.load.stepDuration);
      recheckPending = false;
      const first = steps[steps.length - 1];
      if (verdict === 'breach' && s.detect.recheck && first?.breaches.every((b) => b.signal === 'p99')) {
        // One noisy second of latency would otherwise set the bracket for the whole search (the refinement
        // never revisits the first breach): repeat the step; only a breach that comes back counts. Errors,
        // throughput and runtime signals (a goroutine count still rising) are not rechecked.
        await drain();
        if (stopFromAbort()) return await finish();
        verdict = await judged(load, 'ramp', s.load.stepDuration);
        if (verdict === 'pass') warnings.push(`the breach at ${load} ${unit} (${first?.breaches.map((b) => b.reason).join('; ')}) did not come back when the step was repeated (detect.recheck): taken as noise, the ramp went on`);
      }
      if (verdict === 'stop') return await finish();
      if (verdict === 'breach') {
        firstBreach = { load, breaches: steps[steps.length - 1]?.breaches ?? [] };
        break;
      }
      lastPass = load;
      lastPassStep = steps[steps.length - 1] ?? null;
    }
    if (!firstBreach) {
      stop = { reason: 'completed', detail: `no breach up to load.end (${s.load.end} ${unit}): the critical point is above the ramp` };
      return await finish();
    }

    // Refinement: bisect between lastPass and firstBreach.
    emit({ type: 'phase', phase: 'refine' });
    const refineMs = s.load.refine.stepDuration ?? s.load.stepDuration;
    const refineSteps = s.load.refine.resolution > 0 ? s.load.refine.maxSteps : 0; // resolution 0 = no refinement
    for (let i = 0; i < refineSteps; i++) {
      const mid: number | null = closedLoop ? concurrencyMidpoint(lastPass, firstBreach.load, s.load.refine.resolution) : nextMidpoint(lastPass, firstBreach.load, s.load.refine.resolution);
      if (mid === null) break;
      const load: number = closedLoop ? mid : roundLoad(mid);
      if (load <= lastPass || load >= firstBreach.load) break;
      await drain();
      if (stopFromAbort()) return await finish();
      const verdict = await judged(load, 'refine', refineMs);
      if (verdict === 'stop') return await finish();
      if (verdict === 'breach') firstBreach = { load, breaches: steps[steps.length - 1]?.breaches ?? [] };
      else {
        lastPass = load;
        lastPassStep = steps[steps.length - 1] ?? null;
      }
    }
    stop = { reason: 'breach', detail: `critical point ${lastPass} ${unit}: ${firstBreach.breaches.map((b) => b.reason).join('; ')} at ${firstBreach.load} ${unit}` };
    return await finish();
  } catch (err) {
    if (err instanceof EngineStopError) stop = { reason: err.stopReason, detail: err.message };
    else stop = { reason: 'error', detail: err instanceof CritpointError ? err.message : `internal error: ${(err as Error).stack ?? String(err)}` };
    return await finish();
  }
}

export { engineName };
