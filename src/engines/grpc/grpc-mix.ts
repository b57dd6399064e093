// A request mix on a gRPC transport: the request source (which request send
// i carries, its message and metadata) and each request's call prepared once
// on the transport (http2: its header object; grpc-js: its Metadata). A
// request without placeholders sends its prepared message: a send costs what
// the one-request path costs plus the pick.
import { GrpcRequestSource, type GrpcSourceConfig } from '../../requests/grpc-source.js';
import type { CallSink, GrpcTransport, PreparedCall } from './grpc-transport.js';

export class GrpcMix {
  readonly source: GrpcRequestSource;
  private readonly prepared: PreparedCall[];
  private readonly templatedMetadata: boolean[];

  constructor(
    cfg: GrpcSourceConfig,
    private readonly transport: GrpcTransport,
  ) {
    const src = new GrpcRequestSource(cfg, transport.framedMessages);
    this.source = src;
    this.templatedMetadata = cfg.requests.map((_, k) => src.templatedMetadata(k));
    this.prepared = cfg.requests.map((r, k) =>
      transport.prepare({ path: r.path, stream: r.stream, metadata: this.templatedMetadata[k] ? {} : src.metadata(k, 0) }),
    );
  }

  get names(): readonly string[] {
    return this.source.names;
  }

  /** True when some request of the mix is server-streaming (time to the first message is recorded). */
  get anyStream(): boolean {
    return this.source.requests.some((r) => r.stream);
  }

  /** Request index of send i. */
  pick(i: number): number {
    return this.source.pick(i);
  }

  /** Starts send i, carrying request req (pick(i)). */
  start(req: number, i: number, from: number, sink: CallSink, then?: () => void): void {
    const src = this.source;
    this.transport.startPrepared(this.prepared[req]!, src.message(req, i), this.templatedMetadata[req] ? src.metadata(req, i) : null, from, sink, then);
  }

  /** The mix in words, for the engine's description. */
  describe(): string {
    const reqs = this.source.requests;
    if (reqs.length === 1) return reqs[0]!.path;
    return `a mix of ${reqs.length} calls (${reqs.map((r) => `${r.name} ${r.path}`).join(', ')})`;
  }
}
