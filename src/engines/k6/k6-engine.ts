// The k6 engine: each step is one short local k6 run of a script from the
// exporter's renderer (ramping-arrival-rate held at the step's rate). k6
// writes its JSON output to a file that is read line by line while it runs;
// points fall into cells on k6's clock, and a cell closes once the wall clock
// is LATENESS_MS past its end (k6 flushes its JSON output every 200 ms), so
// windows reach the runner live. Aborting the step stops k6 through its REST
// API at once. k6's own exit codes become stop reasons (k6-exit.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { request } from 'undici';
import type { Engine, Step, StepContext, StepStats } from '../../types.js';
import { EngineStopError, TargetUnreachableError } from '../../errors.js';
import { k6Plan, preAllocatedVUs } from '../../k6/export/k6-plan.js';
import { renderK6Script } from '../../k6/export/k6-script.js';
import type { K6Request } from '../../k6/export/k6-request.js';
import { eventOfLine, newLineStats, requestOkStatusOf, type ClassifyOptions, type K6Event, type LineStats } from '../../k6/k6-events.js';
import { FileTail } from '../../k6/line-reader.js';
import { StepGrid, WindowCell } from '../../k6/window-cell.js';
import { StepAssembler } from '../../k6/step-assembler.js';
import { classifyK6Exit } from '../../k6/k6-exit.js';
import { freePort, K6Process, type StopLog } from './k6-process.js';
import { k6Version, versionAtLeast } from './k6-binary.js';

export interface K6EngineConfig {
  binary: string;
  request: K6Request;
  /** Environment of the k6 process: the script reads its secrets from it. */
  env: NodeJS.ProcessEnv;
  windowMs: number;
  minRequests: number;
  maxInFlight: number;
  okStatus?: number[];
  /** Wall-clock delay before a cell is closed: k6's output lags by its flush period. Default 500 ms. */
  latenessMs?: number;
  pollMs?: number;
}

export interface K6StepLog {
  step: number;
  exit: { code: number | null; signal: string | null };
  stop: StopLog;
  lines: LineStats;
  /** Events that arrived after their cell had closed (counted in the next one). */
  late: number;
  /** Epoch ms of the last request end seen. */
  lastEventAt: number | null;
}

const isRequest = (e: K6Event) => e.type === 'response' || e.type === 'failed';

export class K6Engine implements Engine {
  readonly name = 'k6';
  private dir: string | null = null;
  private version = 'unknown';
  private current: K6Process | null = null;
  /** What each step's k6 did: exit, stop path, lines (diagnostics and tests). */
  readonly log: K6StepLog[] = [];
  readonly warnings: string[] = [];
  /** A mix: the requests k6 reported in the steps so far (the next script's ITERATION_BASE, so send numbers run on across steps). */
  private iterations = 0;
  private readonly classify: ClassifyOptions;
  /** The mix's request names (byRequest), absent without a mix. */
  private readonly names: string[] | undefined;

  constructor(private readonly cfg: K6EngineConfig) {
    const mix = cfg.request.protocol === 'http' ? cfg.request.mix : undefined;
    this.names = mix?.entries.map((e) => e.name);
    this.classify = { okStatus: cfg.okStatus, ...(mix ? { requestOkStatus: requestOkStatusOf(mix.entries) } : {}) };
  }

  describe(): string {
    const r = this.cfg.request;
    const what =
      r.protocol === 'grpc'
        ? `gRPC ${r.method} at ${r.target}`
        : r.mix
          ? `a mix of ${r.mix.entries.length} requests (${r.mix.entries.map((e) => e.name).join(', ')}) at ${r.target}`
          : `${r.method} ${r.target}${r.path}`;
    const version = this.version === 'unknown' ? '' : ` ${this.version}`;
    return `k6${version} (${this.cfg.binary}): open-loop ${what}, ramping-arrival-rate, one k6 run per step, max ${this.cfg.maxInFlight} VUs${this.warnings.length ? `; ${this.warnings.join('; ')}` : ''}`;
  }

