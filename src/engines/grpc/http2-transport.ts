// gRPC calls as plain HTTP/2 streams on Node's http2 module (grpc.client:
// http2, the default). A unary or server-streaming call of a load test sends
// the same bytes every time, so the request frame and the header object are
// built once; a call is one stream: request(headers), end(frame), then the
// status from the trailers (or from headers that end the stream:
// trailers-only). grpc-js's per-call machinery (filters, metadata clones,
// resolving and load-balancing call layers, a deadline timer per call) costs
// about three times the CPU of the HTTP/2 stream itself (docs/grpc.md).
//
// Hot path, per call: one small call object and the stream Node allocates;
// the stream's listeners are module functions that find their call on the
// stream (no closure per call); deadlines are swept by one interval timer
// over a FIFO (every call has the same deadline, so they expire in start
// order) instead of a timer per call: one timer, due at the oldest
// unsettled call's deadline and at least every 50 ms (so settled calls leave
// the FIFO young, before the garbage collector promotes them).
//
// Connections: `channels` HTTP/2 sessions, calls spread round robin over
// those with a free stream under the server's SETTINGS_MAX_CONCURRENT_STREAMS;
// when all are full another connection is opened (up to maxConnections)
// rather than queueing. A connection that fails, closes or gets GOAWAY is
// retired (its calls without a status end UNAVAILABLE) and replaced on the
// next call, with a backoff while connecting keeps failing; with no
// connection at all a call fails UNAVAILABLE at once.
import http2, {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type IncomingHttpStatusHeader,
  type SecureClientSessionOptions,
} from 'node:http2';
import { performance } from 'node:perf_hooks';
import { status } from '@grpc/grpc-js';
import type { TlsMaterial } from './channel-pool.js';
import type { CallShape, CallSink, GrpcTransport, PreparedCall, TransportUsage } from './grpc-transport.js';
import { callDetails, callStatus, closedWithoutStatus, encodeFrame, FirstMessage, metadataHeaders, requestHeaders } from './grpc-wire.js';

export interface Http2TransportOptions {
  /** host:port */
  address: string;
  tls: TlsMaterial | null;
  /** /package.Service/Method */
  path: string;
  /** The encoded request message (framed here). */
  request: Buffer;
  metadata: Record<string, string>;
  deadlineMs: number;
  /** Server-streaming method. */
  stream: boolean;
  /** Connections kept open. */
  channels: number;
  /** Most connections ever open at once (more are opened only when every stream slot of the open ones is taken). */
  maxConnections: number;
}

const END_STREAM = http2.constants.NGHTTP2_FLAG_END_STREAM;
const REFUSED_STREAM = http2.constants.NGHTTP2_REFUSED_STREAM;
/**
 * A refused stream is sent again on another connection up to this many times. The server did not process
 * it (RFC 9113 §8.7), so sending it again is safe; more than once because under connection-age GOAWAYs the
 * connection the retry lands on may be the next one told to go away (with one retry, a test run of ~2,200
 * calls under connection-age GOAWAYs once ended one UNAVAILABLE). Bounded so that a server refusing
 * everything ends the call.
 */
const MAX_TRANSPARENT_RETRIES = 3;
const CANCEL = http2.constants.NGHTTP2_CANCEL;
/** The HTTP/2 default SETTINGS_MAX_CONCURRENT_STREAMS is unlimited; nghttp2 reports that as 2^32 - 1. */
const UNLIMITED = 2 ** 31;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 2_000;
/** Longest pause of the deadline sweeper while calls are in flight. */
const SWEEP_MAX_MS = 50;
const USER_AGENT = 'critpoint (node http2)';

class Connection {
  inFlight = 0;
  connected = false;
  /** Retired: no new calls; its calls that end without a status lost their connection. */
  retired = false;
  readonly ready: Promise<void>;
  settleReady!: (err?: Error) => void;

  /**
   * The server's stream limit: until this connection's own SETTINGS arrive, the limit the server set on
   * earlier connections (a stream sent past the limit before SETTINGS is refused by the server).
   */
  constructor(
    readonly session: ClientHttp2Session,
    public maxStreams: number,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (err) => (err ? reject(err) : resolve());
    });
    this.ready.catch(() => undefined);
  }
}

/** A mix's request: its header object built once. */
interface H2Prepared extends PreparedCall {
  headers: Record<string, string>;
  stream: boolean;
}

class Call {
  settled = false;
  httpStatus: number | undefined = undefined;
  /** Unary: response bytes seen (an OK without a message is an error). */
  bytes = 0;
  /** Server streams: tells when the first message is complete. */
  readonly first: FirstMessage | null;
  /** Status heard in the closing headers of an OK call still waiting for its body to be read (settled at close). */
  heldCode = -1;
  h2: ClientHttp2Stream | null = null;
  /** Times sent again after the server refused its stream unprocessed (at most MAX_TRANSPARENT_RETRIES). */
  retries = 0;

