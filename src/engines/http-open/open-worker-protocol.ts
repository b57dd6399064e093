// What the open-loop HTTP engine tells each of its load threads
// (open-worker.ts) at start; the step messages are the shared paced-thread
// protocol (threads/paced-protocol.ts). Plain data (structured clone).
import type { HttpRequestConfig } from '../http-request.js';
import type { HttpDispatcherConfig } from '../http-dispatcher.js';
import type { PacedThreadInit } from '../threads/paced-protocol.js';
import type { HttpSourceConfig } from '../../requests/source.js';

/** What a thread sends: the one request, or a request mix / templated requests it rebuilds from plain config and fills per send number. */
export interface OpenWorkerInit
  extends
    PacedThreadInit,
    Pick<HttpDispatcherConfig, 'version' | 'streams' | 'tls'>,
    Pick<HttpRequestConfig, 'method' | 'path' | 'headers' | 'body' | 'timeoutMs' | 'okStatus' | 'check'> {
  origin: string;
  /** The request source's config (src/requests/), or null: every send is the one request above. */
  source: HttpSourceConfig | null;
}
