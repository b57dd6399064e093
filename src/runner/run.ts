// The live runner: I/O around the search. It owns the lifecycle (preflight,
// engines, samplers, the caps' clock, signals, drains between steps,
// evidence, outputs) and drives the pure search controller
// (search/controller.ts), which makes every decision: engines only measure,
// the step judge and the detector only judge, reporters only write.
import { performance } from 'node:perf_hooks';
import type { Engine, EvidenceFile, Phase, ProgressEvent, WindowStats } from '../types.js';
import type { Scenario } from '../scenario/schema.js';
import { prepareEngine } from '../engines/registry.js';
import { sendLimitOf } from '../requests/config.js';
import { CritpointError, EngineStopError, TargetUnreachableError } from '../errors.js';
import { prepareRunDir, writeReports } from './outputs.js';
import { RuntimeMonitor } from './runtime-monitor.js';
import { TargetWatchdog } from './target-watchdog.js';
import { CAP_ABORT, SearchController, willRecheck, type SearchStop, type StepProposal } from '../search/controller.js';
import type { JudgedStep } from '../search/step-judge.js';
import { buildRunResult } from './run-result.js';
import type { RunResult } from '../types.js';

export { detectConfig } from '../search/detect-config.js';

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
  const search = new SearchController(s, { sendLimit: sendLimitOf(s) });
  /** What the runner itself has to say (drains, evidence, report writes); the search's own come first. */
  const warnings: string[] = [];

  // All checked before any load is sent: the engine's tools exist (a gRPC service description: its proto file or
  // server reflection, once), the run folder is writable.
  const engine = opts.engine ?? (await prepareEngine(s, { env }));
  const runDir = opts.dryWrite
    ? null
    : await prepareRunDir(s.report.dir, s.name, startedAt).catch(async (err: unknown) => {
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
  let windowIndex = 0;

  const runAbort = new AbortController();
  const onExternal = () => runAbort.abort(opts.signal?.reason ?? 'SIGINT');
  opts.signal?.addEventListener('abort', onExternal, { once: true });
  if (opts.signal?.aborted) onExternal();
  // load.maxDuration: a wall-time budget; the search decides what a cap that ends the run means.
  const budget = setTimeout(() => runAbort.abort(CAP_ABORT.duration), s.load.maxDuration);
  budget.unref();
  const interruption = (): string | undefined => (runAbort.signal.aborted ? String(runAbort.signal.reason) : undefined);

  const finish = async (searchStop: SearchStop): Promise<RunOutcome> => {
    clearTimeout(budget);
    opts.signal?.removeEventListener('abort', onExternal);
    // The engine knows what its calls cost and how to get more load out of it (e.g. more channels, spin pacing).
    const advice = searchStop.reason === 'generator-limited' ? engine.generatorAdvice?.() : undefined;
    const stop = advice ? { ...searchStop, detail: `${searchStop.detail}; ${advice}` } : searchStop;
    if (stop.reason === 'breach' || opts.captureAtEnd) await capture();
    else await capturing;
    await monitor.stop();
    const connections = engine.connectionReport?.();
    const serviceDescription = engine.serviceDescription?.();
    await engine.close().catch(() => undefined);
    const result = buildRunResult({
      scenario: s,
      stop,
      engine: engine.name,
      startedAt,
      endedAt: new Date(),
      runDir,
      baseline: search.baseline,
      steps: search.steps,
      windows,
      runtimeSamples: monitor.samples(),
      samplers: monitor.health(),
      evidence,
      warnings: [...search.warnings, ...warnings],
      ...(connections ? { connections } : {}),
      ...(serviceDescription ? { serviceDescription } : {}),
    });
    if (runDir) await writeReports(result, runDir, s.report.formats);
    emit({ type: 'phase', phase: 'done', detail: result.stopDetail });
    return { result, runDir };
  };

  // Interrupted before anything was sent (e.g. Ctrl-C while loading): no preflight either.
  const early = interruption();
  if (early) return finish(search.interrupt(early));
  // Preflight: one request, short timeout.
  emit({ type: 'phase', phase: 'preflight', detail: engine.describe() });
  try {
    await engine.preflight(opts.preflightTimeoutMs ?? 2_000);
  } catch (err) {
    if (err instanceof TargetUnreachableError) return finish(search.fail('target-unreachable', err.message));
    throw err;
  }

  monitor.start();

  /** Between steps: the fixed pause, then (with runtime signals) a bounded wait until they are back near baseline. */
  const drain = async () => {
    await sleep(s.load.drain, runAbort.signal);
    const drained = await monitor.waitNearBaseline(search.baseline, s.load.drainTimeout, runAbort.signal);
    if (!drained && !runAbort.signal.aborted)
      warnings.push(
        `runtime signals were still above their baseline band after load.drainTimeout (${s.load.drainTimeout} ms) before step ${search.steps.length}`,
      );
  };

  /** Runs one proposed step on the engine, feeding its windows to the step's judge as they close. */
  const runStep = async (p: StepProposal): Promise<JudgedStep> => {
    const { step } = p;
    const judge = search.judge(p);
    const stepAbort = new AbortController();
    const forward = () => stepAbort.abort(runAbort.signal.reason);
    runAbort.signal.addEventListener('abort', forward, { once: true });
    emit({ type: 'step-start', step });
    const onWindow = (measured: WindowStats) => {
      // Runtime samples join the engine's window in a new object: the engine's window stays as emitted.
      const w = monitor.annotated(measured);
      windows.push(w);
      emit({ type: 'window', window: w, baseline: search.baseline });
      const call = stepAbort.signal.aborted ? judge.record(w) : judge.window(w);
      // Spent budget: stop after this window was judged (the engine itself never schedules past it).
      if (call.budgetSpent) queueMicrotask(() => runAbort.abort(CAP_ABORT.requests));
      const decided = call.stop;
      if (!decided) return;
      stepAbort.abort(decided.kind === 'unreachable' ? 'target-unreachable' : decided.kind);
      // Evidence is worth most at the first confirmed breach, while the target is still loaded; a
      // p99-only breach that detect.recheck will repeat waits: noise that does not come back is no evidence.
      if (decided.kind === 'breach' && !willRecheck(p, decided.breaches)) void capture();
    };
    // A target that died mid-step is told within ~1 s, not after two dead windows.
    const watchdog = new TargetWatchdog({
      now,
      onUnreachable: (detail) => {
        if (!stepAbort.signal.aborted && judge.targetGone(detail)) stepAbort.abort('target-unreachable');
      },
    });
    try {
      const stats = await engine.runStep(step, { now, signal: stepAbort.signal, onWindow, nextWindowIndex: () => windowIndex++, liveness: watchdog });
      if (stats.inFlightAtEnd > 0) warnings.push(`step ${step.index}: ${stats.inFlightAtEnd} requests were still unanswered when the step's drain ended`);
      return judge.finish(stats);
    } finally {
      watchdog.stop();
      runAbort.signal.removeEventListener('abort', forward);
    }
  };

  try {
    let p = search.start();
    let phase: Phase | null = null;
    while (p.kind === 'step') {
      if (search.steps.length > 0) {
        await drain();
        const why = interruption();
        if (why) {
          p = search.interrupt(why);
          break;
        }
      }
      if (p.step.phase !== phase) emit({ type: 'phase', phase: (phase = p.step.phase) });
      const judged = await runStep(p);
      p = search.next(judged, interruption());
      const filed = search.steps[search.steps.length - 1];
      if (filed) emit({ type: 'step-end', result: filed });
    }
    return await finish(p);
  } catch (err) {
    if (err instanceof EngineStopError) return await finish(search.fail(err.stopReason, err.message));
    return await finish(search.fail('error', err instanceof CritpointError ? err.message : `internal error: ${(err as Error).stack ?? String(err)}`));
  }
}
