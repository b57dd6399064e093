// A generator-limited gRPC run says what the generator reached, what a call
// cost it and how to get more load; the advice follows the scenario (no
// "try spin" when it already spins, no "try http2" when it is the client).
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { resolveScenario } from '../../src/scenario/load.js';
import { GrpcEngine } from '../../src/engines/grpc/grpc-engine.js';
import { grpcEngineConfig } from '../../src/engines/grpc/grpc-config.js';
import { GO_TARGET_PROTO } from '../helpers/go-target.js';
import { ignoreLiveness } from '../../src/runner/target-watchdog.js';

function engine(port: number, grpc: Record<string, unknown> = {}, load: Record<string, unknown> = {}) {
  const s = resolveScenario({
    name: 'a',
    target: { url: `grpc://127.0.0.1:${port}` },
    grpc: { proto: GO_TARGET_PROTO, service: 'loadtarget.Work', method: 'Do', deadline: '200ms', ...grpc },
    load: { start: 100, end: 200, ...load },
    detect: { window: '100ms', minRequests: 1 },
  });
  return new GrpcEngine(grpcEngineConfig(s, {}));
}

describe('GrpcEngine.generatorAdvice', () => {
  it('names the rate reached, the CPU per call and the next steps that apply', async () => {
    // A closed port: every call fails UNAVAILABLE at once, but the step runs and is costed.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const e = engine(port);
    try {
      expect(e.generatorAdvice()).toMatch(/^no step finished; for more load try load\.pacing: spin/);
      const t0 = performance.now();
      let i = 0;
      const r = await e.runStep(
        { index: 0, phase: 'ramp', load: 200, unit: 'req/s', durationMs: 300, warmupMs: 0, maxRequests: Infinity },
        {
          now: () => performance.now() - t0,
          signal: new AbortController().signal,
          liveness: ignoreLiveness,
          onWindow: () => undefined,
          nextWindowIndex: () => i++,
        },
      );
      expect(r.sent).toBeGreaterThan(40);
      expect(r.errors).toEqual({ 'grpc-UNAVAILABLE': r.sent });
      const advice = e.generatorAdvice();
      expect(advice).toMatch(/^it reached 0 calls\/s at 200 calls\/s offered using \d+ µs of CPU per call/);
      expect(advice).toContain('load.pacing: spin');
      expect(advice).toContain('more grpc.channels (now 4)');
      expect(advice).toContain('critpoint export k6 --parallelism <n>');
      expect(advice).not.toContain('grpc.client');
    } finally {
      await e.close();
    }
  });

  it('suggests the http2 client to a grpc-js run and no spin to a spinning one', () => {
    const advice = engine(1, { client: 'grpc-js' }, { pacing: 'spin' }).generatorAdvice();
    expect(advice).toContain('grpc.client: http2');
    expect(advice).not.toContain('load.pacing: spin');
  });
});
