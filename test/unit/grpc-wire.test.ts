// The pure parts of the http2 gRPC transport: the message frame, grpc-timeout,
// metadata headers, and a call's status from HTTP status, grpc-status trailers
// and stream resets (mapped as @grpc/grpc-js maps them).
import { describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import {
  callDetails,
  callStatus,
  closedWithoutStatus,
  decodeGrpcMessage,
  encodeFrame,
  FirstMessage,
  formatGrpcTimeout,
  httpStatusToGrpc,
  metadataHeaders,
  parseGrpcStatus,
  requestHeaders,
} from '../../src/engines/grpc/grpc-wire.js';

describe('encodeFrame', () => {
  it('prefixes the message with a zero flag and its big-endian length', () => {
    const msg = Buffer.from([0x0a, 0x03, 0x61, 0x62, 0x63]);
    expect([...encodeFrame(msg)]).toEqual([0, 0, 0, 0, 5, 0x0a, 0x03, 0x61, 0x62, 0x63]);
    expect([...encodeFrame(Buffer.alloc(0))]).toEqual([0, 0, 0, 0, 0]);
    const big = encodeFrame(Buffer.alloc(70_000, 1));
    expect(big.readUInt32BE(1)).toBe(70_000);
    expect(big.length).toBe(70_005);
  });
});

describe('formatGrpcTimeout', () => {
  it('uses the finest unit that fits in 8 digits, rounding up', () => {
    expect(formatGrpcTimeout(10_000)).toBe('10000000u');
    expect(formatGrpcTimeout(20)).toBe('20000000n');
    expect(formatGrpcTimeout(0.5)).toBe('500000n');
    expect(formatGrpcTimeout(0)).toBe('0n');
    expect(formatGrpcTimeout(100_000)).toBe('100000m');
    expect(formatGrpcTimeout(99_999_999)).toBe('99999999m');
    expect(formatGrpcTimeout(100_000_000)).toBe('100000S');
    expect(formatGrpcTimeout(100_000_001)).toBe('100001S');
  });

  it('never exceeds 8 digits and refuses what is not a duration', () => {
    for (const ms of [1, 999, 1e4, 1e6, 1e9, 1e12, 1e15]) expect(formatGrpcTimeout(ms)).toMatch(/^\d{1,8}[HMSmun]$/);
    expect(() => formatGrpcTimeout(-1)).toThrow();
    expect(() => formatGrpcTimeout(Number.NaN)).toThrow();
  });
});

describe('request headers', () => {
  it('lower-cases metadata keys and sends -bin values as unpadded base64 of their bytes', () => {
    expect(metadataHeaders({ Authorization: 'Bearer x', 'Trace-Bin': 'AQID', 'x-id-bin': 'AQ==' })).toEqual({
      authorization: 'Bearer x',
      'trace-bin': 'AQID',
      'x-id-bin': 'AQ',
    });
  });

  it('has the gRPC headers, and metadata cannot replace them', () => {
    const h = requestHeaders({
      path: '/loadtarget.Work/Do',
      authority: '127.0.0.1:9090',
      secure: false,
      deadlineMs: 2_000,
      metadata: { 'content-type': 'text/plain', te: 'gzip', k: 'v' },
      userAgent: 'ua',
    });
    expect(h).toEqual({
      ':method': 'POST',
      ':scheme': 'http',
      ':path': '/loadtarget.Work/Do',
      ':authority': '127.0.0.1:9090',
      'user-agent': 'ua',
      k: 'v',
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': '2000000u',
    });
    expect(requestHeaders({ path: '/p', authority: 'a', secure: true, deadlineMs: 1, metadata: {}, userAgent: 'ua' })[':scheme']).toBe('https');
  });
});

describe('call status', () => {
  it('reads grpc-status and its percent-encoded message', () => {
    expect(callStatus(200, { 'grpc-status': '0' })).toBe(status.OK);
    expect(callStatus(200, { 'grpc-status': '8', 'grpc-message': 'queue%20full' })).toBe(status.RESOURCE_EXHAUSTED);
    expect(callDetails(200, { 'grpc-status': '8', 'grpc-message': 'queue%20full' })).toBe('queue full');
    expect(decodeGrpcMessage('100%25%20bad%ZZ')).toBe('100%25%20bad%ZZ'); // malformed: shown as sent
    expect(decodeGrpcMessage(undefined)).toBe('');
  });

  it('a missing or unknown grpc-status is UNKNOWN', () => {
    expect(callStatus(200, {})).toBe(status.UNKNOWN);
    expect(callDetails(200, {})).toBe('No status received');
    expect(parseGrpcStatus('17')).toBe(status.UNKNOWN);
    expect(parseGrpcStatus('x')).toBe(status.UNKNOWN);
    expect(parseGrpcStatus(['14'])).toBe(status.UNAVAILABLE);
  });

  it('a non-200 HTTP status decides before grpc-status, as in @grpc/grpc-js', () => {
    expect(callStatus(503, { 'grpc-status': '0' })).toBe(status.UNAVAILABLE);
    expect(callDetails(404, {})).toBe('Received HTTP status code 404');
    const mapped = Object.fromEntries([400, 401, 403, 404, 429, 500, 502, 503, 504].map((s) => [s, httpStatusToGrpc(s)]));
    expect(mapped).toEqual({
      400: status.INTERNAL,
      401: status.UNAUTHENTICATED,
      403: status.PERMISSION_DENIED,
      404: status.UNIMPLEMENTED,
      429: status.UNAVAILABLE,
      500: status.UNKNOWN,
      502: status.UNAVAILABLE,
      503: status.UNAVAILABLE,
      504: status.UNAVAILABLE,
    });
  });

  it('a stream closed without status: by its reset code, UNAVAILABLE when the connection went away', () => {
    expect(closedWithoutStatus(7, false).code).toBe(status.UNAVAILABLE);
    expect(closedWithoutStatus(8, false).code).toBe(status.CANCELLED);
    expect(closedWithoutStatus(11, false).code).toBe(status.RESOURCE_EXHAUSTED);
    expect(closedWithoutStatus(12, false).code).toBe(status.PERMISSION_DENIED);
    expect(closedWithoutStatus(2, false)).toEqual({ code: status.INTERNAL, details: 'Received RST_STREAM with code 2' });
    expect(closedWithoutStatus(0, false).code).toBe(status.INTERNAL);
    expect(closedWithoutStatus(8, true).code).toBe(status.UNAVAILABLE);
  });
});

describe('FirstMessage', () => {
  const frame = (n: number) => encodeFrame(Buffer.alloc(n, 7));

  it('tells the first whole message once, in one chunk or split anywhere', () => {
    const two = Buffer.concat([frame(10), frame(3)]);
    for (let cut1 = 1; cut1 < two.length; cut1++) {
      for (const cut2 of [cut1 + 1, two.length]) {
        const f = new FirstMessage();
        const parts = [two.subarray(0, cut1), two.subarray(cut1, cut2), two.subarray(cut2)].filter((p) => p.length > 0);
        const hits = parts.map((p) => f.add(p));
        expect(hits.filter(Boolean).length).toBe(1);
        // The hit comes with the chunk that holds byte 15 (prefix 5 + message 10).
        const ends = parts.map((_, i) => parts.slice(0, i + 1).reduce((n, p) => n + p.length, 0));
        expect(hits.indexOf(true)).toBe(ends.findIndex((e) => e >= 15));
        expect(f.complete).toBe(true);
      }
    }
  });

  it('an empty message is whole with its prefix; a cut one is not', () => {
    const f = new FirstMessage();
    expect(f.add(frame(0))).toBe(true);
    const g = new FirstMessage();
    expect(g.add(frame(8).subarray(0, 9))).toBe(false);
    expect(g.complete).toBe(false);
    expect(g.received).toBe(9);
  });
});
