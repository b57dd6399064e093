// What the open-loop HTTP engine tells each of its load threads
// (open-worker.ts) at start; the step messages are the shared paced-thread
// protocol (threads/paced-protocol.ts). Plain data (structured clone).
import type { HttpRequestConfig } from '../http-request.js';
import type { HttpDispatcherConfig } from '../http-dispatcher.js';
import type { PacedThreadInit } from '../threads/paced-protocol.js';

/** What a thread sends: the request (one today; the request mix builds its own from plain config, per sequence number). */
export interface OpenWorkerInit
  extends
    PacedThreadInit,
    Pick<HttpDispatcherConfig, 'version' | 'streams' | 'tls'>,
    Pick<HttpRequestConfig, 'method' | 'path' | 'headers' | 'body' | 'timeoutMs' | 'okStatus' | 'check'> {
  origin: string;
}
