// What the gRPC engine needs from a client library: start a call whose
// request is already encoded, hear when its first message and its status
// arrive. Two implementations: http2-transport.ts (Node's http2 module,
// the default: it costs what a call costs) and grpc-js-transport.ts
// (@grpc/grpc-js, kept selectable with grpc.client to cross-check results).

/**
 * Where a call's outcome goes. One sink serves a whole step, so starting a
 * call allocates no callback: the call carries `from` and `then` back.
 */
export interface CallSink {
  /** Server streams: the first whole message of a call that started at `from` arrived. */
  firstMessage(from: number): void;
  /** The call ended with gRPC status `code` (0 = OK); called exactly once per call. */
  done(from: number, code: number, details: string, then: (() => void) | undefined): void;
}

/** Connections and streams a transport used so far (reported to the user). */
export interface TransportUsage {
  /** HTTP/2 connections open now. */
  connections: number;
  /** Most connections open at once. */
  peakConnections: number;
  /** Connections opened in all (more than peakConnections after reconnects). */
  opened: number;
  /** Most calls in flight on one connection at once. */
  peakStreamsPerConnection: number;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS, null when it set none (unlimited). */
  serverMaxStreams: number | null;
}

/** A request of a mix as a transport prepares it once: its method, kind and metadata (header object / Metadata). */
export interface CallShape {
  /** /package.Service/Method */
  path: string;
  stream: boolean;
  metadata: Record<string, string>;
}

/** What prepare() returns: opaque to the engine, handed back with each call. */
export interface PreparedCall {
  readonly path: string;
}

export interface GrpcTransport {
  /** 'http2' or 'grpc-js' (grpc.client). */
  readonly name: string;
  /** Calls started and not settled yet. */
  readonly inFlight: number;
  /** Opens `count` connections (default every configured one) and resolves once they are up; rejects with the reason after timeoutMs. */
  connect(timeoutMs: number, count?: number): Promise<void>;
  /** Starts one call; `from` (run-clock ms) and `then` come back in the sink's callbacks. */
  start(from: number, sink: CallSink, then?: () => void): void;
  /**
   * Messages the transport takes in startPrepared: framed (the gRPC 5-byte prefix, written as is: http2) or bare
   * (grpc-js frames them itself).
   */
  readonly framedMessages: boolean;
  /** Prepares one request of a mix (done once, before any call). */
  prepare(shape: CallShape): PreparedCall;
  /**
   * Starts one call of a prepared request with this message (framed as framedMessages says); `metadata`: the call's
   * own metadata when the request's is filled per call, else null (the prepared one).
   */
  startPrepared(p: PreparedCall, message: Buffer, metadata: Record<string, string> | null, from: number, sink: CallSink, then?: () => void): void;
  /** One call with its own deadline, for the preflight. */
  probe(deadlineMs: number): Promise<{ code: number; details: string }>;
  usage(): TransportUsage | null;
  close(): Promise<void>;
}
