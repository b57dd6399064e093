// What a closed-loop driver (autocannon on the main thread, or spread over
// worker threads) reports, and how the engine controls it. Drivers measure
// and obey; the engine turns their events into windows.

/** Receives every request event of a driver, in the order they happened. */
export interface ClosedLoopSink {
  /** A request left (agoMs before now when the driver reports it late, from another thread). */
  sent(agoMs?: number): void;
  /** A response arrived after latencyMs (autocannon's responseTime: from writing the request to the end of the response). */
  response(status: number, latencyMs: number): void;
  /** A request failed without a response; code is the socket error code or 'TIMEOUT'. */
  failed(code: string): void;
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
}

export interface ClientTap {
  /** A response of this client (status, autocannon's responseTime in ms). */
  response(status: number, ms: number): void;
}

/**
 * Wires one autocannon client to a sink. Counts its outstanding requests so
 * every failure and cut is attributed once. With listenResponses false the
 * caller feeds responses through the returned tap (from the instance's own
 * 'response' event, which saves a second listener on the hot path).
 */
export function tapClient(client: AutocannonClient, sink: ClosedLoopSink, listenResponses = true): ClientTap {
  let outstanding = 0;
  client.on('request', () => {
    outstanding++;
    sink.sent();
  });
  const tap: ClientTap = {
    response(status, ms) {
      if (outstanding === 0) return;
      outstanding--;
      sink.response(status, ms);
    },
  };
  if (listenResponses) client.on('response', (status: number, _bytes: number, ms: number) => tap.response(status, ms));
  // handleTimeout has already reconnected and re-sent; one event per timed-out request.
  client.on('timeout', () => {
    if (outstanding === 0) return;
    outstanding--;
    sink.failed('TIMEOUT');
  });
  // The connection broke: everything it had in flight is lost. autocannon keeps
  // their queue entries, so the next responses would be timed from them: clear it.
  client.on('connError', (err: { code?: string }) => {
    const lost = outstanding;
    outstanding = 0;
    client.pipelinedRequests?.clear();
    for (let i = 0; i < lost; i++) sink.failed(err?.code ?? 'ERROR');
  });
  client.on('done', () => {
    if (outstanding > 0) sink.abandoned(outstanding);
    outstanding = 0;
  });
  return tap;
}

/** Makes a client close after its next response instead of sending again (autocannon's own per-connection request limit). */
export function stopClient(client: AutocannonClient): void {
  if (!client.destroyed) client.responseMax = Math.max(1, client.reqsMade);
}