  constructor(
    readonly transport: Http2Transport,
    public conn: Connection,
    readonly headers: Record<string, string>,
    readonly frame: Buffer,
    readonly from: number,
    readonly sink: CallSink,
    readonly then: (() => void) | undefined,
    readonly deadlineAt: number,
    stream: boolean,
  ) {
    this.first = stream ? new FirstMessage() : null;
  }
}

const CALL = Symbol('critpoint.grpc.call');
type CallStream = ClientHttp2Stream & { [CALL]: Call };

// Stream listeners: shared functions, `this` is the stream.
function onResponse(this: CallStream, headers: IncomingHttpHeaders & IncomingHttpStatusHeader, flags: number): void {
  const c = this[CALL];
  c.httpStatus = headers[':status'];
  if (flags & END_STREAM) c.transport.closing(c, headers);
}
function onTrailers(this: CallStream, trailers: IncomingHttpHeaders): void {
  const c = this[CALL];
  c.transport.closing(c, trailers);
}
function onData(this: CallStream, chunk: Buffer): void {
  const c = this[CALL];
  if (c.first) {
    if (c.first.add(chunk) && !c.settled) c.sink.firstMessage(c.from);
  } else c.bytes += chunk.length;
}
function onClose(this: CallStream): void {
  const c = this[CALL];
  c.transport.closed(c, this.rstCode ?? 0);
}
function ignore(): void {}

function failLater(t: Http2Transport, c: Call, code: number, details: string): void {
  t.settle(c, code, details);
}

export class Http2Transport implements GrpcTransport {
  readonly name = 'http2';
  readonly framedMessages = true;
  inFlight = 0;
  private readonly origin: string;
  private readonly sessionOptions: SecureClientSessionOptions;
  private readonly headers: Record<string, string>;
  private readonly frame: Buffer;
  private conns: Connection[] = [];
  private rr = 0;
  private reconnectAt = 0;
  private backoffMs = 0;
  private lastError = '';
  private closedForGood = false;
  // Usage, reported to the user.
  private opened = 0;
  private peakConnections = 0;
  private peakStreams = 0;
  private serverMaxStreams: number | null = null;
  // Deadlines: calls in start order; an interval sweeps the expired ones off the front.
  private readonly queue: Call[] = [];
  private head = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly sweep = () => this.sweepDeadlines();

  constructor(private readonly o: Http2TransportOptions) {
    const secure = o.tls !== null;
    this.origin = `${secure ? 'https' : 'http'}://${o.address}`;
    const t = o.tls;
    this.sessionOptions = t
      ? {
          ca: t.ca,
          cert: t.cert,
          key: t.key,
          ...(t.serverName ? { servername: t.serverName } : {}),
          rejectUnauthorized: !t.insecureSkipVerify,
          ...(t.insecureSkipVerify ? { checkServerIdentity: () => undefined } : {}),
        }
      : {};
    this.headers = requestHeaders({
      path: o.path,
      authority: t?.serverName ?? o.address,
      secure,
      deadlineMs: o.deadlineMs,
      metadata: o.metadata,
      userAgent: USER_AGENT,
    });
    this.frame = encodeFrame(o.request);
  }

  private open(): Connection {
    const session = http2.connect(this.origin, this.sessionOptions);
    const conn = new Connection(session, this.serverMaxStreams ?? Infinity);
    this.conns.push(conn);
    this.opened++;
    if (this.conns.length > this.peakConnections) this.peakConnections = this.conns.length;
    session.once('connect', () => {
      conn.connected = true;
      this.backoffMs = 0;
    });
    // Ready once the server's SETTINGS (its stream limit) are known: connect() (the preflight) learns the
    // limit before any load, and connections opened later start with it.
    session.on('remoteSettings', (settings: http2.Settings) => {
      const max = settings.maxConcurrentStreams;
      conn.maxStreams = max === undefined || max >= UNLIMITED ? Infinity : max;
      this.serverMaxStreams = conn.maxStreams === Infinity ? null : conn.maxStreams;
      conn.settleReady();
    });
    session.on('goaway', () => this.retire(conn, 'the server sent GOAWAY'));
    session.on('error', (err: Error) => this.retire(conn, err.message));
    session.on('close', () => this.retire(conn, 'connection closed'));
    return conn;
  }

