// Integration tests of the Go load target itself (test/fixtures/go-target):
// its runtime endpoints, its measured capacity vs. the nominal W/S, leak mode,
// and the hand-registered gRPC service. All load is bounded and loopback-only.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import http2 from 'node:http2';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { GO_TARGET_BUILD_SCRIPT, goTargetAvailable, startGoTarget, type GoTarget } from '../helpers/go-target.js';

async function getText(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.text() };
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const { status, body } = await getText(url);
  expect(status).toBe(200);
  return JSON.parse(body) as Record<string, unknown>;
}

/** Server-side counter of requests served by the pool (expvar requests_total). */
async function servedAt(url: string): Promise<{ count: number; t: number }> {
  const t0 = performance.now();
  const vars = await getJson(`${url}/debug/vars`);
  const t1 = performance.now();
  return { count: Number(vars.requests_total), t: (t0 + t1) / 2 };
}

// --- minimal gRPC-over-HTTP/2 client (no @grpc/grpc-js needed) -------------

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

function encodeWorkRequest(req: { payload?: string; sizeHint?: number; count?: number }): Buffer {
  const parts: number[] = [];
  if (req.payload) {
    const s = Buffer.from(req.payload, 'utf8');
    parts.push(0x0a, ...varint(s.length), ...s);
  }
  if (req.sizeHint) parts.push(0x10, ...varint(req.sizeHint));
  if (req.count) parts.push(0x18, ...varint(req.count));
  return Buffer.from(parts);
}

function decodeWorkReply(buf: Buffer): { payload: string; seq: number } {
  const out = { payload: '', seq: 0 };
  let i = 0;
  const readVarint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const tag = Number(readVarint());
    if (tag === 0x0a) {
      const len = Number(readVarint());
      out.payload = buf.subarray(i, i + len).toString('utf8');
      i += len;
    } else if (tag === 0x10) {
      out.seq = Number(BigInt.asIntN(64, readVarint()));
    } else {
      throw new Error(`unexpected tag ${tag}`);
    }
  }
  return out;
}

