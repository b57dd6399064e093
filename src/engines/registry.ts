// One registry of engines: name -> factory. Each engine's config (scenario ->
// what it sends) and construction live in its own folder; adding an engine is
// one folder plus one line here. Every engine honours the same contract
// (types.ts StepContext: budget, abort, liveness, in-flight accounting).
import type { Engine } from '../types.js';
import type { Scenario } from '../scenario/schema.js';
import { createHttpOpenEngine } from './http-open/http-open-config.js';
import { HttpClosedEngine } from './http-closed/http-closed-engine.js';
import { httpClosedConfig } from './http-closed/http-closed-config.js';
import { K6Engine } from './k6/k6-engine.js';
import { k6EngineConfig } from './k6/k6-config.js';
import { GrpcEngine } from './grpc/grpc-engine.js';
import { grpcEngineConfig } from './grpc/grpc-config.js';
import { describeGrpc } from './grpc/grpc-describe.js';
import type { LoadedProto } from './grpc/grpc-proto.js';
import { isGrpcUrl } from '../scenario/grpc-schema.js';

export interface EngineFactoryOptions {
  env: NodeJS.ProcessEnv;
  /** gRPC: the service description prepareEngine fetched (server reflection when grpc.proto is omitted). */
  grpc?: LoadedProto;
}

export type EngineFactory = (s: Scenario, opts: EngineFactoryOptions) => Engine;

export const engines: Record<string, EngineFactory> = {
  'http-open': (s, { env }) => createHttpOpenEngine(s, env),
  'http-closed': (s, { env }) => new HttpClosedEngine(httpClosedConfig(s, env)),
  k6: (s, { env }) => new K6Engine(k6EngineConfig(s, env)),
  grpc: (s, { env, grpc }) => new GrpcEngine(grpcEngineConfig(s, env, grpc)),
};

/** The scenario's engine: load.engine, else chosen by target.url's scheme. */
export function engineName(s: Scenario): string {
  return s.load.engine ?? (isGrpcUrl(s.target.url) ? 'grpc' : s.load.mode === 'concurrency' ? 'http-closed' : 'http-open');
}

export function createEngine(s: Scenario, opts: EngineFactoryOptions): Engine {
  const name = engineName(s);
  const factory = engines[name];
  if (!factory) throw new Error(`no engine named ${name}`);
  return factory(s, opts);
}

/**
 * createEngine after what must be fetched before it: a gRPC scenario's service description (server reflection when
 * grpc.proto is omitted). Throws ScenarioError when the scenario does not fit it, before any load.
 */
export async function prepareEngine(s: Scenario, opts: EngineFactoryOptions): Promise<Engine> {
  const grpc = opts.grpc ?? (engineName(s) === 'grpc' ? await describeGrpc(s, opts.env) : undefined);
  return createEngine(s, { ...opts, grpc });
}
