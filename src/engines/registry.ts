// One registry of engines: name -> factory. Adding an engine is one folder plus one line here.
import type { Engine } from '../types.js';
import type { Scenario } from '../scenario/schema.js';
import { HttpOpenEngine } from './http-open/http-open-engine.js';
import { HttpClosedEngine } from './http-closed/http-closed-engine.js';
import { resolveHeaders } from '../scenario/secrets.js';
import { K6Engine } from './k6/k6-engine.js';
import { k6EngineConfig } from './k6/k6-config.js';
import { GrpcEngine } from './grpc/grpc-engine.js';
import { grpcEngineConfig } from './grpc/grpc-config.js';
import { isGrpcUrl } from '../scenario/grpc-schema.js';

export interface EngineFactoryOptions {
  env: NodeJS.ProcessEnv;
}

export type EngineFactory = (s: Scenario, opts: EngineFactoryOptions) => Engine;

function httpBody(s: Scenario): { body: string | null; headers: Record<string, string> } {
  const headers = { ...s.http.headers };
  const body = s.http.body;
  if (body === null) return { body: null, headers };
  if (typeof body === 'string') return { body, headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  return { body: JSON.stringify(body), headers };
}

export const engines: Record<string, EngineFactory> = {
  'http-open': (s, { env }) => {
    const { body, headers } = httpBody(s);
    return new HttpOpenEngine({
      url: s.target.url,
      method: s.http.method,
      path: s.http.path,
      headers: resolveHeaders(headers, env),
      body,
      timeoutMs: s.http.timeout,
      okStatus: s.http.okStatus,
      maxInFlight: s.load.maxInFlight,
      arrival: s.load.arrival,
      pacing: s.load.pacing,
      seed: s.load.seed,
      windowMs: s.detect.window,
      minRequests: s.detect.minRequests,
      drainTimeoutMs: Math.min(s.http.timeout, 5_000),
      maxRequestsPerStep: s.load.maxRequests,
    });
  },
  k6: (s, { env }) => new K6Engine(k6EngineConfig(s, env)),
  'http-closed': (s, { env }) => {
    const { body, headers } = httpBody(s);
    return new HttpClosedEngine({
      url: s.target.url,
      method: s.http.method,
      path: s.http.path,
      headers: resolveHeaders(headers, env),
      body,
      timeoutMs: s.http.timeout,
      okStatus: s.http.okStatus,
      pipelining: s.load.pipelining ?? 1,
      workers: s.load.workers ?? 0,
      windowMs: s.detect.window,
      minRequests: s.detect.minRequests,
      drainTimeoutMs: Math.min(s.http.timeout, 5_000),
      maxRequestsPerStep: s.load.maxRequests,
    });
  },
  grpc: (s, { env }) => new GrpcEngine(grpcEngineConfig(s, env)),
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