  async preflight(timeoutMs: number): Promise<void> {
    this.version = await k6Version(this.cfg.binary, Math.max(timeoutMs, 5_000));
    if (!versionAtLeast(this.version, '0.45.0'))
      this.warnings.push(`k6 ${this.version} is older than 0.45: its JSON output may differ from what critpoint reads (tested with v0.48)`);
    const r = this.cfg.request;
    if (r.protocol === 'http') {
      try {
        const res = await request(`${r.target}${r.path}`, {
          method: 'GET',
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.body.dump();
      } catch (err) {
        throw new TargetUnreachableError(`${r.target}${r.path}`, (err as Error).message);
      }
      return;
    }
    const [host, port] = [r.target.slice(0, r.target.lastIndexOf(':')), Number(r.target.slice(r.target.lastIndexOf(':') + 1))];
    await new Promise<void>((resolve, reject) => {
      const sock = connect({ host: host.replace(/^\[|\]$/g, ''), port, timeout: timeoutMs });
      sock.once('connect', () => (sock.destroy(), resolve()));
      sock.once('timeout', () => (sock.destroy(), reject(new TargetUnreachableError(r.target, `no connection within ${timeoutMs} ms`))));
      sock.once('error', (err) => reject(new TargetUnreachableError(r.target, err.message)));
    });
  }

  private async workDir(): Promise<string> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'critpoint-k6-'));
    return this.dir;
  }

  async runStep(step: Step, ctx: StepContext): Promise<StepStats> {
    const { cfg } = this;
    const dir = await this.workDir();
    const plan = k6Plan([step], 0);
    const script = join(dir, `step-${step.index}.js`);
    const out = join(dir, `step-${step.index}.json`);
    await rm(out, { force: true });
    await writeFile(
      script,
      renderK6Script({
        plan,
        request: cfg.request,
        maxVUs: cfg.maxInFlight,
        preAllocatedVUs: preAllocatedVUs(step.load, cfg.maxInFlight),
        gracefulStopMs: Math.min(cfg.request.timeoutMs, 5_000),
        abortErrorRate: 0,
        maxRequests: step.maxRequests,
        iterationBase: this.iterations,
        header: [`critpoint k6 engine: step ${step.index} (${step.phase}) at ${step.load} req/s`],
      }),
    );
    const port = await freePort();
    const proc = new K6Process({
      binary: cfg.binary,
      port,
      env: { ...cfg.env, K6_NO_USAGE_REPORT: 'true' },
      args: ['run', '--no-usage-report', '--quiet', '--no-summary', '--address', `127.0.0.1:${port}`, '--out', `json=${out}`, script],
    });
    this.current = proc;
    const log: K6StepLog = { step: step.index, exit: { code: null, signal: null }, stop: proc.stopLog, lines: newLineStats(), late: 0, lastEventAt: null };
    this.log.push(log);

    const offset = Date.now() - ctx.now(); // k6 time (epoch) -> run clock
    const lateness = cfg.latenessMs ?? 500;
    let grid: StepGrid | null = null;
    let assembler: StepAssembler | null = null;
    const cells: WindowCell[] = [];
    const early: K6Event[] = [];
    let next = 0;
    let stoppedAt: number | null = null;

    const file = (ev: K6Event) => {
      if (!grid) return;
      let i = grid.indexOf(ev.t);
      if (i < next) {
        log.late++;
        i = next;
      }
      (cells[i] ??= new WindowCell()).add(ev);
    };
    const take = (lines: string[]) => {
      const events: K6Event[] = [];
      for (const l of lines) {
        const ev = eventOfLine(l, log.lines, this.classify);
        if (!ev) continue;
        events.push(ev);
        if (isRequest(ev)) {
          this.iterations++;
          log.lastEventAt = Math.max(log.lastEventAt ?? 0, ev.t);
          // k6 reports a request when it ended: its end, on the run clock, is when the watchdog heard of it.
          if (ev.type === 'response') ctx.liveness.response(ev.t - offset);
          else ctx.liveness.failed(ev.kind ?? 'other', ev.t - offset);
        }
      }
      if (!grid) {
        const sends = events.filter(isRequest).map((e) => e.t - e.latencyMs);
        if (sends.length === 0) {
          early.push(...events.slice(0, 10_000 - early.length));
          return;
        }
        // The step's windows start at its first send, on k6's clock.
        grid = new StepGrid(Math.min(...sends), cfg.windowMs, step.warmupMs, step.durationMs);
        assembler = new StepAssembler({
          step,
          grid,
          minRequests: cfg.minRequests,
          toRunClock: (t) => t - offset,
          nextWindowIndex: ctx.nextWindowIndex,
          onWindow: ctx.onWindow,
          ...(this.names ? { requests: this.names } : {}),
        });
        if (stoppedAt !== null) assembler.sendingStopped(stoppedAt);
        early.splice(0).forEach(file);
      }
      events.forEach(file);
    };
    const closeThrough = (t: number) => {
      while (grid && assembler && next < grid.cells - 1 && grid.end(next) <= t) {
        assembler.closeCell(cells[next] ?? new WindowCell());
        delete cells[next];
        next++;
      }
    };
    const onAbort = () => {
      stoppedAt = Date.now();
      assembler?.sendingStopped(stoppedAt);
      void proc.stop();
    };
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });

    const tail = new FileTail(out);
    let exited = false;
    void proc.exited.then(() => {
      exited = true;
    });
    try {
      while (!exited) {
        take(await tail.poll());
        closeThrough(Date.now() - lateness);
        if (!exited) await Promise.race([new Promise((r) => setTimeout(r, cfg.pollMs ?? 50)), proc.exited]);
      }
      take(await tail.drain());
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      await tail.close();
      this.current = null;
    }
    const exit = await proc.exited;
    log.exit = exit;
    const outcome = classifyK6Exit({ code: exit.code, signal: exit.signal, stopRequested: proc.stopRequested, stderrTail: proc.stderrTail });
    if (outcome.kind === 'stop') {
      // k6's thresholds are not critpoint's detector: the engine's scripts set none, so a 99 here is not a breach.
      throw new EngineStopError(
        `${outcome.detail} at step ${step.index} (${step.load} req/s)`,
        outcome.reason === 'breach' ? 'error' : (outcome.reason ?? 'error'),
      );
    }
    if (!grid || !assembler) {
      if (ctx.signal.aborted) return emptyStats(step, ctx.now());
      throw new EngineStopError(
        `k6 sent no request in step ${step.index} (${step.load} req/s): ${log.lines.lines} lines of output${proc.stderrTail ? `; stderr: ${proc.stderrTail.trim().split('\n').slice(-2).join(' | ')}` : ''}`,
        'error',
      );
    }
    const g: StepGrid = grid;
    const a: StepAssembler = assembler;
    const end = Math.max(log.lastEventAt ?? g.anchor, stoppedAt ?? 0);
    const last = Math.max(g.indexOf(end), cells.length - 1);
    for (; next <= last; next++) a.closeCell(cells[next] ?? new WindowCell());
    return a.finish(Math.min(end, Date.now()), proc.stopRequested);
  }

  async close(): Promise<void> {
    this.current?.kill();
    if (this.dir) await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    this.dir = null;
  }
}

function emptyStats(step: Step, now: number): StepStats {
  return {
    step,
    windows: [],
    sent: 0,
    completed: 0,
    errors: {},
    errorTotal: 0,
    achievedRate: 0,
    p50: NaN,
    p90: NaN,
    p99: NaN,
    max: NaN,
    mean: NaN,
    sendLagP99: NaN,
    maxInFlight: 0,
    aborted: true,
    elapsedMs: now,
    inFlightAtEnd: 0,
  };
}