  /** No new calls on conn; it closes once its calls ended. A connection that never came up backs reconnects off. */
  private retire(conn: Connection, why: string): void {
    if (conn.retired) return;
    conn.retired = true;
    this.lastError = why;
    const i = this.conns.indexOf(conn);
    if (i >= 0) this.conns.splice(i, 1);
    if (!conn.connected) {
      this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs === 0 ? BACKOFF_MIN_MS : this.backoffMs * 2);
      this.reconnectAt = performance.now() + this.backoffMs;
      conn.settleReady(new Error(why));
    }
    if (!conn.session.closed) conn.session.close();
  }

  /** A connection for the next call, or null when none is up and connecting is backing off. */
  private pick(): Connection | null {
    const conns = this.conns;
    const n = conns.length;
    const mayConnect = !this.closedForGood && performance.now() >= this.reconnectAt;
    if (n < this.o.channels && mayConnect) return this.open();
    for (let i = 0; i < n; i++) {
      const k = (this.rr + i) % n;
      const conn = conns[k]!;
      if (conn.inFlight < conn.maxStreams) {
        this.rr = k + 1;
        return conn;
      }
    }
    if (n < this.o.maxConnections && mayConnect) return this.open();
    // Every stream slot taken and no more connections allowed: the least loaded queues it.
    let best: Connection | null = null;
    for (const conn of conns) if (!best || conn.inFlight < best.inFlight) best = conn;
    return best;
  }

  async connect(timeoutMs: number, count = this.o.channels): Promise<void> {
    this.reconnectAt = 0;
    while (this.conns.length < count) this.open();
    const conns = this.conns.slice(0, count);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms${this.lastError ? ` (${this.lastError})` : ''}`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all(conns.map((c) => c.ready)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  start(from: number, sink: CallSink, then?: () => void): void {
    this.send(this.headers, this.frame, this.o.stream, this.o.deadlineMs, from, sink, then);
  }

  prepare(shape: CallShape): PreparedCall {
    const p: H2Prepared = { path: shape.path, stream: shape.stream, headers: this.headersFor(shape.path, shape.metadata, this.o.deadlineMs) };
    return p;
  }

  startPrepared(p: PreparedCall, frame: Buffer, metadata: Record<string, string> | null, from: number, sink: CallSink, then?: () => void): void {
    const h = p as H2Prepared;
    this.send(metadata ? { ...h.headers, ...metadataHeaders(metadata) } : h.headers, frame, h.stream, this.o.deadlineMs, from, sink, then);
  }

  private headersFor(path: string, metadata: Record<string, string>, deadlineMs: number): Record<string, string> {
    return requestHeaders({
      path,
      authority: this.o.tls?.serverName ?? this.o.address,
      secure: this.o.tls !== null,
      deadlineMs,
      metadata,
      userAgent: USER_AGENT,
    });
  }

  private send(
    headers: Record<string, string>,
    frame: Buffer,
    stream: boolean,
    deadlineMs: number,
    from: number,
    sink: CallSink,
    then: (() => void) | undefined,
  ): void {
    this.inFlight++;
    const conn = this.pick();
    const c = new Call(this, conn as Connection, headers, frame, from, sink, then, performance.now() + deadlineMs, stream);
    if (!conn) {
      process.nextTick(failLater, this, c, status.UNAVAILABLE, `no connection to ${this.o.address}${this.lastError ? ` (${this.lastError})` : ''}`);
      return;
    }
    if (!this.openStream(c, conn)) return;
    this.queue.push(c);
    if (!this.sweeper) this.armSweeper(c.deadlineAt - performance.now());
  }

  /** Opens the call's stream on conn and sends the request; false (and the call fails UNAVAILABLE) when the connection refuses a new stream. */
  private openStream(c: Call, conn: Connection): boolean {
    let h2: CallStream;
    try {
      h2 = conn.session.request(c.headers) as CallStream;
    } catch (err) {
      this.retire(conn, (err as Error).message);
      process.nextTick(failLater, this, c, status.UNAVAILABLE, (err as Error).message);
      return false;
    }
    c.conn = conn;
    c.h2 = h2;
    h2[CALL] = c;
    h2.on('response', onResponse);
    h2.on('trailers', onTrailers);
    h2.on('data', onData);
    h2.on('close', onClose);
    h2.on('error', ignore);
    h2.end(c.frame);
    if (++conn.inFlight > this.peakStreams) this.peakStreams = conn.inFlight;
    return true;
  }

  /** Closing headers arrived (trailers, or trailers-only response headers). */
  closing(c: Call, headers: IncomingHttpHeaders): void {
    if (c.settled) return;
    const code = callStatus(c.httpStatus, headers);
    if (code !== status.OK) return this.settle(c, code, callDetails(c.httpStatus, headers));
    // An OK unary call must have brought its message; a stream's first message must be whole. When the
    // body has not been read that far yet, the call is decided at close, once it has.
    if (c.first ? c.first.complete : c.bytes > 0) return this.settle(c, code, '');
    c.heldCode = code;
  }

  /** The stream closed; a call still without an outcome gets it from the reset code or the lost connection. */
  closed(c: Call, rstCode: number): void {
    c.conn.inFlight--;
    c.h2 = null;
    if (c.settled) return;
    // REFUSED_STREAM before any response: the server did not process the call (RFC 9113 §8.7), e.g. a stream
    // sent before a GOAWAY reached the client that falls past the GOAWAY's last stream. Sent again on another
    // connection, as gRPC's transparent retry does; its latency still runs from the first intended send.
    if (rstCode === REFUSED_STREAM && c.httpStatus === undefined && c.retries < MAX_TRANSPARENT_RETRIES && !this.closedForGood) {
      c.retries++;
      const conn = this.pick();
      if (conn && conn !== c.conn) {
        this.openStream(c, conn);
        return;
      }
    }
    if (c.heldCode >= 0) {
      // A stream may carry no message at all; a unary call must carry one (@grpc/grpc-js: UNIMPLEMENTED).
      if (c.first)
        return c.first.received === 0 || c.first.complete ? this.settle(c, c.heldCode, '') : this.settle(c, status.INTERNAL, 'Stream ended inside a message');
      return c.bytes > 0 ? this.settle(c, c.heldCode, '') : this.settle(c, status.UNIMPLEMENTED, 'No message received');
    }
    // The session may report its own failure after its streams' closes: a stream of a connection that never came
    // up, or that is gone, lost its connection (UNAVAILABLE, like a call grpc-js could not pick a connection for).
    const conn = c.conn;
    const s = closedWithoutStatus(rstCode, conn.retired || !conn.connected || conn.session.destroyed);
    this.settle(c, s.code, s.details);
  }

  settle(c: Call, code: number, details: string): void {
    if (c.settled) return;
    c.settled = true;
    this.inFlight--;
    c.sink.done(c.from, code, details, c.then);
  }

  private sweepDeadlines(): void {
    const q = this.queue;
    const now = performance.now();
    let h = this.head;
    while (h < q.length) {
      const c = q[h]!;
      if (!c.settled) {
        if (c.deadlineAt > now) break;
        this.settle(c, status.DEADLINE_EXCEEDED, 'Deadline exceeded');
        c.h2?.close(CANCEL);
      }
      h++;
    }
    this.sweeper = undefined;
    if (h === q.length) {
      q.length = 0;
      this.head = 0;
      return;
    }
    if (h >= 4096) {
      q.copyWithin(0, h);
      q.length -= h;
      h = 0;
    }
    this.head = h;
    this.armSweeper(q[h]!.deadlineAt - now);
  }

  private armSweeper(dueInMs: number): void {
    this.sweeper = setTimeout(this.sweep, Math.max(0, Math.min(SWEEP_MAX_MS, Math.ceil(dueInMs))));
    this.sweeper.unref();
  }

  probe(deadlineMs: number): Promise<{ code: number; details: string }> {
    const headers = {
      ...this.headers,
      ...requestHeaders({
        path: this.o.path,
        authority: this.headers[':authority']!,
        secure: this.o.tls !== null,
        deadlineMs,
        metadata: {},
        userAgent: USER_AGENT,
      }),
    };
    return new Promise((resolve) =>
      this.send(
        headers,
        this.frame,
        this.o.stream,
        deadlineMs,
        0,
        { firstMessage: ignore, done: (_from, code, details) => resolve({ code, details }) },
        undefined,
      ),
    );
  }

  usage(): TransportUsage {
    return {
      connections: this.conns.length,
      peakConnections: this.peakConnections,
      opened: this.opened,
      peakStreamsPerConnection: this.peakStreams,
      serverMaxStreams: this.serverMaxStreams,
    };
  }

  /** Fails what is still in flight (CANCELLED) and destroys every connection. */
  async close(): Promise<void> {
    this.closedForGood = true;
    if (this.sweeper) clearTimeout(this.sweeper);
    this.sweeper = undefined;
    const q = this.queue.slice(this.head);
    this.queue.length = 0;
    this.head = 0;
    for (const c of q) if (!c.settled) this.settle(c, status.CANCELLED, 'transport closed');
    const conns = this.conns;
    this.conns = [];
    await Promise.all(
      conns.map(
        (conn) =>
          new Promise<void>((resolve) => {
            conn.retired = true;
            if (conn.session.destroyed) return resolve();
            conn.session.once('close', () => resolve());
            conn.session.destroy();
          }),
      ),
    );
  }
}
