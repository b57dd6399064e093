// The throughput plateau of the Go fixture's gRPC endpoint, counted by the
// server itself: `concurrency` calls kept in flight (a closed loop on the
// http2 transport, not critpoint's engine or its detector) for `seconds`,
// and the plateau is the growth of the fixture's own `served` counter
// (/stats) over that time. A server-side count cannot be flattered by the
// client; a stall of this machine can only lower it. Loopback only, bounded.
import { performance } from 'node:perf_hooks';
import { Http2Transport } from '../../src/engines/grpc/http2-transport.js';
import { findMethod, loadProto } from '../../src/engines/grpc/grpc-proto.js';
import { GO_TARGET_PROTO, type GoTarget } from './go-target.js';

export interface PlateauOptions {
  concurrency?: number;
  seconds?: number;
  /** Stream: each call is a whole server stream of `count` messages; the plateau is in streams per second. Default Do. */
  method?: 'Do' | 'Stream';
  count?: number;
}

async function served(target: GoTarget): Promise<number> {
  const res = await fetch(`${target.url}/stats`);
  return ((await res.json()) as { served: number }).served;
}

/** Calls (whole streams for Stream) the fixture served per second with `concurrency` in flight. */
export async function measureGoPlateau(target: GoTarget, opts: PlateauOptions = {}): Promise<number> {
  const { concurrency = 64, seconds = 2, method = 'Do', count = 5 } = opts;
  const address = target.grpcAddress;
  if (!address || !/^(127\.0\.0\.1|\[::1\]):\d+$/.test(address)) throw new Error(`refusing to load a non-loopback target: ${address}`);
  const found = findMethod(loadProto(GO_TARGET_PROTO), 'loadtarget.Work', method);
  if (!found.ok) throw new Error(found.problem);
  const transport = new Http2Transport({
    address,
    tls: null,
    path: found.method.path,
    request: found.method.serialize({ payload: 'abc', count }),
    metadata: {},
    deadlineMs: 5_000,
    stream: method === 'Stream',
    channels: 4,
    maxConnections: 4,
  });
  try {
    await transport.connect(5_000);
    let stopAt = performance.now() + 500; // warm-up: JIT, HTTP/2 windows
    let failed = 0;
    const loop = () =>
      new Promise<void>((resolve) => {
        const sink = {
          firstMessage: () => undefined,
          done: (_from: number, code: number) => {
            if (code !== 0) failed++;
            next();
          },
        };
        const next = () => (performance.now() < stopAt ? transport.start(0, sink) : resolve());
        next();
      });
    await Promise.all(Array.from({ length: concurrency }, loop));
    const before = await served(target);
    const t0 = performance.now();
    stopAt = t0 + seconds * 1_000;
    await Promise.all(Array.from({ length: concurrency }, loop));
    const after = await served(target);
    if (failed > 0) throw new Error(`${failed} calls failed while measuring the plateau of ${address}`);
    return (after - before) / ((performance.now() - t0) / 1_000) / (method === 'Stream' ? count : 1);
  } finally {
    await transport.close();
  }
}
