// gRPC over HTTP/2 as the wire sees it (the parts the http2 transport needs,
// as pure functions): the length-prefixed message frame, the request headers
// (grpc-timeout, metadata with -bin values), and a call's status from the
// response headers, trailers or stream reset, mapped the way @grpc/grpc-js
// maps them so both clients count the same outcomes.
// Spec: https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md
// Only grpc-js's status codes (a file with no imports): scenario validation reaches this module, and must
// not load the whole gRPC client for an HTTP run (engines/registry.ts loads it when a scenario uses it).
import { Status as status } from '@grpc/grpc-js/build/src/constants.js';

/** One gRPC message on the wire: flag byte 0 (uncompressed), 4-byte big-endian length, the message. */
export function encodeFrame(message: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}

const TIMEOUT_UNITS: [string, number][] = [
  ['n', 1e-6],
  ['u', 1e-3],
  ['m', 1],
  ['S', 1_000],
  ['M', 60_000],
  ['H', 3_600_000],
];

/**
 * The grpc-timeout header for a deadline of ms milliseconds: at most 8 digits
 * and a unit; the finest unit that holds the value (rounded up: a server must
 * never see a shorter deadline than the client's).
 */
export function formatGrpcTimeout(ms: number): string {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`grpc-timeout needs a finite duration >= 0 ms, got ${ms}`);
  for (const [unit, size] of TIMEOUT_UNITS) {
    const n = Math.ceil(ms / size - 1e-9);
    if (n < 1e8) return `${n}${unit}`;
  }
  return '99999999H';
}

/**
 * Metadata as HTTP/2 headers: keys lower-cased; a -bin key's value is the
 * base64 text of its bytes (the scenario already holds base64), sent
 * unpadded as the spec asks senders to.
 */
export function metadataHeaders(metadata: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    const k = key.toLowerCase();
    out[k] = k.endsWith('-bin') ? Buffer.from(value, 'base64').toString('base64').replace(/=+$/, '') : value;
  }
  return out;
}

export interface RequestHeaderOptions {
  /** /package.Service/Method */
  path: string;
  /** host:port, or the TLS server name when it is overridden. */
  authority: string;
  secure: boolean;
  deadlineMs: number;
  metadata: Record<string, string>;
  userAgent: string;
}

/** Every header of a call, built once and sent with each call (grpc-timeout is relative: the same for every call). */
export function requestHeaders(o: RequestHeaderOptions): Record<string, string> {
  return {
    ':method': 'POST',
    ':scheme': o.secure ? 'https' : 'http',
    ':path': o.path,
    ':authority': o.authority,
    'user-agent': o.userAgent,
    ...metadataHeaders(o.metadata),
    'content-type': 'application/grpc',
    te: 'trailers',
    'grpc-timeout': formatGrpcTimeout(o.deadlineMs),
  };
}

/** A non-200 HTTP status as a gRPC status (as @grpc/grpc-js maps it). */
export function httpStatusToGrpc(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return status.INTERNAL;
    case 401:
      return status.UNAUTHENTICATED;
    case 403:
      return status.PERMISSION_DENIED;
    case 404:
      return status.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return status.UNAVAILABLE;
    default:
      return status.UNKNOWN;
  }
}

type HeaderValue = string | string[] | number | undefined;

/** grpc-status as a code: UNKNOWN when it is missing or not a status code. */
export function parseGrpcStatus(value: HeaderValue): number {
  if (value === '0') return status.OK;
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isInteger(n) && n >= 0 && n <= 16 ? n : status.UNKNOWN;
}

/** grpc-message is percent-encoded UTF-8; a malformed one is shown as sent. */
export function decodeGrpcMessage(value: HeaderValue): string {
  if (value === undefined) return '';
  const text = String(Array.isArray(value) ? value[0] : value);
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The status code of a call that got its closing headers (trailers, or
 * headers that end the stream: trailers-only). A non-200 HTTP status decides
 * first, as in @grpc/grpc-js; then grpc-status.
 */
export function callStatus(httpStatus: number | undefined, closing: Record<string, HeaderValue>): number {
  if (httpStatus !== undefined && httpStatus !== 200) return httpStatusToGrpc(httpStatus);
  return parseGrpcStatus(closing['grpc-status']);
}

/** The details text that goes with callStatus (read only for failed calls). */
export function callDetails(httpStatus: number | undefined, closing: Record<string, HeaderValue>): string {
  if (httpStatus !== undefined && httpStatus !== 200) return `Received HTTP status code ${httpStatus}`;
  if (closing['grpc-status'] === undefined) return 'No status received';
  return decodeGrpcMessage(closing['grpc-message']);
}

// HTTP/2 error codes (RFC 9113 section 7) that @grpc/grpc-js maps to particular statuses.
const NO_ERROR = 0;
const REFUSED_STREAM = 7;
const CANCEL = 8;
const ENHANCE_YOUR_CALM = 11;
const INADEQUATE_SECURITY = 12;

/**
 * The status of a stream that closed without gRPC status headers: by its
 * reset code, or UNAVAILABLE when the connection under it went away (the
 * call never got an answer).
 */
export function closedWithoutStatus(rstCode: number, connectionLost: boolean): { code: number; details: string } {
  if (connectionLost) return { code: status.UNAVAILABLE, details: 'Connection dropped' };
  switch (rstCode) {
    case REFUSED_STREAM:
      return { code: status.UNAVAILABLE, details: 'Stream refused by server' };
    case CANCEL:
      return { code: status.CANCELLED, details: 'Call cancelled' };
    case ENHANCE_YOUR_CALM:
      return { code: status.RESOURCE_EXHAUSTED, details: 'Bandwidth exhausted or memory limit exceeded' };
    case INADEQUATE_SECURITY:
      return { code: status.PERMISSION_DENIED, details: 'Protocol not secure enough' };
    case NO_ERROR:
      return { code: status.INTERNAL, details: 'Stream closed without gRPC status' };
    default:
      return { code: status.INTERNAL, details: `Received RST_STREAM with code ${rstCode}` };
  }
}

/**
 * Reads a response body chunk by chunk far enough to tell when the first
 * whole message has arrived (server streams: time to first message) and
 * whether any message came (a unary OK without one is an error).
 */
export class FirstMessage {
  /** Bytes received so far. */
  received = 0;
  /** Length of the first frame (prefix + message), once its prefix is in; -1 before. */
  private frameLength = -1;
  /** The first frame's prefix when it arrived split over chunks. */
  private prefix: Buffer | null = null;

  /** Adds a chunk; true exactly once: when the first message is complete. */
  add(chunk: Buffer): boolean {
    const before = this.received;
    this.received += chunk.length;
    if (this.frameLength < 0) {
      if (before === 0 && chunk.length >= 5) this.frameLength = 5 + chunk.readUInt32BE(1);
      else {
        const have = this.prefix ? Buffer.concat([this.prefix, chunk]) : chunk;
        if (have.length < 5) {
          this.prefix = Buffer.from(have);
          return false;
        }
        this.frameLength = 5 + have.readUInt32BE(1);
        this.prefix = null;
      }
      return this.received >= this.frameLength;
    }
    return before < this.frameLength && this.received >= this.frameLength;
  }

  /** A whole message arrived. */
  get complete(): boolean {
    return this.frameLength >= 0 && this.received >= this.frameLength;
  }
}
