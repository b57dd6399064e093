// What a closed-loop driver (autocannon on the main thread, or spread over
// worker threads) reports, and how the engine controls it. Drivers measure
// and obey; the engine turns their events into windows.

/** Receives every request event of a driver, in the order they happened. */
export interface ClosedLoopSink {
  /**
   * A request left (agoMs before now when the driver reports it late, from another thread).
   * `req` (here and below): the request's index in the scenario's mix (0 without a mix).
   */
  sent(agoMs: number | undefined, req: number): void;
  /** A response arrived after latencyMs (autocannon's responseTime: from writing the request to the end of the response). */
  response(status: number, latencyMs: number, req: number): void;
  /** A request failed without a response; code is the socket error code or 'TIMEOUT'. */
  failed(code: string, req: number): void;
  /** Requests the driver itself abandoned when it stopped (pipelined behind a response): no longer in flight, counted nowhere. */
  abandoned(n: number): void;
}

export interface ClosedLoopTarget {
  /** Full URL: origin + path. */
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
  /** Per-request timeout, seconds (autocannon's unit). */
  timeoutS: number;
  pipelining: number;
}

export interface ClosedLoopDriver {
  /** Stops sending new requests at once: each connection closes after its in-flight response. */
  stopSending(): void;
  /** Resolves when every connection has closed, or after timeoutMs. */
  drained(timeoutMs: number): Promise<void>;
  /** Closes every connection that is still open and ends autocannon; resolves when it ended (bounded). */
  destroy(): Promise<void>;
  /** Highest event-loop utilization (0..1) of the threads that drive the load since the last call. */
  busy(): number;
}

/** autocannon's Client as far as critpoint uses it (lib/httpClient.js). */
export interface AutocannonClient {
  on(event: string, listener: (...args: never[]) => void): unknown;
  reqsMade: number;
  responseMax?: number;
  destroyed: boolean;
  destroy(): void;
  pipelinedRequests?: { clear(): void };
  /** The bytes of the request being written (httpClient.js calls it right after the 'request' event). */
  getRequestBuffer?: () => Buffer;
}

/** Chooses what each send of a client carries (request-feed.ts): the mix's request, numbered across the run. */
export interface ClientFeed {
  /** Wires the client so it writes the bytes the last next() prepared. */
  attach(client: AutocannonClient): void;
  /** Called in the client's 'request' event: numbers the send, picks and prepares its request, returns the request's index. */
  next(): number;
}

export interface ClientTap {
  /** A response of this client (status, autocannon's responseTime in ms). */
  response(status: number, ms: number): void;
}

/**
 * Wires one autocannon client to a sink. Counts its outstanding requests so
 * every failure and cut is attributed once. With listenResponses false the
 * caller feeds responses through the returned tap (from the instance's own
 * 'response' event, which saves a second listener on the hot path). With a
 * feed (a request mix), each send carries the request the feed picks, and
 * the client's outstanding requests are a FIFO of their indexes: HTTP/1.1
 * answers in order, so the head is the request a response, timeout or
 * connection error belongs to.
 */
export function tapClient(client: AutocannonClient, sink: ClosedLoopSink, listenResponses = true, feed?: ClientFeed): ClientTap {
  let outstanding = 0;
  const fifo: number[] = [];
  if (feed) feed.attach(client);
  client.on('request', () => {
    outstanding++;
    const req = feed ? feed.next() : 0;
    if (feed) fifo.push(req);
    sink.sent(undefined, req);
  });
  const head = () => (feed ? (fifo.shift() ?? 0) : 0);
  const tap: ClientTap = {
    response(status, ms) {
      if (outstanding === 0) return;
      outstanding--;
      sink.response(status, ms, head());
    },
  };
  if (listenResponses) client.on('response', (status: number, _bytes: number, ms: number) => tap.response(status, ms));
  // handleTimeout has already reconnected and re-sent; one event per timed-out request.
  client.on('timeout', () => {
    if (outstanding === 0) return;
    outstanding--;
    sink.failed('TIMEOUT', head());
  });
  // The connection broke: everything it had in flight is lost. autocannon keeps
  // their queue entries, so the next responses would be timed from them: clear it.
  client.on('connError', (err: { code?: string }) => {
    const lost = outstanding;
    outstanding = 0;
    client.pipelinedRequests?.clear();
    for (let i = 0; i < lost; i++) sink.failed(err?.code ?? 'ERROR', head());
  });
  client.on('done', () => {
    if (outstanding > 0) sink.abandoned(outstanding);
    outstanding = 0;
    fifo.length = 0;
  });
  return tap;
}

/**
 * Stops a client from sending again: autocannon's own per-connection request
 * limit (responseMax), checked before every request. A client that has sent
 * nothing yet gets -1 (0 would mean "no limit"), so it closes instead of
 * sending its first. Called from inside the client's own 'request' event
 * (reqsMade not yet counted), the request being emitted still leaves and is
 * its last.
 */
export function stopClient(client: AutocannonClient): void {
  if (!client.destroyed) client.responseMax = client.reqsMade > 0 ? client.reqsMade : -1;
}

/**
 * Holds a set of clients to `budget` requests in all (the step's
 * maxRequests, or a worker thread's share of it): the request that spends
 * the budget stops every client, so the total is exact whatever the number
 * of connections or pipelining. Clients added after that never send.
 */
export class RequestBudget {
  private made = 0;
  private readonly clients: AutocannonClient[] = [];

  constructor(private readonly budget: number) {}

  get spent(): boolean {
    return this.made >= this.budget;
  }

  add(client: AutocannonClient): void {
    this.clients.push(client);
    if (this.spent) stopClient(client);
    client.on('request', () => {
      if (++this.made === this.budget) for (const c of this.clients) stopClient(c);
    });
  }
}

/** Splits a total over parts in proportion to their weights (largest remainder): the shares sum to the total exactly. */
export function splitProportionally(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  if (!Number.isFinite(total)) return weights.map(() => total);
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, x) => a + x, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    shares[i] = (shares[i] as number) + 1;
    left--;
  }
  return shares;
}
