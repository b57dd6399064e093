// From a validated scenario to the gRPC engine's configuration: the proto is
// loaded, the method found and the request encoded once, TLS files read,
// ${env:...} in metadata resolved (for the engine only; outputs keep the text).
import { readFileSync } from 'node:fs';
import type { Scenario } from '../../scenario/schema.js';
import { ScenarioError } from '../../errors.js';
import { resolveHeaders } from '../../scenario/secrets.js';
import { findMethod, loadProto, methodKind } from './grpc-proto.js';
import type { TlsMaterial } from './channel-pool.js';
import type { PacingMode } from '../pacing.js';

export interface GrpcEngineConfig {
  /** target.url as written (for logs; credentials are refused by validation). */
  url: string;
  /** host:port for grpc-js. */
  address: string;
  tls: TlsMaterial | null;
  /** /package.Service/Method */
  path: string;
  /** unary | server-streaming */
  kind: string;
  stream: boolean;
  /** Encoded request message, sent as is with every call. */
  request: Buffer;
  /** Resolved metadata. */
  metadata: Record<string, string>;
  deadlineMs: number;
  channels: number;
  /** grpc.client: http2 or grpc-js. */
  client: 'http2' | 'grpc-js';
  maxInFlight: number;
  arrival: 'uniform' | 'poisson';
  pacing: PacingMode;
  seed: number;
  windowMs: number;
  minRequests: number;
  /** Longest wait for in-flight calls after a step's schedule ends. */
  drainTimeoutMs: number;
  /** Most calls any one step may start. */
  maxRequestsPerStep: number;
}

/** host:port of a grpc:// or grpcs:// URL (default ports 80 and 443). */
export function grpcAddress(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'grpcs:' ? '443' : '80');
  return `${u.hostname}:${port}`;
}

export function grpcEngineConfig(s: Scenario, env: NodeJS.ProcessEnv): GrpcEngineConfig {
  const g = s.grpc;
  if (!g) throw new ScenarioError(['grpc: required for a grpc:// target (at least proto, service and method), got nothing']);
  const proto = loadProto(g.proto, g.includeDirs);
  const found = findMethod(proto, g.service, g.method);
  if (!found.ok) throw new ScenarioError([`grpc.${found.field}: ${found.problem}, got ${JSON.stringify(g[found.field])}`]);
  const m = found.method;
  const secure = new URL(s.target.url).protocol === 'grpcs:';
  const t = g.tls;
  const tls: TlsMaterial | null = secure
    ? {
        ca: t?.ca ? readFileSync(t.ca) : undefined,
        cert: t?.cert ? readFileSync(t.cert) : undefined,
        key: t?.key ? readFileSync(t.key) : undefined,
        serverName: t?.serverName,
        insecureSkipVerify: t?.insecureSkipVerify ?? false,
      }
    : null;
  return {
    url: s.target.url,
    address: grpcAddress(s.target.url),
    tls,
    path: m.path,
    kind: methodKind(m),
    stream: m.responseStream,
    request: m.serialize(g.request),
    metadata: resolveHeaders(g.metadata, env),
    deadlineMs: g.deadline,
    channels: g.channels,
    client: g.client,
    maxInFlight: s.load.maxInFlight,
    arrival: s.load.arrival,
    pacing: s.load.pacing,
    seed: s.load.seed,
    windowMs: s.detect.window,
    minRequests: s.detect.minRequests,
    // Every call ends by its deadline: wait that long (and a timer tick) for the last ones, at most 5 s.
    drainTimeoutMs: Math.min(g.deadline + 20, 5_000),
    maxRequestsPerStep: s.load.maxRequests,
  };
}
