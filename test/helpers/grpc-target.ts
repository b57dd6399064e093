// A @grpc/grpc-js server of known capacity for integration tests and
// benchmarks: loadtarget.Work (test/fixtures/go-target/work.proto) served by
// a SlotPool of W slots x S ms, so Do's capacity is W / S calls per second and
// a Stream of c messages holds the pool c times. Optional: a required bearer
// token (UNAUTHENTICATED otherwise), TLS and mutual TLS. Runs in-process; loopback only.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { SlotPool } from '../../src/demo/slot-pool.js';
import { GO_TARGET_PROTO } from './go-target.js';

export interface GrpcTargetOptions {
  workers: number;
  /** Service time of a slot; 0 answers Do at once, without the pool (benchmarks: the fastest target). */
  serviceMs: number;
  /** Calls must carry `authorization: Bearer <token>`. */
  token?: string;
  /** PEM key and certificate: serve TLS; with clientCa, require client certificates it signed (mutual TLS). */
  tls?: { key: Buffer; cert: Buffer; clientCa?: Buffer };
  /** Most calls waiting for a slot; more get RESOURCE_EXHAUSTED. Default 100000. */
  maxQueue?: number;
}

export interface GrpcTarget {
  /** 127.0.0.1:port */
  address: string;
  /** W / S calls per second (Do); Infinity with serviceMs 0. */
  capacity: number;
  /** Calls received by the service (any method, any outcome). */
  received(): number;
  /** The metadata of the last call received (binary values as Buffers). */
  lastMetadata(): Record<string, string | Buffer>;
  close(): Promise<void>;
}

interface WorkRequest {
  payload: string;
  sizeHint: number;
  count: number;
}

export async function startGrpcTarget(opts: GrpcTargetOptions): Promise<GrpcTarget> {
  const def = protoLoader.loadSync(GO_TARGET_PROTO, { keepCase: false, longs: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { loadtarget: { Work: grpc.ServiceClientConstructor } };
  const immediate = opts.serviceMs <= 0;
  const pool = new SlotPool(opts.workers, immediate ? 1 : opts.serviceMs, opts.maxQueue ?? 100_000);
  let received = 0;
  let seq = 0;
  let last: Record<string, string | Buffer> = {};
  const authorized = (md: grpc.Metadata) => !opts.token || md.get('authorization')[0] === `Bearer ${opts.token}`;
  const reply = (req: WorkRequest, n: number) => ({ payload: req.sizeHint > 0 ? 'x'.repeat(Math.min(req.sizeHint, 1 << 20)) : req.payload, seq: String(n) });
  const server = new grpc.Server();
  server.addService(pkg.loadtarget.Work.service, {
    Do: (call: grpc.ServerUnaryCall<WorkRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      received++;
      last = Object.fromEntries(Object.entries(call.metadata.getMap()));
      if (!authorized(call.metadata)) return callback({ code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong bearer token' });
      if (immediate) return callback(null, reply(call.request, ++seq));
      const ok = pool.submit(() => callback(null, reply(call.request, ++seq)));
      if (!ok) callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'queue full' });
    },
    Stream: (call: grpc.ServerWritableStream<WorkRequest, unknown>) => {
      received++;
      if (!authorized(call.metadata)) return call.destroy(Object.assign(new Error('unauthenticated'), { code: grpc.status.UNAUTHENTICATED }));
      const count = call.request.count > 0 ? Math.min(call.request.count, 10_000) : 5;
      let i = 0;
      const next = () => {
        if (call.cancelled) return;
        if (i === count) return void call.end();
        const ok = pool.submit(() => {
          if (call.cancelled) return;
          call.write(reply(call.request, ++i));
          next();
        });
        if (!ok) call.destroy(Object.assign(new Error('queue full'), { code: grpc.status.RESOURCE_EXHAUSTED }));
      };
      next();
    },
  });
  const creds = opts.tls
    ? grpc.ServerCredentials.createSsl(opts.tls.clientCa ?? null, [{ private_key: opts.tls.key, cert_chain: opts.tls.cert }], opts.tls.clientCa !== undefined)
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))));
  return {
    address: `127.0.0.1:${port}`,
    capacity: immediate ? Infinity : pool.capacity,
    received: () => received,
    lastMetadata: () => last,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())).then(() => server.forceShutdown()),
  };
}
