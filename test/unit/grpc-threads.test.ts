// Which gRPC scenarios run on load threads (grpc-threads.ts) and how the connections are shared out:
// rate mode on the http2 client splits over load.workers; one thread, concurrency mode and grpc-js
// stay the single-thread engine, unchanged. No load: building an engine starts no thread.
import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../../src/scenario/load.js';
import { createGrpcEngine, grpcLoadThreads, GrpcThreadsEngine, threadConnections } from '../../src/engines/grpc/grpc-threads.js';
import { GrpcEngine } from '../../src/engines/grpc/grpc-engine.js';
import { GO_TARGET_PROTO } from '../helpers/go-target.js';

function scenario(load: Record<string, unknown>, grpc: Record<string, unknown> = {}) {
  return resolveScenario({
    name: 'g',
    target: { url: 'grpc://127.0.0.1:9' },
    grpc: { proto: GO_TARGET_PROTO, service: 'loadtarget.Work', method: 'Do', ...grpc },
    load,
  });
}

describe('gRPC load threads', () => {
  it('rate mode on http2 splits over load.workers; auto is cores - 1', () => {
    expect(grpcLoadThreads(scenario({ workers: 3 }))).toBe(3);
    expect(grpcLoadThreads(scenario({}))).toBe(1);
    expect(grpcLoadThreads(scenario({ workers: 1 }))).toBe(1);
    expect(grpcLoadThreads(scenario({ workers: 'auto' }), 2)).toBe(1);
    expect(grpcLoadThreads(scenario({ workers: 'auto' }), 8)).toBe(7);
  });

  it('concurrency mode and the grpc-js client stay on the main thread (auto falls back to it)', () => {
    expect(grpcLoadThreads(scenario({ mode: 'concurrency', start: 1, end: 4, workers: 'auto' }), 8)).toBe(1);
    expect(grpcLoadThreads(scenario({ workers: 'auto' }, { client: 'grpc-js' }), 8)).toBe(1);
  });

  it('one thread is the single-thread engine; two or more the threaded one', async () => {
    const one = createGrpcEngine(scenario({ workers: 1 }), {});
    const two = createGrpcEngine(scenario({ workers: 2 }), {});
    expect(one).toBeInstanceOf(GrpcEngine);
    expect(two).toBeInstanceOf(GrpcThreadsEngine);
    expect(two.describe()).toContain('node http2 on 2 load threads, 2 connections each');
    await Promise.all([one.close(), two.close()]);
  });

  it('grpc.channels are shared out over the threads, at least one each, and so is the connection ceiling', () => {
    expect(threadConnections({ channels: 4, maxInFlight: 1000 }, 2)).toEqual({ channels: 2, maxConnections: 128 });
    expect(threadConnections({ channels: 1, maxInFlight: 1000 }, 3)).toEqual({ channels: 1, maxConnections: 86 });
    expect(threadConnections({ channels: 5, maxInFlight: 4 }, 2)).toEqual({ channels: 3, maxConnections: 3 });
  });
});
