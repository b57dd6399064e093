// The gRPC engine's rate steps on N load threads (load.workers >= 2, the
// http2 client). The step itself (window grid, one time origin, merged
// window slices, the shared stop flag and in-flight cap, liveness, a thread
// that dies as one clear error) is the shared paced-threads step
// (threads/paced-step.ts), as for HTTP; this engine says what each thread
// sends: every thread builds its own http2 sessions from plain config
// (grpc-worker.ts: the request is already encoded, so no thread loads the
// proto or asks the server for reflection again). One thread, concurrency
// steps and grpc.client grpc-js are grpc-engine.ts, unchanged.
import type { Engine, Step, StepContext, StepStats } from '../../types.js';
import type { Scenario } from '../../scenario/schema.js';
import { TargetUnreachableError } from '../../errors.js';
import { formatDuration } from '../../scenario/duration.js';
import { ThreadPool } from '../threads/thread-pool.js';
import { runPacedThreadsStep, type ThreadsStopTiming } from '../threads/paced-step.js';
import { THREAD_TICK_MS, type FromPacedThread, type PacedThreadInit, type ToPacedThread } from '../threads/paced-protocol.js';
import { GRPC_MIX_ON_THREADS, grpcLoadThreads } from './grpc-load-threads.js';
import { ScenarioError } from '../../errors.js';
import { needsSource } from '../../requests/config.js';
import { GrpcEngine, MAX_CONNECTIONS, transportOptionsOf } from './grpc-engine.js';
import { grpcEngineConfig, type GrpcEngineConfig } from './grpc-config.js';
import type { LoadedProto } from './grpc-proto.js';
import type { Http2TransportOptions } from './http2-transport.js';

export { grpcLoadThreads };

const GRPC_WORKER = new URL('./grpc-worker.js', import.meta.url);

/** What a gRPC load thread is told at start: its share of the connections and the encoded call, as plain data. */
export interface GrpcWorkerInit extends PacedThreadInit {
  transport: Http2TransportOptions;
  /** How long the thread waits for its connections before it says it is ready, ms. */
  connectTimeoutMs: number;
}

/** load.workers: one thread is the single-thread gRPC engine exactly as it always was; two or more split the schedule over load threads. */
export function createGrpcEngine(s: Scenario, env: NodeJS.ProcessEnv, described?: LoadedProto): Engine {
  const cfg = grpcEngineConfig(s, env, described);
  const threads = grpcLoadThreads(s);
  // Validation refuses it (grpc-rules.ts): the threads send one prepared call, never a mix silently dropped.
  if (threads > 1 && needsSource(s)) throw new ScenarioError([`load.workers: ${GRPC_MIX_ON_THREADS}, got ${JSON.stringify(s.load.workers)}`]);
  return threads > 1 ? new GrpcThreadsEngine(cfg, threads) : new GrpcEngine(cfg);
}

/** grpc.channels shared out over the threads (each owns at least one connection), and each thread's share of the connection ceiling. */
export function threadConnections(cfg: Pick<GrpcEngineConfig, 'channels' | 'maxInFlight'>, threads: number): { channels: number; maxConnections: number } {
  const channels = Math.max(1, Math.ceil(cfg.channels / threads));
  return { channels, maxConnections: Math.max(channels, Math.ceil(Math.min(MAX_CONNECTIONS, cfg.maxInFlight) / threads)) };
}

interface StepCost {
  load: number;
  achievedRate: number;
  cpuUsPerCall: number;
}

export class GrpcThreadsEngine implements Engine {
  readonly name = 'grpc';
  private pool: ThreadPool<ToPacedThread, FromPacedThread> | null = null;
  private connectTimeoutMs = 10_000;
  private lastCost: StepCost | null = null;
  /** Timing of the most recent aborted step (tests and benchmarks). */
  lastStop: ThreadsStopTiming | null = null;

  constructor(
    private readonly cfg: GrpcEngineConfig,
    private readonly threads: number,
  ) {
    if (cfg.client !== 'http2') throw new Error('gRPC load threads use the http2 client');
  }

