// tapClient against a stand-in for autocannon's Client (an EventEmitter with
// the same fields): what each client event becomes, and that stopClient
// uses autocannon's own per-connection request limit.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { stopClient, tapClient, type AutocannonClient, type ClosedLoopSink } from '../../src/engines/http-closed/closed-loop-driver.js';

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
    sent: () => log.push('sent'),
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
  it('a connection error fails everything in flight on it and clears autocannon\'s stale queue', () => {
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
  it('stopClient caps the client at the requests it already made', () => {
    const { client } = fakeClient();
    client.reqsMade = 41;
    stopClient(client);
    expect(client.responseMax).toBe(41);
    client.destroyed = true;
    client.reqsMade = 50;
    stopClient(client);
    expect(client.responseMax).toBe(41);
  });
});

describe('worker batches', () => {
  it('replay keeps the order of events, so in-flight never exceeds what the worker had', async () => {
    const { replay } = await import('../../src/engines/http-closed/worker-driver.js');
    const { EVENT } = await import('../../src/engines/http-closed/worker-source.js');
    const { sink, log } = recordingSink();
    let inFlight = 0;
    let max = 0;
    const counting = { ...sink, sent: (ago?: number) => { sink.sent(ago); max = Math.max(max, ++inFlight); }, response: (s: number, ms: number) => { sink.response(s, ms); inFlight--; }, failed: (c: string) => { sink.failed(c); inFlight--; }, abandoned: (n: number) => { sink.abandoned(n); inFlight -= n; } };
    // One connection: sent, answered, sent again, answered, sent, then a failure, then the driver abandons one.
    const events = Uint8Array.from([EVENT.sent, EVENT.response, EVENT.sent, EVENT.response, EVENT.sent, EVENT.failure, EVENT.sent, EVENT.abandoned]);
    replay({ events, latencies: Float64Array.from([3, 4]), statuses: Uint16Array.from([200, 503]), codes: ['ECONNRESET'], lastSentAbs: performance.timeOrigin + performance.now() }, counting);
    expect(log).toEqual(['sent', 'response 200 3', 'sent', 'response 503 4', 'sent', 'failed ECONNRESET', 'sent', 'abandoned 1']);
    expect(max).toBe(1);
    expect(inFlight).toBe(0);
  });
  it('connections are split evenly, never onto an idle worker', async () => {
    const { splitConnections } = await import('../../src/engines/http-closed/worker-driver.js');
    expect(splitConnections(10, 3)).toEqual([4, 3, 3]);
    expect(splitConnections(2, 4)).toEqual([1, 1]);
    expect(splitConnections(1, 0)).toEqual([1]);
  });
});
