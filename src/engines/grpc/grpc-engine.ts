// gRPC engine. Rate steps are open loop on the shared pacing loop, latency
// from the intended send time; connection steps keep step.load calls in
// flight (closed loop). Unary calls record one latency; server-streaming
// calls record the time to the first message and to the end of the stream.
// Failed calls count as grpc-<STATUS_NAME> errors. The calls go through a
// GrpcTransport: Node's http2 module (default) or @grpc/grpc-js (grpc.client).
import type { Engine, ServiceDescription, Step, StepContext, StepStats } from '../../types.js';
import { TargetUnreachableError } from '../../errors.js';
import { StepRecorder } from '../step-recorder.js';
import { runPacing } from '../pacing.js';
import { runClosedLoop } from '../closed-loop.js';
import { InFlightTracker } from '../in-flight-tracker.js';
import { createPacer } from '../../load/rate-schedule.js';
import { formatDuration } from '../../scenario/duration.js';
import { grpcErrorKind, isNoAnswer, OK, statusName, UNIMPLEMENTED } from './grpc-status.js';
import type { GrpcEngineConfig } from './grpc-config.js';
import type { CallSink, GrpcTransport } from './grpc-transport.js';
import { Http2Transport } from './http2-transport.js';
import { GrpcJsTransport } from './grpc-js-transport.js';
import { GrpcMix } from './grpc-mix.js';

/** Most HTTP/2 connections the http2 client opens when the server's stream limit fills the configured ones. */
export const MAX_CONNECTIONS = 256;
/** Error kinds by status code, built once (no string per failed call). */
const KINDS = Array.from({ length: 17 }, (_, code) => grpcErrorKind(code));
const kindOf = (code: number) => KINDS[code] ?? grpcErrorKind(code);

/** What a transport is built from (plain data: a load thread builds its own from it). */
export function transportOptionsOf(cfg: GrpcEngineConfig) {
  return {
    address: cfg.address,
    tls: cfg.tls,
    path: cfg.path,
    request: cfg.request,
    metadata: cfg.metadata,
    deadlineMs: cfg.deadlineMs,
    stream: cfg.stream,
    channels: cfg.channels,
  };
}

export function createTransport(cfg: GrpcEngineConfig): GrpcTransport {
  const common = transportOptionsOf(cfg);
  if (cfg.client === 'grpc-js') return new GrpcJsTransport(common);
  return new Http2Transport({ ...common, maxConnections: Math.max(cfg.channels, Math.min(MAX_CONNECTIONS, cfg.maxInFlight)) });
}

/** What the last step cost the generator (for the advice on a generator-limited stop). */
interface StepCost {
  load: number;
  unit: Step['unit'];
  achievedRate: number;
  /** Process CPU (user + system) over the step divided by the calls it sent, µs. */
  cpuUsPerCall: number;
}

export class GrpcEngine implements Engine {
  readonly name = 'grpc';
  readonly transport: GrpcTransport;
  private lastCost: StepCost | null = null;
  /** The request mix (requests:, data, placeholders), or null: every call is the one prepared request. */
  private readonly mix: GrpcMix | null;
  /** The run's send sequence number (scheduled calls, across steps): what the mix picks and fills by. */
  private seq = 0;

  constructor(private readonly cfg: GrpcEngineConfig) {
    this.transport = createTransport(cfg);
    this.mix = cfg.requests ? new GrpcMix(cfg.requests, this.transport) : null;
  }

  describe(): string {
    const c = this.cfg;
    const client = c.client === 'grpc-js' ? '@grpc/grpc-js' : 'node http2';
    const conns = `${c.channels} connection${c.channels === 1 ? '' : 's'}${c.client === 'http2' ? ' (more when the server limits streams per connection)' : ''}`;
    const what = this.mix && this.mix.names.length > 1 ? this.mix.describe() : `${c.kind} ${c.path}`;
    return `gRPC ${what} at ${c.url} (${client}, ${conns}, deadline ${formatDuration(c.deadlineMs)}, ${c.arrival} arrivals and ${c.pacing} pacing in rate steps, max ${c.maxInFlight} in flight)${this.usageText()}`;
  }

  /** Connections and streams used so far, in words ('' before any call or for grpc-js). */
  usageText(): string {
    const u = this.transport.usage();
    if (!u || u.opened === 0) return '';
    return `; used ${u.peakConnections} connection${u.peakConnections === 1 ? '' : 's'} at once (${u.opened} opened), at most ${u.peakStreamsPerConnection} streams on one, server stream limit ${u.serverMaxStreams ?? 'none'}`;
  }

