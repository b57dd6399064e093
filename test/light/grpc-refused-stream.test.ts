// The http2 gRPC transport's transparent retry, against a real Node HTTP/2 server on 127.0.0.1 that
// resets a call's first streams with REFUSED_STREAM (what a server does with streams it did not process,
// e.g. past a GOAWAY's last stream): the call is sent again on another connection up to three times and
// then succeeds; a server that refuses it a fourth time ends it UNAVAILABLE. A handful of calls, no load.
import { afterEach, describe, expect, it } from 'vitest';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Http2Transport } from '../../src/engines/grpc/http2-transport.js';
import { encodeFrame } from '../../src/engines/grpc/grpc-wire.js';

let server: http2.Http2Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A server that refuses the first `refusals` streams it sees, then answers every call OK with a 3-byte message. */
async function refusingServer(refusals: number): Promise<{ address: string; streams: () => number }> {
  let seen = 0;
  server = http2.createServer();
  server.on('stream', (stream) => {
    seen++;
    stream.on('error', () => undefined); // a stream closed with an error code reports it here too
    if (seen <= refusals) return stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    stream.on('data', () => undefined);
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(encodeFrame(Buffer.from('abc')));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { address: `127.0.0.1:${(server!.address() as AddressInfo).port}`, streams: () => seen };
}

async function oneCall(address: string): Promise<{ code: number; details: string }> {
  const t = new Http2Transport({
    address,
    tls: null,
    path: '/loadtarget.Work/Do',
    request: Buffer.from('req'),
    metadata: {},
    deadlineMs: 2_000,
    stream: false,
    channels: 2,
    maxConnections: 4,
  });
  try {
    await t.connect(2_000);
    return await new Promise((resolve) => t.start(0, { firstMessage: () => undefined, done: (_from, code, details) => resolve({ code, details }) }));
  } finally {
    await t.close();
  }
}

describe('http2 transport: a stream the server refused unprocessed', () => {
  it('is sent again, up to three times, and the call succeeds', async () => {
    const s = await refusingServer(3);
    expect(await oneCall(s.address)).toEqual({ code: 0, details: '' });
    expect(s.streams()).toBe(4);
  });

  it('refused a fourth time, the call ends UNAVAILABLE', async () => {
    const s = await refusingServer(4);
    const r = await oneCall(s.address);
    expect(r.code).toBe(14);
    expect(s.streams()).toBe(4);
  });
});
