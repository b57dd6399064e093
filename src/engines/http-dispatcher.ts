// The one place an HTTP engine's undici dispatcher is built: the connection
// pool, HTTP/1.1 or HTTP/2 (h2 over TLS by ALPN, h2c with prior knowledge),
// the TLS settings, timeouts and keep-alive. The open-loop engine (and each
// of its worker threads) and its preflight build theirs here, so the
// preflight checks the connections the run will use. The config is plain data
// (structured-clone-able) so a worker thread can rebuild the same dispatcher.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { buildConnector, Client, Pool } from 'undici';
import type { Scenario } from '../scenario/schema.js';
import { readTls, type TlsPem } from '../scenario/tls-schema.js';

/** Streams one HTTP/2 connection carries at most, unless http.streams says otherwise (undici's own default). */
export const DEFAULT_H2_STREAMS = 100;

export interface HttpDispatcherConfig {
  /** scheme://host:port of the target. */
  origin: string;
  /** Most requests in flight: HTTP/1.1 opens one connection per request in flight, HTTP/2 ceil(connections / streams) connections. */
  connections: number;
  /** Headers and body timeout; the connect timeout is the smaller of this and 5 s. */
  timeoutMs: number;
  /** http.version; default 1.1. */
  version?: '1.1' | '2';
  /** HTTP/2: most requests in flight on one connection (http.streams). */
  streams?: number;
  /** https:// targets: the CA, client certificate, server name (files already read). */
  tls?: TlsPem | null;
}

/** The connection part of a dispatcher's config, from the scenario (the TLS files are read here). */
export function httpConnectionOf(s: Scenario): Pick<HttpDispatcherConfig, 'version' | 'streams' | 'tls'> {
  const secure = new URL(s.target.url).protocol === 'https:';
  return {
    version: s.http.version,
    streams: s.http.streams ?? DEFAULT_H2_STREAMS,
    tls: secure && s.http.tls ? readTls(s.http.tls) : null,
  };
}

/** What the connections of a run were: reported in summary.json (diagnostics.connections). */
export interface HttpConnectionReport {
  /** http.version asked for. */
  requested: '1.1' | '2';
  /** Protocol the connections spoke: 'h2' or 'http/1.1' (several joined by ', ' if they differed). Null when none opened. */
  negotiated: string | null;
  /** Connections opened over the whole run (each step starts a fresh pool). */
  opened: number;
  /** Most requests seen in flight on one connection (HTTP/2: sampled every 10 ms; HTTP/1.1: 1, no pipelining). */
  maxStreamsPerConnection: number;
}

/**
 * The reports of several counters of one run (load threads, each with its own connections, and the
 * preflight's) as one: connections add up, the protocols join, the most streams on one connection is the
 * highest any counter saw.
 */
export function sumConnectionReports(reports: readonly HttpConnectionReport[]): HttpConnectionReport {
  const protocols = new Set<string>();
  for (const r of reports) for (const p of r.negotiated?.split(', ') ?? []) protocols.add(p);
  return {
    requested: reports[0]?.requested ?? '1.1',
    negotiated: protocols.size > 0 ? [...protocols].join(', ') : null,
    opened: reports.reduce((a, r) => a + r.opened, 0),
    maxStreamsPerConnection: reports.reduce((a, r) => Math.max(a, r.maxStreamsPerConnection), 0),
  };
}

const STREAM_SAMPLE_MS = 10;

/**
 * Counts what the dispatchers of a run opened: connections (each socket the
 * connector hands undici), the protocol each one negotiated, and the most
 * requests in flight on one HTTP/2 connection, sampled off the hot path.
 */
export class ConnectionCounter {
  private opened = 0;
  private readonly protocols = new Set<string>();
  private maxStreams = 0;
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly requested: '1.1' | '2' = '1.1') {}

  /** A connection was established; its protocol as ALPN (or h2c prior knowledge) set it. */
  socketOpened(socket: Socket | TLSSocket): void {
    this.opened++;
    const alpn = (socket as TLSSocket).alpnProtocol;
    this.protocols.add(typeof alpn === 'string' ? alpn : 'http/1.1');
  }

  /** The protocols the connections spoke so far. */
  negotiated(): string[] {
    return [...this.protocols];
  }

  /** HTTP/2 clients are sampled for their streams in flight while any is open. */
  track(client: Client): void {
    this.clients.add(client);
    this.timer ??= setInterval(() => this.sample(), STREAM_SAMPLE_MS).unref();
  }

  private sample(): void {
    for (const c of this.clients) {
      if (c.closed || c.destroyed) {
        this.clients.delete(c);
        continue;
      }
      const running = c.stats.running;
      if (running > this.maxStreams) this.maxStreams = running;
    }
    if (this.clients.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** HTTP/1.1 without pipelining carries one request per connection: nothing to sample. */
  report(): HttpConnectionReport {
    this.sample();
    const negotiated = this.negotiated();
    const h2 = negotiated.includes('h2');
    return {
      requested: this.requested,
      negotiated: negotiated.length > 0 ? negotiated.join(', ') : null,
      opened: this.opened,
      maxStreamsPerConnection: h2 ? this.maxStreams : this.opened > 0 ? 1 : 0,
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clients.clear();
  }
}

/** The connections an HTTP/2 dispatcher opens for `connections` requests in flight. */
export function h2Connections(maxInFlight: number, streams: number): number {
  return Math.max(1, Math.ceil(maxInFlight / streams));
}

export function createHttpDispatcher(cfg: HttpDispatcherConfig, counter?: ConnectionCounter): Pool {
  const h2 = cfg.version === '2';
  const secure = new URL(cfg.origin).protocol === 'https:';
  const streams = cfg.streams ?? DEFAULT_H2_STREAMS;
  const tls = secure ? cfg.tls : null;
  const connector = buildConnector({
    ...(tls?.ca ? { ca: tls.ca } : {}),
    ...(tls?.cert ? { cert: tls.cert, key: tls.key } : {}),
    ...(tls?.serverName ? { servername: tls.serverName } : {}),
    ...(tls?.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
    allowH2: h2,
    // h2c: the connection starts HTTP/2 with no upgrade (prior knowledge, RFC 9113 3.3).
    ...(h2 && !secure ? { useH2c: true } : {}),
    timeout: Math.min(cfg.timeoutMs, 5_000),
  } as buildConnector.BuildOptions);
  const connect: buildConnector.connector = counter
    ? (opts, callback) =>
        connector(opts, (err, socket) => {
          if (!err && socket) counter.socketOpened(socket);
          callback(err, socket as never);
        })
    : connector;
  return new Pool(cfg.origin, {
    connections: h2 ? h2Connections(cfg.connections, streams) : cfg.connections,
    // For HTTP/2 undici's pipelining is the streams one connection carries at once.
    pipelining: h2 ? streams : 1,
    ...(h2 ? { allowH2: true, maxConcurrentStreams: streams } : {}),
    headersTimeout: cfg.timeoutMs,
    bodyTimeout: cfg.timeoutMs,
    keepAliveTimeout: 30_000,
    connect,
    ...(h2 && counter
      ? {
          factory: (origin: URL, opts: object) => {
            const client = new Client(origin, opts);
            counter.track(client);
            return client;
          },
        }
      : {}),
  });
}