async function grpcCall(
  address: string,
  method: 'Do' | 'Stream',
  req: Parameters<typeof encodeWorkRequest>[0],
): Promise<{ grpcStatus: string | undefined; replies: { payload: string; seq: number }[] }> {
  const client = http2.connect(`http://${address}`);
  try {
    return await new Promise((resolve, reject) => {
      const stream = client.request({
        ':method': 'POST',
        ':path': `/loadtarget.Work/${method}`,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      stream.setTimeout(5_000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
      const chunks: Buffer[] = [];
      let grpcStatus: string | undefined;
      stream.on('response', (h) => {
        if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']); // trailers-only
      });
      stream.on('trailers', (h) => {
        grpcStatus = String(h['grpc-status']);
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      stream.on('close', () => {
        const data = Buffer.concat(chunks);
        const replies = [];
        for (let o = 0; o + 5 <= data.length;) {
          const len = data.readUInt32BE(o + 1);
          replies.push(decodeWorkReply(data.subarray(o + 5, o + 5 + len)));
          o += 5 + len;
        }
        resolve({ grpcStatus, replies });
      });
      const msg = encodeWorkRequest(req);
      const header = Buffer.alloc(5);
      header.writeUInt32BE(msg.length, 1);
      stream.end(Buffer.concat([header, msg]));
    });
  } finally {
    client.close();
  }
}

// ---------------------------------------------------------------------------

beforeAll(() => {
  // Idempotent: prints "up to date" and returns at once when already built.
  if (!goTargetAvailable()) {
    execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
  }
}, 180_000);

describe('go-target: pool mode (W=8, S=5ms)', () => {
  let target: GoTarget;
  beforeAll(async () => {
    target = await startGoTarget({ workers: 8, serviceTimeMs: 5, grpc: true, extraArgs: ['-expvar-goroutines'] });
  });
  afterAll(async () => {
    await target?.stop();
  });

  it('prints its addresses and nominal capacity W/S', () => {
    expect(target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(target.grpcAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(target.pid).toBeGreaterThan(0);
    expect(target.capacity).toBe(1600);
  });

  it('serves /health, /fast, /work and /stats', async () => {
    expect((await getText(`${target.url}/health`)).status).toBe(200);
    expect((await getText(`${target.url}/fast`)).status).toBe(200);
    const work = await getText(`${target.url}/work`);
    expect(work.status).toBe(200);
    expect(work.body).toContain('ok');
    const stats = await getJson(`${target.url}/stats`);
    expect(stats).toMatchObject({ queue: { depth: 0 }, inflight: 0 });
    expect(stats.goroutines).toBeGreaterThan(0);
  });

  it('exposes Prometheus, pprof and expvar runtime endpoints', async () => {
    const metrics = await getText(`${target.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^go_goroutines \d+$/m);
    expect(metrics.body).toMatch(/^http_inflight_requests\{handler="work"\} \d+$/m);
    expect(metrics.body).toMatch(/^http_requests_total\{code="200",handler="work"\} \d+$/m);
    expect(metrics.body).toMatch(/^work_queue_depth \d+$/m);
    expect(metrics.body).toMatch(/^process_cpu_seconds_total /m);

    const pprof = await getText(`${target.url}/debug/pprof/goroutine?debug=1`);
    expect(pprof.body.split('\n')[0]).toMatch(/^goroutine profile: total \d+$/);
    const pprof2 = await getText(`${target.url}/debug/pprof/goroutine?debug=2`);
    expect(pprof2.body).toMatch(/^goroutine \d+ \[/);

    const vars = await getJson(`${target.url}/debug/vars`);
    const memstats = vars.memstats as Record<string, unknown>;
    expect(memstats.HeapAlloc).toBeGreaterThan(0);
    expect(vars.cmdline).toBeInstanceOf(Array);
    expect(vars.goroutines).toBeGreaterThan(0);
    expect(vars.requests_total).toBeGreaterThan(0);
  });

  it('answers gRPC Do and Stream (loadtarget.Work, work.proto wire format)', async () => {
    const address = target.grpcAddress!;
    const t0 = performance.now();
    const doRes = await grpcCall(address, 'Do', { payload: 'hello' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4); // one service time
    expect(doRes.grpcStatus).toBe('0');
    expect(doRes.replies).toHaveLength(1);
    expect(doRes.replies[0]!.payload).toBe('hello');
    expect(doRes.replies[0]!.seq).toBeGreaterThan(0);

    const streamRes = await grpcCall(address, 'Stream', { sizeHint: 3, count: 4 });
    expect(streamRes.grpcStatus).toBe('0');
    expect(streamRes.replies).toEqual([1, 2, 3, 4].map((seq) => ({ payload: 'xxx', seq })));

    const defaultCount = await grpcCall(address, 'Stream', { payload: 'p' });
    expect(defaultCount.replies).toHaveLength(5);
  });

  it('delivers a measured capacity within 5% of W/S under a closed loop', async () => {
    // Bounded closed loop: 64 connections for 2.5 s against 127.0.0.1 only.
    const run = autocannon({
      url: `${target.url}/work`,
      connections: 64,
      duration: 2.5,
      timeout: 5,
    });
    // Server-side rate over the steady middle of the run (no ramp-up/down).
    await sleep(500);
    const a = await servedAt(target.url);
    await sleep(1_500);
    const b = await servedAt(target.url);
    const result = await run;

    const serverRate = (b.count - a.count) / ((b.t - a.t) / 1000);
    const clientRate = result['2xx'] / result.duration;
    console.log(
      `go-target capacity: nominal ${target.capacity} req/s, server-side ${serverRate.toFixed(0)} req/s, ` +
        `autocannon ${clientRate.toFixed(0)} req/s (p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms)`,
    );
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(Math.abs(serverRate / target.capacity - 1)).toBeLessThan(0.05);
    expect(Math.abs(clientRate / target.capacity - 1)).toBeLessThan(0.05);
  });
});

describe('go-target: other modes and behaviours', () => {
  it('answers 503 beyond workers + queue', async () => {
    const target = await startGoTarget({ workers: 1, serviceTimeMs: 300, extraArgs: ['-queue', '1'] });
    try {
      const statuses = await Promise.all(Array.from({ length: 5 }, () => getText(`${target.url}/work`).then((r) => r.status)));
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(2);
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    } finally {
      await target.stop();
    }
  });

  it('leak mode: goroutines keep rising under constant moderate load while latency stays flat', async () => {
    // Capacity 3200 req/s; a 2-connection closed loop offers ~350 req/s (inflight <= 2),
    // and with -leak-threshold 0 every request leaks one goroutine for 60 s.
    // (autocannon's overallRate sends once-a-second bursts, so it is not used here.)
    const target = await startGoTarget({
      workers: 16,
      serviceTimeMs: 5,
      mode: 'leak',
      extraArgs: ['-leak-threshold', '0', '-leak-hold', '60s'],
    });
    try {
      const run = autocannon({
        url: `${target.url}/work`,
        connections: 2,
        duration: 2,
        timeout: 5,
      });
      const samples: number[] = [];
      await sleep(400);
      for (let i = 0; i < 4; i++) {
        const stats = await getJson(`${target.url}/stats`);
        samples.push(Number(stats.goroutines));
        await sleep(450);
      }
      const result = await run;
      console.log(`leak mode goroutines: ${samples.join(' ')}; p99 ${result.latency.p99} ms`);
      // Several hundred new goroutines per second over ~1.4 s.
      expect(samples.at(-1)! - samples[0]!).toBeGreaterThan(200);
      for (let i = 1; i < samples.length; i++) {
        expect(samples[i]!).toBeGreaterThan(samples[i - 1]!);
      }
      expect(result.non2xx).toBe(0);
      expect(result.latency.p99).toBeLessThan(40);
      const metrics = await getText(`${target.url}/metrics`);
      const goGoroutines = Number(/^go_goroutines (\d+)$/m.exec(metrics.body)?.[1]);
      expect(goGoroutines).toBeGreaterThan(samples[0]! + 200);
    } finally {
      await target.stop();
    }
  });

  it('stops gracefully on SIGTERM', async () => {
    const target = await startGoTarget({});
    const t0 = performance.now();
    await target.stop();
    expect(performance.now() - t0).toBeLessThan(2_500);
    expect(() => process.kill(target.pid, 0)).toThrow();
  });
});
