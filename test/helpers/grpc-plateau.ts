// The throughput plateau of a gRPC target, measured with a bare closed loop
// on @grpc/grpc-js (not critpoint's engine): `concurrency` calls kept in
// flight over a few channels for `seconds`, completions counted. Loopback only,
// bounded in time.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GO_TARGET_PROTO } from './go-target.js';

type WorkClient = grpc.Client & {
  Do(req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null) => void): void;
  Stream(req: object, md: grpc.Metadata, opts: grpc.CallOptions): grpc.ClientReadableStream<unknown>;
};

export interface PlateauOptions {
  concurrency?: number;
  seconds?: number;
  channels?: number;
  /** Stream: each call is a whole server stream of `count` messages, counted at its end. Default Do. */
  method?: 'Do' | 'Stream';
  count?: number;
}

/** Completed calls (whole streams for Stream) per second. */
export async function measureGrpcPlateau(address: string, opts: PlateauOptions = {}): Promise<number> {
  const { concurrency = 64, seconds = 4, channels = 4, method = 'Do', count = 5 } = opts;
  if (!/^(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(address)) throw new Error(`refusing to load a non-loopback target: ${address}`);
  const def = protoLoader.loadSync(GO_TARGET_PROTO, { keepCase: false, longs: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { loadtarget: { Work: new (a: string, c: grpc.ChannelCredentials, o: grpc.ChannelOptions) => WorkClient } };
  const clients = Array.from({ length: channels }, () => new pkg.loadtarget.Work(address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
  try {
    await Promise.all(clients.map((c) => new Promise<void>((resolve, reject) => c.waitForReady(Date.now() + 5_000, (e) => (e ? reject(e) : resolve())))));
    // One second of warm-up (JIT, HTTP/2 windows), then count.
    const warmupMs = 1_000;
    const t0 = Date.now();
    const end = t0 + warmupMs + seconds * 1_000;
    let counted = 0;
    let failed = 0;
    const loop = (client: WorkClient) =>
      new Promise<void>((resolve) => {
        const next = () => {
          if (Date.now() >= end) return resolve();
          const done = (err: unknown) => {
            if (err) failed++;
            else if (Date.now() >= t0 + warmupMs && Date.now() < end) counted++;
            next();
          };
          const options = { deadline: Date.now() + 5_000 };
          if (method === 'Do') return client.Do({ payload: 'abc' }, new grpc.Metadata(), options, done);
          const call = client.Stream({ payload: 'abc', count }, new grpc.Metadata(), options);
          call.on('data', () => undefined);
          call.on('error', () => undefined);
          call.on('status', (s: grpc.StatusObject) => done(s.code === grpc.status.OK ? null : s));
        };
        next();
      });
    await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(clients[i % channels]!)));
    if (failed > 0) throw new Error(`${failed} calls failed while measuring the plateau of ${address}`);
    return counted / seconds;
  } finally {
    for (const c of clients) c.close();
  }
}
