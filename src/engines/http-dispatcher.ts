// The one place an HTTP engine's undici dispatcher is built: the connection
// pool, its timeouts and keep-alive. The open-loop engine (and each of its
// worker threads) and the preflight build theirs here, so the preflight
// checks the connections the run will use. The config is plain data
// (structured-clone-able) so a worker thread can rebuild the same dispatcher.
import { Pool } from 'undici';

export interface HttpDispatcherConfig {
  /** scheme://host:port of the target. */
  origin: string;
  /** Most connections the pool opens (one request in flight on each). */
  connections: number;
  /** Headers and body timeout; the connect timeout is the smaller of this and 5 s. */
  timeoutMs: number;
}

export function createHttpDispatcher(cfg: HttpDispatcherConfig): Pool {
  return new Pool(cfg.origin, {
    connections: cfg.connections,
    pipelining: 1,
    headersTimeout: cfg.timeoutMs,
    bodyTimeout: cfg.timeoutMs,
    connectTimeout: Math.min(cfg.timeoutMs, 5_000),
    keepAliveTimeout: 30_000,
  });
}