  serviceDescription(): ServiceDescription | undefined {
    return this.cfg.description;
  }

  async preflight(timeoutMs: number): Promise<void> {
    const target = `${this.cfg.url}${this.cfg.path}`;
    try {
      await this.transport.connect(timeoutMs, 1);
    } catch (err) {
      throw new TargetUnreachableError(target, (err as Error).message);
    }
    const res = await this.transport.probe(Math.max(timeoutMs, this.cfg.deadlineMs));
    if (isNoAnswer(res.code)) throw new TargetUnreachableError(target, `${statusName(res.code)}: ${res.details}`);
    if (res.code === UNIMPLEMENTED) throw new TargetUnreachableError(target, `the server does not implement ${this.cfg.path} (UNIMPLEMENTED: ${res.details})`);
    // Any other status is an answer: the service is there; the baseline shows its errors.
    try {
      await this.transport.connect(timeoutMs);
    } catch {
      throw new TargetUnreachableError(target, `not all ${this.cfg.channels} channels connected within ${timeoutMs} ms`);
    }
  }

  async runStep(step: Step, ctx: StepContext): Promise<StepStats> {
    if (this.mix) return this.runMixStep(step, ctx, this.mix);
    const { cfg, transport } = this;
    const recorder = new StepRecorder({
      step,
      windowMs: cfg.windowMs,
      minRequests: cfg.minRequests,
      now: ctx.now,
      onWindow: ctx.onWindow,
      nextWindowIndex: ctx.nextWindowIndex,
      firstMessage: cfg.stream,
      liveness: ctx.liveness,
    });
    const pending = new InFlightTracker();
    // Open loop: sends that fell due while responses were being read leave from the response's callback.
    let sendDue: (() => void) | undefined;
    // One sink for the step: a call carries its start time (`from`: intended send time in open loop,
    // actual in closed loop) and its continuation, so starting one allocates no callback here.
    const sink: CallSink = {
      firstMessage: (from) => recorder.firstMessage(ctx.now() - from),
      done: (from, code, _details, then) => {
        const at = ctx.now();
        if (code === OK) recorder.response(at - from, true, at);
        else if (isNoAnswer(code)) recorder.failed(kindOf(code), at);
        else recorder.response(at - from, false, at, kindOf(code));
        pending.done();
        if (then) then();
        else if (sendDue) sendDue();
      },
    };
    const maxRequests = Math.min(cfg.maxRequestsPerStep, step.maxRequests ?? Infinity);
    const cpuBefore = process.cpuUsage();
    const durationMs = step.warmupMs + step.durationMs;
    const aborted =
      step.unit === 'connections'
        ? await runClosedLoop({
            concurrency: Math.max(1, Math.round(step.load)),
            startAt: recorder.startedAt,
            durationMs,
            now: ctx.now,
            signal: ctx.signal,
            maxRequests,
            start: (done) => {
              const at = ctx.now();
              recorder.scheduled(at);
              recorder.sent(undefined, at);
              pending.add();
              transport.start(at, sink, done);
            },
          })
        : await runPacing({
            pacer: createPacer(cfg.arrival, step.load, cfg.seed + step.index),
            startAt: recorder.startedAt,
            durationMs,
            now: ctx.now,
            signal: ctx.signal,
            maxRequests,
            mode: cfg.pacing,
            onStart: (f) => {
              sendDue = f;
            },
            send: (intendedAt) => {
              const at = ctx.now();
              recorder.scheduled(at);
              if (transport.inFlight >= cfg.maxInFlight) {
                recorder.capHit(at);
                return;
              }
              recorder.sent(at - intendedAt, at);
              pending.add();
              transport.start(intendedAt, sink);
            },
          });
    return this.finishStep(step, recorder, pending, aborted, cpuBefore);
  }

