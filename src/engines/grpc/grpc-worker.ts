// One gRPC load thread (load.workers >= 2), started by the gRPC engine
// through threads/thread-pool.ts. The step loop (pacing, stop flag, in-flight
// cap, window slices) is the shared paced thread (threads/paced-thread.ts);
// this thread owns its http2 sessions (http2-transport.ts, built from the
// plain config the engine sent: the encoded request, not the proto) and
// records each call's outcome as the single-thread engine does.
import { parentPort, workerData } from 'node:worker_threads';
import { servePacedThread } from '../threads/paced-thread.js';
import { Http2Transport } from './http2-transport.js';
import type { TlsMaterial } from './channel-pool.js';
import type { CallSink } from './grpc-transport.js';
import { grpcErrorKind, isNoAnswer, OK } from './grpc-status.js';
import type { GrpcWorkerInit } from './grpc-threads.js';

const port = parentPort;
if (!port) throw new Error('grpc-worker.ts runs only as a worker thread');
const init = workerData as GrpcWorkerInit;

/** A Buffer crosses to a thread as a Uint8Array: the same bytes, seen as a Buffer again. */
const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const bufferOrNot = (b: Uint8Array | undefined) => (b === undefined ? undefined : asBuffer(b));
const t = init.transport;
const tls: TlsMaterial | null = t.tls && { ...t.tls, ca: bufferOrNot(t.tls.ca), cert: bufferOrNot(t.tls.cert), key: bufferOrNot(t.tls.key) };
const transport = new Http2Transport({ ...t, tls, request: asBuffer(t.request) });

/** Error kinds by status code, built once (no string per failed call). */
const KINDS = Array.from({ length: 17 }, (_, code) => grpcErrorKind(code));
const kindOf = (code: number) => KINDS[code] ?? grpcErrorKind(code);

// The thread's connections are up (and the server's stream limit known) before it says it is ready,
// so the first step's clock does not wait for them; a failure here fails the thread's start.
await transport.connect(init.connectTimeoutMs);

servePacedThread(port, init, (recorder, now) => {
  // One sink for the step; a call carries its intended send time and its `done` back (no closure per call).
  const sink: CallSink = {
    firstMessage: (from) => {
      const at = now();
      recorder.firstMessage(at - from, at);
    },
    done: (from, code, _details, done) => {
      const at = now();
      if (code === OK) recorder.response(at - from, true, at);
      else if (isNoAnswer(code)) recorder.failed(kindOf(code), at);
      else recorder.response(at - from, false, at, kindOf(code));
      done?.();
    },
  };
  return { send: (_i, intendedAt, done) => transport.start(intendedAt, sink, done) };
});
