// The paced open-loop HTTP engine on N load threads (load.workers >= 2; one
// thread is http-open-engine.ts, unchanged). The step itself (window grid,
// one time origin, merged slices, shared stop flag, liveness, a dying thread
// as a clear error) is the shared paced-threads step (threads/paced-step.ts);
// this engine says what each thread sends (open-worker.ts) and checks the
// target before the threads start.
//
// A request mix (src/requests/): each thread rebuilds the request source
// from its plain config, and every send takes the run's next send number
// from a counter the threads share (threads/paced-thread.ts), so the sends
// are numbered 0, 1, 2, ... over the run, each number once, as on one
// thread: the same picks and the same data rows, whatever the thread count.
import type { Engine, Step, StepContext, StepStats } from '../../types.js';
import { httpPreflight } from '../http-preflight.js';
import { ConnectionCounter, createHttpDispatcher, sumConnectionReports, type HttpConnectionReport } from '../http-dispatcher.js';
import { HttpRequestSource } from '../../requests/source.js';
import { ThreadPool } from '../threads/thread-pool.js';
import { runPacedThreadsStep, type ThreadsStopTiming } from '../threads/paced-step.js';
import { THREAD_TICK_MS, type FromPacedThread, type ToPacedThread } from '../threads/paced-protocol.js';
import { preflightRequest, requestWords, type HttpOpenConfig } from './http-open-engine.js';
import type { OpenWorkerInit } from './open-worker-protocol.js';

const OPEN_WORKER = new URL('./open-worker.js', import.meta.url);

export class HttpOpenThreadsEngine implements Engine {
  readonly name = 'http-open';
  private readonly origin: string;
  private readonly requestPath: string;
  private pool: ThreadPool<ToPacedThread, FromPacedThread> | null = null;
  /** Timing of the most recent aborted step (tests and benchmarks). */
  lastStop: ThreadsStopTiming | null = null;
  /** The main thread's copy of the request source: names, the preflight's request, words (the threads send). */
  private readonly source: HttpRequestSource | null;
  /** Send numbers taken by the run's steps so far (a request mix): the next step's first number. */
  private seq = 0;
  /** The connections of the preflight and, per thread, the latest report (each thread's covers the run so far). */
  private preflightConnections: HttpConnectionReport | null = null;
  private threadConnections: (HttpConnectionReport | undefined)[] = [];

  constructor(
    private readonly cfg: HttpOpenConfig,
    private readonly threads: number,
  ) {
    const url = new URL(cfg.url);
    this.origin = url.origin;
    this.requestPath = `${url.pathname.replace(/\/$/, '')}${cfg.path}`;
    this.source = cfg.requests ? new HttpRequestSource(cfg.requests) : null;
  }

  describe(): string {
    const { cfg } = this;
    return `open-loop HTTP ${requestWords(cfg, this.source, this.origin, this.requestPath)} (undici on ${this.threads} load threads, ${cfg.arrival} arrivals, ${cfg.pacing} pacing, max ${cfg.maxInFlight} in flight)`;
  }

  private threadPool(): ThreadPool<ToPacedThread, FromPacedThread> {
    const { cfg } = this;
    this.pool ??= new ThreadPool<ToPacedThread, FromPacedThread>({
      module: OPEN_WORKER,
      callerUrl: import.meta.url,
      size: this.threads,
      label: 'load worker thread',
      init: (thread): OpenWorkerInit => ({
        thread,
        threads: this.threads,
        origin: this.origin,
        method: cfg.method,
        path: this.requestPath,
        headers: cfg.headers,
        body: cfg.body,
        timeoutMs: cfg.timeoutMs,
        ...(cfg.okStatus ? { okStatus: cfg.okStatus } : {}),
        ...(cfg.check ? { check: cfg.check } : {}),
        drainTimeoutMs: cfg.drainTimeoutMs,
        maxInFlight: cfg.maxInFlight,
        pacing: cfg.pacing,
        tickMs: THREAD_TICK_MS,
        version: cfg.version,
        streams: cfg.streams,
        tls: cfg.tls,
        source: cfg.requests ?? null,
        ...(this.source ? { requestCount: this.source.names.length } : {}),
      }),
    });
    return this.pool;
  }

  /** Checks the target answers, then starts the threads so the first step's clock does not wait for them. */
  async preflight(timeoutMs: number): Promise<void> {
    const { cfg } = this;
    // Over a dispatcher built as each thread builds its own (HTTP version, TLS), so the check covers the connections the run uses.
    const counter = new ConnectionCounter(cfg.version ?? '1.1');
    const pool = createHttpDispatcher(
      { origin: this.origin, connections: 1, timeoutMs: cfg.timeoutMs, version: cfg.version, streams: cfg.streams, tls: cfg.tls },
      counter,
    );
    try {
      await httpPreflight(
        preflightRequest(cfg, this.source, this.origin, this.requestPath),
        timeoutMs,
        pool,
        cfg.version === '2' ? () => counter.negotiated() : undefined,
      );
    } finally {
      this.preflightConnections = counter.report();
      counter.stop();
      await pool.destroy().catch(() => undefined);
    }
    await this.threadPool().ready();
  }

  /** The load threads (tests kill one to show a death is a clear error). */
  get workers() {
    return this.pool?.workers ?? [];
  }

  /** The connections the run opened over all threads (and the preflight), as one thread reports them. */
  connectionReport(): HttpConnectionReport {
    const reports = [this.preflightConnections, ...this.threadConnections].filter((r): r is HttpConnectionReport => r != null);
    return reports.length > 0 ? sumConnectionReports(reports) : new ConnectionCounter(this.cfg.version ?? '1.1').report();
  }

  async runStep(step: Step, ctx: StepContext): Promise<StepStats> {
    const { cfg } = this;
    const { stats, stop, numbered, connections } = await runPacedThreadsStep(this.threadPool(), step, ctx, {
      windowMs: cfg.windowMs,
      minRequests: cfg.minRequests,
      drainTimeoutMs: cfg.drainTimeoutMs,
      arrival: cfg.arrival,
      seed: cfg.seed,
      maxRequests: step.maxRequests,
      engine: 'the open-loop engine',
      ...(this.source ? { requests: this.source.names, seqBase: this.seq } : {}),
    });
    this.seq += numbered;
    connections.forEach((c, i) => {
      if (c) this.threadConnections[i] = c as HttpConnectionReport;
    });
    if (stop) this.lastStop = stop;
    return stats;
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }
}
