// One gRPC call on one channel: unary or server-streaming, with the request
// already encoded (the same bytes for every call) and the responses left
// undecoded (only their arrival matters to the measurement).
import { Metadata, type Client } from '@grpc/grpc-js';

export interface CallSpec {
  /** /package.Service/Method */
  path: string;
  /** Encoded request message. */
  request: Buffer;
  metadata: Metadata;
  deadlineMs: number;
  /** Server-streaming method. */
  stream: boolean;
}

export interface CallEvents {
  /** Streams: the first message arrived. */
  firstMessage?: () => void;
  /** The call ended with this status code (0 = OK). Called exactly once. */
  done: (code: number, details: string) => void;
}

const passthrough = (b: Buffer): Buffer => b;

export function startCall(client: Client, spec: CallSpec, ev: CallEvents): void {
  const options = { deadline: Date.now() + spec.deadlineMs };
  const metadata = spec.metadata.clone();
  if (!spec.stream) {
    client.makeUnaryRequest(spec.path, passthrough, passthrough, spec.request, metadata, options, (err) => {
      ev.done(err ? err.code : 0, err ? err.details : '');
    });
    return;
  }
  const call = client.makeServerStreamRequest(spec.path, passthrough, passthrough, spec.request, metadata, options);
  let first = true;
  call.on('data', () => {
    if (!first) return;
    first = false;
    ev.firstMessage?.();
  });
  // A failed stream emits 'error' and then 'status'; the status carries the outcome.
  call.on('error', () => undefined);
  call.on('status', (s: { code: number; details: string }) => ev.done(s.code, s.details));
}

/** Metadata from a plain map: keys ending in -bin carry base64 values sent as bytes. */
export function buildMetadata(values: Record<string, string>): Metadata {
  const md = new Metadata();
  for (const [key, value] of Object.entries(values)) {
    if (/-bin$/i.test(key)) md.set(key, Buffer.from(value, 'base64'));
    else md.set(key, value);
  }
  return md;
}
