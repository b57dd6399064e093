// One registry of engines: name -> how to load its factory. Each engine's config
// (scenario -> what it sends) and construction live in its own folder; adding an
// engine is one folder plus one line here. An engine's module is imported only
// when a scenario uses it: the gRPC client (grpc-js, protobufjs) and autocannon
// cost tens of MB of memory and most of the start-up time, which an HTTP run
// should not pay. Every engine honours the same contract (types.ts StepContext:
// budget, abort, liveness, in-flight accounting).
import type { Engine } from '../types.js';
import type { Scenario } from '../scenario/schema.js';
import type { LoadedProto } from './grpc/grpc-proto.js';
import { isGrpcUrl } from '../scenario/grpc-schema.js';

export interface EngineFactoryOptions {
  env: NodeJS.ProcessEnv;
  /** gRPC: the service description prepareEngine fetched (server reflection when grpc.proto is omitted). */
  grpc?: LoadedProto;
}

export type EngineFactory = (s: Scenario, opts: EngineFactoryOptions) => Engine;

/** name -> its factory, imported on first use. */
export const engines: Record<string, () => Promise<EngineFactory>> = {
  'http-open': async () => {
    const { createHttpOpenEngine } = await import('./http-open/http-open-config.js');
    return (s, { env }) => createHttpOpenEngine(s, env);
  },
  'http-closed': async () => {
    const [{ HttpClosedEngine }, { httpClosedConfig }] = await Promise.all([
      import('./http-closed/http-closed-engine.js'),
      import('./http-closed/http-closed-config.js'),
    ]);
    return (s, { env }) => new HttpClosedEngine(httpClosedConfig(s, env));
  },
  k6: async () => {
    const [{ K6Engine }, { k6EngineConfig }] = await Promise.all([import('./k6/k6-engine.js'), import('./k6/k6-config.js')]);
    return (s, { env }) => new K6Engine(k6EngineConfig(s, env));
  },
  grpc: async () => {
    const { createGrpcEngine } = await import('./grpc/grpc-threads.js');
    return (s, { env, grpc }) => createGrpcEngine(s, env, grpc);
  },
};

/** The scenario's engine: load.engine, else chosen by target.url's scheme. */
export function engineName(s: Scenario): string {
  return s.load.engine ?? (isGrpcUrl(s.target.url) ? 'grpc' : s.load.mode === 'concurrency' ? 'http-closed' : 'http-open');
}

/** The scenario's engine, built (its module imported first when this run has not used it yet). */
export async function createEngine(s: Scenario, opts: EngineFactoryOptions): Promise<Engine> {
  const name = engineName(s);
  const load = engines[name];
  if (!load) throw new Error(`no engine named ${name}`);
  return (await load())(s, opts);
}

/**
 * createEngine after what must be fetched before it: a gRPC scenario's service description (server reflection when
 * grpc.proto is omitted). Throws ScenarioError when the scenario does not fit it, before any load.
 */
export async function prepareEngine(s: Scenario, opts: EngineFactoryOptions): Promise<Engine> {
  const grpc = opts.grpc ?? (engineName(s) === 'grpc' ? await (await import('./grpc/grpc-describe.js')).describeGrpc(s, opts.env) : undefined);
  return createEngine(s, { ...opts, grpc });
}
