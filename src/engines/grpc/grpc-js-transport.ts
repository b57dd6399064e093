// The @grpc/grpc-js client as a GrpcTransport (grpc.client: grpc-js): calls
// spread round robin over a fixed ChannelPool, each through grpc-js's full
// call stack. Kept to cross-check the http2 transport on the same target and
// for servers where grpc-js's own behaviour is what is wanted.
import { ChannelPool, type TlsMaterial } from './channel-pool.js';
import { buildMetadata, startCall, type CallSpec } from './grpc-call.js';
import type { CallShape, CallSink, GrpcTransport, PreparedCall, TransportUsage } from './grpc-transport.js';

export interface GrpcJsTransportOptions {
  address: string;
  tls: TlsMaterial | null;
  path: string;
  request: Buffer;
  metadata: Record<string, string>;
  deadlineMs: number;
  stream: boolean;
  channels: number;
}

export class GrpcJsTransport implements GrpcTransport {
  readonly name = 'grpc-js';
  readonly framedMessages = false;
  inFlight = 0;
  private readonly pool: ChannelPool;
  private readonly spec: CallSpec;

  constructor(o: GrpcJsTransportOptions) {
    this.pool = new ChannelPool(o.address, o.tls, o.channels);
    this.spec = { path: o.path, request: o.request, metadata: buildMetadata(o.metadata), deadlineMs: o.deadlineMs, stream: o.stream };
  }

  prepare(shape: CallShape): PreparedCall {
    const spec: CallSpec = {
      path: shape.path,
      request: this.spec.request,
      metadata: buildMetadata(shape.metadata),
      deadlineMs: this.spec.deadlineMs,
      stream: shape.stream,
    };
    return spec;
  }

  startPrepared(p: PreparedCall, message: Buffer, metadata: Record<string, string> | null, from: number, sink: CallSink, then?: () => void): void {
    const spec = p as CallSpec;
    this.call({ ...spec, request: message, metadata: metadata ? buildMetadata(metadata) : spec.metadata }, from, sink, then);
  }

  async connect(timeoutMs: number, count = this.pool.clients.length): Promise<void> {
    const clients = this.pool.clients.slice(0, count);
    try {
      await this.pool.ready(timeoutMs, clients);
    } catch {
      // waitForReady says only "deadline passed": a call says why (connection refused, TLS...).
      const probe = await this.probe(Math.min(timeoutMs, 1_000));
      throw new Error(`no connection within ${timeoutMs} ms (${probe.details})`);
    }
  }

  start(from: number, sink: CallSink, then?: () => void): void {
    this.call(this.spec, from, sink, then);
  }

  private call(spec: CallSpec, from: number, sink: CallSink, then: (() => void) | undefined): void {
    this.inFlight++;
    startCall(this.pool.next(), spec, {
      firstMessage: () => sink.firstMessage(from),
      done: (code, details) => {
        this.inFlight--;
        sink.done(from, code, details, then);
      },
    });
  }

  probe(deadlineMs: number): Promise<{ code: number; details: string }> {
    return new Promise((resolve) => startCall(this.pool.clients[0]!, { ...this.spec, deadlineMs }, { done: (code, details) => resolve({ code, details }) }));
  }

  /** grpc-js does not expose its connections' state: nothing to report beyond the pool's size. */
  usage(): TransportUsage | null {
    return null;
  }

  async close(): Promise<void> {
    this.pool.close();
  }
}