  /**
   * A step of a request mix: send i carries the request mix.pick(i) (a call refused at load.maxInFlight takes its i
   * unsent), and every event is tallied per request (byRequest). Kept apart from runStep so the one-request path
   * stays as it is.
   */
  private async runMixStep(step: Step, ctx: StepContext, mix: GrpcMix): Promise<StepStats> {
    const { cfg, transport } = this;
    const recorder = new StepRecorder({
      step,
      windowMs: cfg.windowMs,
      minRequests: cfg.minRequests,
      now: ctx.now,
      onWindow: ctx.onWindow,
      nextWindowIndex: ctx.nextWindowIndex,
      firstMessage: mix.anyStream,
      liveness: ctx.liveness,
      requests: mix.names,
    });
    const pending = new InFlightTracker();
    let sendDue: (() => void) | undefined;
    // One sink per request and step: the request index is the sink's, so a call carries nothing more.
    const sinks: CallSink[] = mix.names.map((_, req) => ({
      firstMessage: (from) => recorder.firstMessage(ctx.now() - from),
      done: (from, code, _details, then) => {
        const at = ctx.now();
        if (code === OK) recorder.response(at - from, true, at, undefined, req);
        else if (isNoAnswer(code)) recorder.failed(kindOf(code), at, req);
        else recorder.response(at - from, false, at, kindOf(code), req);
        pending.done();
        if (then) then();
        else if (sendDue) sendDue();
      },
    }));
    const maxRequests = Math.min(cfg.maxRequestsPerStep, step.maxRequests ?? Infinity);
    const cpuBefore = process.cpuUsage();
    const durationMs = step.warmupMs + step.durationMs;
    const aborted =
      step.unit === 'connections'
        ? await runClosedLoop({
            concurrency: Math.max(1, Math.round(step.load)),
            startAt: recorder.startedAt,
            durationMs,
            now: ctx.now,
            signal: ctx.signal,
            maxRequests,
            start: (done) => {
              const i = this.seq++;
              const req = mix.pick(i);
              const at = ctx.now();
              recorder.scheduled(at);
              recorder.sent(undefined, at, req);
              pending.add();
              mix.start(req, i, at, sinks[req]!, done);
            },
          })
        : await runPacing({
            pacer: createPacer(cfg.arrival, step.load, cfg.seed + step.index),
            startAt: recorder.startedAt,
            durationMs,
            now: ctx.now,
            signal: ctx.signal,
            maxRequests,
            mode: cfg.pacing,
            onStart: (f) => {
              sendDue = f;
            },
            send: (intendedAt) => {
              const i = this.seq++;
              const req = mix.pick(i);
              const at = ctx.now();
              recorder.scheduled(at);
              if (transport.inFlight >= cfg.maxInFlight) {
                recorder.capHit(at, req);
                return;
              }
              recorder.sent(at - intendedAt, at, req);
              pending.add();
              mix.start(req, i, intendedAt, sinks[req]!);
            },
          });
    return this.finishStep(step, recorder, pending, aborted, cpuBefore);
  }

  private async finishStep(step: Step, recorder: StepRecorder, pending: InFlightTracker, aborted: boolean, cpuBefore: NodeJS.CpuUsage): Promise<StepStats> {
    const { cfg } = this;
    recorder.sendingStopped();
    await pending.drain(cfg.drainTimeoutMs);
    const stats = recorder.finish(aborted);
    const cpu = process.cpuUsage(cpuBefore);
    const calls = stats.sent + stats.windows.filter((w) => w.warmup).reduce((n, w) => n + w.sent, 0);
    if (calls > 0) this.lastCost = { load: step.load, unit: step.unit, achievedRate: stats.achievedRate, cpuUsPerCall: (cpu.user + cpu.system) / calls };
    return stats;
  }

  /**
   * What to do when the generator could not keep up: the rate it reached,
   * what a call cost it, and the ways to more load (one sentence, for the
   * generator-limited stop).
   */
  generatorAdvice(): string {
    const c = this.lastCost;
    const reached = c
      ? `it reached ${Math.round(c.achievedRate)} calls/s at ${c.load} ${c.unit === 'req/s' ? 'calls/s offered' : c.unit} using ${Math.round(c.cpuUsPerCall)} µs of CPU per call${this.usageText()}`
      : 'no step finished';
    const channels = this.cfg.channels < 64 ? `more grpc.channels (now ${this.cfg.channels}), ` : '';
    const client = this.cfg.client === 'grpc-js' ? 'grpc.client: http2 (several times cheaper per call than grpc-js), ' : '';
    const pacing = this.cfg.pacing === 'timer' ? 'load.pacing: spin (sub-millisecond send lag for one busy core), ' : '';
    return `${reached}; for more load try ${client}${pacing}${channels}a load machine with more and faster cores (not shared with the target), or several machines with k6 (critpoint export k6 --parallelism <n> writes the k6 script and a k6-operator TestRun)`;
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}