  describe(): string {
    const c = this.cfg;
    const { channels } = threadConnections(c, this.threads);
    return `gRPC ${c.kind} ${c.path} at ${c.url} (node http2 on ${this.threads} load threads, ${channels} connection${channels === 1 ? '' : 's'} each (more when the server limits streams per connection), deadline ${formatDuration(c.deadlineMs)}, ${c.arrival} arrivals and ${c.pacing} pacing, max ${c.maxInFlight} in flight)`;
  }

  private threadPool(): ThreadPool<ToPacedThread, FromPacedThread> {
    const { cfg, threads } = this;
    this.pool ??= new ThreadPool<ToPacedThread, FromPacedThread>({
      module: GRPC_WORKER,
      callerUrl: import.meta.url,
      size: threads,
      label: 'gRPC load thread',
      init: (thread): GrpcWorkerInit => ({
        thread,
        threads,
        maxInFlight: cfg.maxInFlight,
        pacing: cfg.pacing,
        tickMs: THREAD_TICK_MS,
        drainTimeoutMs: cfg.drainTimeoutMs,
        connectTimeoutMs: this.connectTimeoutMs,
        transport: { ...transportOptionsOf(cfg), ...threadConnections(cfg, threads) },
      }),
    });
    return this.pool;
  }

  /** Checks the target answers (one connection on this thread, as the single-thread engine checks it), then starts the threads, each with its connections up. */
  async preflight(timeoutMs: number): Promise<void> {
    const probe = new GrpcEngine({ ...this.cfg, channels: 1 });
    try {
      await probe.preflight(timeoutMs);
    } finally {
      await probe.close();
    }
    this.connectTimeoutMs = timeoutMs;
    try {
      await this.threadPool().ready();
    } catch (err) {
      throw new TargetUnreachableError(`${this.cfg.url}${this.cfg.path}`, `a load thread could not start its connections: ${(err as Error).message}`);
    }
  }

  /** The load threads (tests kill one to show a death is a clear error). */
  get workers() {
    return this.pool?.workers ?? [];
  }

  async runStep(step: Step, ctx: StepContext): Promise<StepStats> {
    const { cfg } = this;
    // Validation keeps concurrency mode on the main thread (grpcLoadThreads): this is a programming error.
    if (step.unit !== 'req/s') throw new Error(`gRPC load threads run rate steps only, got a ${step.unit} step`);
    const cpuBefore = process.cpuUsage();
    const { stats, stop } = await runPacedThreadsStep(this.threadPool(), step, ctx, {
      windowMs: cfg.windowMs,
      minRequests: cfg.minRequests,
      drainTimeoutMs: cfg.drainTimeoutMs,
      arrival: cfg.arrival,
      seed: cfg.seed,
      maxRequests: Math.min(cfg.maxRequestsPerStep, step.maxRequests ?? Infinity),
      firstMessage: cfg.stream,
      engine: 'the gRPC engine',
    });
    if (stop) this.lastStop = stop;
    // process.cpuUsage counts every thread of the process: the generator's whole cost per call.
    const cpu = process.cpuUsage(cpuBefore);
    const calls = stats.sent + stats.windows.filter((w) => w.warmup).reduce((n, w) => n + w.sent, 0);
    if (calls > 0) this.lastCost = { load: step.load, achievedRate: stats.achievedRate, cpuUsPerCall: (cpu.user + cpu.system) / calls };
    return stats;
  }

  /** What the generator reached and how to get more load (one sentence, for the generator-limited stop). */
  generatorAdvice(): string {
    const c = this.lastCost;
    const reached = c
      ? `it reached ${Math.round(c.achievedRate)} calls/s at ${c.load} calls/s offered on ${this.threads} load threads using ${Math.round(c.cpuUsPerCall)} µs of CPU per call`
      : 'no step finished';
    const pacing = this.cfg.pacing === 'timer' ? 'load.pacing: spin (sub-millisecond send lag for one busy core), ' : '';
    return `${reached}; for more load try ${pacing}a load machine with more and faster cores (not shared with the target, load.workers: auto uses them), or several machines with k6 (critpoint export k6 --parallelism <n> writes the k6 script and a k6-operator TestRun)`;
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }
}
