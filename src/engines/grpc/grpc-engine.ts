// gRPC engine on @grpc/grpc-js. Rate steps are open loop on the shared
// pacing loop, latency from the intended send time; connection steps keep
// step.load calls in flight (closed loop). Unary calls record one latency;
// server-streaming calls record the time to the first message and to the
// end of the stream. Failed calls count as grpc-<STATUS_NAME> errors.
import type { Engine, Step, StepContext, StepStats } from '../../types.js';
import { TargetUnreachableError } from '../../errors.js';
import { StepRecorder } from '../step-recorder.js';
import { runPacing } from '../pacing.js';
import { runClosedLoop } from '../closed-loop.js';
import { InFlightTracker } from '../in-flight-tracker.js';
import { createPacer } from '../../load/rate-schedule.js';
import { formatDuration } from '../../scenario/duration.js';
import { ChannelPool } from './channel-pool.js';
import { buildMetadata, startCall, type CallSpec } from './grpc-call.js';
import { grpcErrorKind, isNoAnswer, OK, statusName, UNIMPLEMENTED } from './grpc-status.js';
import type { GrpcEngineConfig } from './grpc-config.js';

export class GrpcEngine implements Engine {
  readonly name = 'grpc';
  private readonly pool: ChannelPool;
  private readonly spec: CallSpec;
  private inFlight = 0;

  constructor(private readonly cfg: GrpcEngineConfig) {
    this.pool = new ChannelPool(cfg.address, cfg.tls, cfg.channels);
    this.spec = { path: cfg.path, request: cfg.request, metadata: buildMetadata(cfg.metadata), deadlineMs: cfg.deadlineMs, stream: cfg.stream };
  }

  describe(): string {
    const c = this.cfg;
    return `gRPC ${c.kind} ${c.path} at ${c.url} (@grpc/grpc-js, ${c.channels} channel${c.channels === 1 ? '' : 's'}, deadline ${formatDuration(c.deadlineMs)}, ${c.arrival} arrivals and ${c.pacing} pacing in rate steps, max ${c.maxInFlight} in flight)`;
  }

  private call(spec: CallSpec, client = this.pool.next()): Promise<{ code: number; details: string }> {
    return new Promise((resolve) => startCall(client, spec, { done: (code, details) => resolve({ code, details }) }));
  }

  async preflight(timeoutMs: number): Promise<void> {
    const target = `${this.cfg.url}${this.cfg.path}`;
    const first = this.pool.clients[0]!;
    try {
      await this.pool.ready(timeoutMs, [first]);
    } catch {
      const probe = await this.call({ ...this.spec, deadlineMs: Math.min(timeoutMs, 1_000) }, first);
      throw new TargetUnreachableError(target, `no connection within ${timeoutMs} ms (${statusName(probe.code)}: ${probe.details})`);
    }
    const res = await this.call({ ...this.spec, deadlineMs: Math.max(timeoutMs, this.cfg.deadlineMs) }, first);
    if (isNoAnswer(res.code)) throw new TargetUnreachableError(target, `${statusName(res.code)}: ${res.details}`);
    if (res.code === UNIMPLEMENTED) throw new TargetUnreachableError(target, `the server does not implement ${this.cfg.path} (UNIMPLEMENTED: ${res.details})`);
    // Any other status is an answer: the service is there; the baseline shows its errors.
    try {
      await this.pool.ready(timeoutMs);
    } catch {
      throw new TargetUnreachableError(target, `not all ${this.cfg.channels} channels connected within ${timeoutMs} ms`);
    }
  }

  async runStep(step: Step, ctx: StepContext): Promise<StepStats> {
    const { cfg } = this;
    const recorder = new StepRecorder({ step, windowMs: cfg.windowMs, minRequests: cfg.minRequests, now: ctx.now, onWindow: ctx.onWindow, nextWindowIndex: ctx.nextWindowIndex, firstMessage: cfg.stream });
    const pending = new InFlightTracker();
    /** Starts one call; latency is measured from `from` (intended send time in open loop, actual in closed loop). */
    const call = (from: number, then?: () => void) => {
      this.inFlight++;
      pending.add();
      startCall(this.pool.next(), this.spec, {
        firstMessage: () => recorder.firstMessage(ctx.now() - from),
        done: (code) => {
          const at = ctx.now();
          const latency = at - from;
          if (code === OK) recorder.response(latency, true, at);
          else if (isNoAnswer(code)) recorder.failed(grpcErrorKind(code), at);
          else recorder.response(latency, false, at, grpcErrorKind(code));
          this.inFlight--;
          pending.done();
          then?.();
        },
      });
    };

    const durationMs = step.warmupMs + step.durationMs;
    const aborted =
      step.unit === 'connections'
        ? await runClosedLoop({
            concurrency: Math.max(1, Math.round(step.load)),
            startAt: recorder.startedAt,
            durationMs,
            now: ctx.now,
            signal: ctx.signal,
            maxRequests: cfg.maxRequestsPerStep,
            start: (done) => {
              const at = ctx.now();
              recorder.scheduled(at);
              recorder.sent(undefined, at);
              call(at, done);
            },
          })
        : await runPacing({
            pacer: createPacer(cfg.arrival, step.load, cfg.seed + step.index),
            startAt: recorder.startedAt,
            durationMs,
            now: ctx.now,
            signal: ctx.signal,
            maxRequests: cfg.maxRequestsPerStep,
            mode: cfg.pacing,
            send: (intendedAt) => {
              const at = ctx.now();
              recorder.scheduled(at);
              if (this.inFlight >= cfg.maxInFlight) {
                recorder.capHit(at);
                return;
              }
              recorder.sent(at - intendedAt, at);
              call(intendedAt);
            },
          });
    recorder.sendingStopped();
    await pending.drain(cfg.drainTimeoutMs);
    return recorder.finish(aborted);
  }

  async close(): Promise<void> {
    this.pool.close();
  }
}
