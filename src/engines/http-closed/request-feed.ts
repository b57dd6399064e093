// The request mix on autocannon: every send of every connection is numbered
// by one run-wide counter (a SharedArrayBuffer, so worker threads share it:
// the numbers are contiguous across threads and steps), and carries the
// request the request source picks for that number, its placeholders filled
// for it (src/requests/source.ts: the same pick(i)/values(i) as the open
// loop). autocannon's own `requests` array cycles in a fixed order per
// connection, so the feed bypasses it: the client's getRequestBuffer returns
// the bytes next() prepared in the 'request' event, which autocannon emits
// right before it writes the request. Requests without placeholders are
// serialized once; templated ones per send, by autocannon's own request
// builder (the same bytes a single-request run writes).
import { createRequire } from 'node:module';
import type { Dispatcher } from 'undici';
import { HttpRequestSource, type HttpSourceConfig } from '../../requests/source.js';
import type { AutocannonClient, ClientFeed } from './closed-loop-driver.js';

type BuildRequest = (req: Record<string, unknown>, context?: unknown) => Buffer | null;
const require = createRequire(import.meta.url);
const requestBuilder = require('autocannon/lib/httpRequestBuilder.js') as (defaults: Record<string, unknown>) => BuildRequest;

/** A run-wide send counter shared with worker threads. */
export function sendCounter(): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(4));
}

export class RequestFeed implements ClientFeed {
  private readonly source: HttpRequestSource;
  private readonly build: BuildRequest;
  /** Bytes of each request that has no placeholders (null: built per send). */
  private readonly prepared: (Buffer | null)[];
  private current: Buffer = Buffer.alloc(0);
  private readonly write = () => this.current;

  constructor(
    cfg: HttpSourceConfig,
    private readonly counter: Uint32Array,
  ) {
    const url = new URL(cfg.origin);
    this.build = requestBuilder({ hostname: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) });
    this.source = new HttpRequestSource(cfg);
    // The source hands back the same prepared object for every send of a request without placeholders.
    this.prepared = cfg.requests.map((_, k) => {
      const a = this.source.options(k, 0);
      return a === this.source.options(k, 1) ? this.bytes(a) : null;
    });
  }

  private bytes(o: Dispatcher.DispatchOptions): Buffer {
    const b = this.build({ method: o.method, path: o.path, headers: o.headers, body: (o.body as string | undefined) ?? undefined });
    if (!b) throw new Error(`could not build ${o.method} ${o.path}`);
    return b;
  }

  attach(client: AutocannonClient): void {
    client.getRequestBuffer = this.write;
  }

  next(): number {
    const i = Atomics.add(this.counter, 0, 1);
    const req = this.source.pick(i);
    this.current = this.prepared[req] ?? this.bytes(this.source.options(req, i));
    return req;
  }
}
