// tapClient against a stand-in for autocannon's Client (an EventEmitter with
// the same fields): what each client event becomes, and that stopClient
// uses autocannon's own per-connection request limit.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  RequestBudget,
  splitProportionally,
  stopClient,
  tapClient,
  type AutocannonClient,
  type ClosedLoopSink,
} from '../../src/engines/http-closed/closed-loop-driver.js';

function fakeClient() {
  const e = new EventEmitter() as EventEmitter & AutocannonClient;
  e.reqsMade = 0;
  e.destroyed = false;
  e.destroy = () => undefined;
  let cleared = 0;
  e.pipelinedRequests = { clear: () => void cleared++ };
  return { client: e, cleared: () => cleared };
}

function recordingSink() {
  const log: string[] = [];
  const sink: ClosedLoopSink = {
    sent: () => void log.push('sent'),
    response: (s, ms) => log.push(`response ${s} ${ms}`),
    failed: (c) => log.push(`failed ${c}`),
    abandoned: (n) => log.push(`abandoned ${n}`),
  };
  return { sink, log };
}

describe('tapClient', () => {
  it('request/response pairs', () => {
    const { client } = fakeClient();
    const { sink, log } = recordingSink();
    tapClient(client, sink);
    client.emit('request');
    client.emit('response', 200, 120, 4.5);
    expect(log).toEqual(['sent', 'response 200 4.5']);
  });
  it('a timeout fails one outstanding request; a stray one fails none', () => {
    const { client } = fakeClient();
    const { sink, log } = recordingSink();
    tapClient(client, sink);
    client.emit('request');
    client.emit('timeout');
    client.emit('timeout');
    expect(log).toEqual(['sent', 'failed TIMEOUT']);
  });
  it("a connection error fails everything in flight on it and clears autocannon's stale queue", () => {
    const { client, cleared } = fakeClient();
    const { sink, log } = recordingSink();
    tapClient(client, sink);
    client.emit('request');
    client.emit('request');
    client.emit('connError', Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    expect(log).toEqual(['sent', 'sent', 'failed ECONNRESET', 'failed ECONNRESET']);
    expect(cleared()).toBe(1);
  });
  it('requests still pipelined when the client closes are abandoned, not failed', () => {
    const { client } = fakeClient();
    const { sink, log } = recordingSink();
    tapClient(client, sink);
    client.emit('request');
    client.emit('request');
    client.emit('response', 200, 1, 2);
    client.emit('done');
    expect(log).toEqual(['sent', 'sent', 'response 200 2', 'abandoned 1']);
  });
  it('with a feed, each send carries the picked request and every outcome is attributed to the request it answers (FIFO)', () => {
    const { client } = fakeClient();
    const log: string[] = [];
    const picks = [1, 0, 1, 1];
    let k = 0;
    let attached = 0;
    const feed = { attach: () => void attached++, next: () => picks[k++] as number };
    tapClient(
      client,
      {
        sent: (_a, req) => log.push(`sent ${req}`),
        response: (s, _ms, req) => log.push(`response ${s} ${req}`),
        failed: (c, req) => log.push(`failed ${c} ${req}`),
        abandoned: (n) => log.push(`abandoned ${n}`),
      },
      true,
      feed,
    );
    // Pipelined: two out, the first answered, a third out, a timeout (the second), then a fourth left pending at close.
    client.emit('request');
    client.emit('request');
    client.emit('response', 200, 10, 1.5);
    client.emit('request');
    client.emit('timeout');
    client.emit('connError', Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    client.emit('request');
    client.emit('done');
    expect(attached).toBe(1);
    expect(log).toEqual(['sent 1', 'sent 0', 'response 200 1', 'sent 1', 'failed TIMEOUT 0', 'failed ECONNRESET 1', 'sent 1', 'abandoned 1']);
  });
  it('stopClient caps the client at the requests it already made; one that made none may make none', () => {
    const { client } = fakeClient();
    client.reqsMade = 41;
    stopClient(client);
    expect(client.responseMax).toBe(41);
    client.destroyed = true;
    client.reqsMade = 50;
    stopClient(client);
    expect(client.responseMax).toBe(41);
    const fresh = fakeClient().client;
    stopClient(fresh);
    // autocannon reads 0 as "no limit": -1 makes its check (reqsMade >= responseMax) close the client before its first request.
    expect(fresh.responseMax).toBe(-1);
  });
});

/** A stand-in that sends like autocannon's Client._doRequest: checks responseMax, emits 'request', then counts it. */
function sendingClient() {
  const { client } = fakeClient();
  let sent = 0;
  const trySend = () => {
    if (client.destroyed) return false;
    if (client.responseMax && client.reqsMade >= client.responseMax) {
      client.destroyed = true;
      return false;
    }
    client.emit('request');
    client.reqsMade++;
    sent++;
    return true;
  };
  return { client, trySend, sent: () => sent };
}

describe('RequestBudget', () => {
  it('holds any number of clients to the budget exactly, including clients added after it is spent', () => {
    for (const [budget, clients, rounds] of [
      [7, 3, 10],
      [2, 5, 3],
      [100, 8, 50],
      [1, 1, 4],
    ] as const) {
      const b = new RequestBudget(budget);
      const cs = Array.from({ length: clients }, () => sendingClient());
      cs.forEach((c) => b.add(c.client));
      for (let r = 0; r < rounds; r++) for (const c of cs) c.trySend();
      const late = sendingClient();
      b.add(late.client);
      late.trySend();
      const total = cs.reduce((a, c) => a + c.sent(), 0) + late.sent();
      expect(total, `budget ${budget}, ${clients} clients`).toBe(Math.min(budget, clients * rounds));
      expect(late.sent()).toBe(0);
    }
  });
  it('splitProportionally: shares follow the weights and sum to the total exactly', () => {
    expect(splitProportionally(10, [4, 3, 3])).toEqual([4, 3, 3]);
    expect(splitProportionally(7, [1, 1, 1])).toEqual([3, 2, 2]);
    expect(splitProportionally(1, [2, 2])).toEqual([1, 0]);
    expect(splitProportionally(Infinity, [1, 2])).toEqual([Infinity, Infinity]);
    for (const total of [0, 1, 5, 99, 1000]) expect(splitProportionally(total, [5, 3, 1, 1]).reduce((a, x) => a + x, 0)).toBe(total);
  });
});

describe('worker batches', () => {
  it('replay keeps the order of events, so in-flight never exceeds what the worker had', async () => {
    const { replay } = await import('../../src/engines/http-closed/worker-driver.js');
    const { EVENT } = await import('../../src/engines/http-closed/worker-protocol.js');
    const { sink, log } = recordingSink();
    let inFlight = 0;
    let max = 0;
    const counting = {
      ...sink,
      sent: (ago: number | undefined) => {
        sink.sent(ago, 0);
        max = Math.max(max, ++inFlight);
      },
      response: (s: number, ms: number) => {
        sink.response(s, ms, 0);
        inFlight--;
      },
      failed: (c: string) => {
        sink.failed(c, 0);
        inFlight--;
      },
      abandoned: (n: number) => {
        sink.abandoned(n);
        inFlight -= n;
      },
    };
    // One connection: sent, answered, sent again, answered, sent, then a failure, then the driver abandons one.
    const events = Uint8Array.from([EVENT.sent, EVENT.response, EVENT.sent, EVENT.response, EVENT.sent, EVENT.failure, EVENT.sent, EVENT.abandoned]);
    replay(
      {
        events,
        latencies: Float64Array.from([3, 4]),
        statuses: Uint16Array.from([200, 503]),
        codes: ['ECONNRESET'],
        reqs: new Uint16Array(0),
        lastSentAbs: performance.timeOrigin + performance.now(),
      },
      counting,
    );
    expect(log).toEqual(['sent', 'response 200 3', 'sent', 'response 503 4', 'sent', 'failed ECONNRESET', 'sent', 'abandoned 1']);
    expect(max).toBe(1);
    expect(inFlight).toBe(0);
  });
  it('replay hands each sent, response and failure event its request index, in order', async () => {
    const { replay } = await import('../../src/engines/http-closed/worker-driver.js');
    const { EVENT } = await import('../../src/engines/http-closed/worker-protocol.js');
    const log: string[] = [];
    replay(
      {
        events: Uint8Array.from([EVENT.sent, EVENT.sent, EVENT.response, EVENT.failure, EVENT.sent, EVENT.abandoned]),
        latencies: Float64Array.from([3]),
        statuses: Uint16Array.from([200]),
        codes: ['ECONNRESET'],
        reqs: Uint16Array.from([1, 0, 1, 0, 1]),
        lastSentAbs: performance.timeOrigin + performance.now(),
      },
      {
        sent: (_a, req) => log.push(`sent ${req}`),
        response: (s, _ms, req) => log.push(`response ${s} ${req}`),
        failed: (c, req) => log.push(`failed ${c} ${req}`),
        abandoned: (n) => log.push(`abandoned ${n}`),
      },
    );
    expect(log).toEqual(['sent 1', 'sent 0', 'response 200 1', 'failed ECONNRESET 0', 'sent 1', 'abandoned 1']);
  });
  it('connections are split evenly, never onto an idle worker', async () => {
    const { splitConnections } = await import('../../src/engines/http-closed/worker-driver.js');
    expect(splitConnections(10, 3)).toEqual([4, 3, 3]);
    expect(splitConnections(2, 4)).toEqual([1, 1]);
    expect(splitConnections(1, 0)).toEqual([1]);
  });
});
