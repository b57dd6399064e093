// gRPC status codes as error kinds: `grpc-<STATUS_NAME>` (grpc-DEADLINE_EXCEEDED,
// grpc-UNAVAILABLE, grpc-RESOURCE_EXHAUSTED, ...), counted per window.
import { status } from '@grpc/grpc-js';

export const OK = status.OK;
export const UNIMPLEMENTED = status.UNIMPLEMENTED;

export function statusName(code: number): string {
  return status[code] ?? `CODE_${code}`;
}

export function grpcErrorKind(code: number): string {
  return `grpc-${statusName(code)}`;
}

/**
 * Calls that ended without an answer from the service: the deadline passed,
 * no connection, or the call was cancelled. Like HTTP timeouts and connection
 * errors they have no latency; every other status is an answer the service
 * sent, with a latency, counted as an error of its kind.
 */
const NO_ANSWER = new Set<number>([status.DEADLINE_EXCEEDED, status.UNAVAILABLE, status.CANCELLED]);

export function isNoAnswer(code: number): boolean {
  return NO_ANSWER.has(code);
}
