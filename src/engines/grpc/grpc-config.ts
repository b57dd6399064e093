// From a validated scenario to the gRPC engine's configuration: the proto is
// loaded, the method found and the request encoded once, TLS files read,
// ${env:...} in metadata resolved (for the engine only; outputs keep the text).
import type { Scenario } from '../../scenario/schema.js';
import type { ServiceDescription } from '../../types.js';
import { ScenarioError } from '../../errors.js';
import { resolveHeaders } from '../../scenario/secrets.js';
import { findMethod, loadProto, methodKind, reflectionName, type LoadedProto } from './grpc-proto.js';
import { grpcAddress, grpcTlsMaterial } from './grpc-describe.js';
import type { TlsMaterial } from './channel-pool.js';
import type { PacingMode } from '../pacing.js';
import { grpcSourceConfig } from '../../requests/grpc-config.js';
import { GrpcRequestSource, type GrpcSourceConfig } from '../../requests/grpc-source.js';

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
  /**
   * The request mix, data rows and placeholders (plain data), or null/absent for the one prepared call above.
   * With a mix, path/kind/stream/request/metadata above are its first request as send 0 carries it (the preflight's call).
   */
  requests?: GrpcSourceConfig | null;
  /** Where the service description came from (summary.json serviceDescription). */
  description?: ServiceDescription;
}

export { grpcAddress };

/** described: the description describeGrpc fetched (needed when grpc.proto is omitted; the proto file is loaded otherwise). */
export function grpcEngineConfig(s: Scenario, env: NodeJS.ProcessEnv, described?: LoadedProto): GrpcEngineConfig {
  const g = s.grpc;
  if (!g) throw new ScenarioError(['grpc: required for a grpc:// target (at least service and method), got nothing']);
  if (!described && g.proto === undefined)
    throw new ScenarioError([
      'grpc.proto: omitted, so the description comes from server reflection, which prepareEngine fetches before the engine is built, got nothing',
    ]);
  const proto = described ?? loadProto(g.proto as string, g.includeDirs);
  const found = findMethod(proto, g.service, g.method);
  if (!found.ok) throw new ScenarioError([`grpc.${found.field}: ${found.problem}, got ${JSON.stringify(g[found.field])}`]);
  const m = found.method;
  const tls: TlsMaterial | null = grpcTlsMaterial(s);
  const requests = grpcSourceConfig(s, env, proto);
  const first = requests ? firstCall(requests) : null;
  return {
    url: s.target.url,
    address: grpcAddress(s.target.url),
    tls,
    path: first ? first.path : m.path,
    kind: first ? (first.stream ? 'server-streaming' : 'unary') : methodKind(m),
    stream: first ? first.stream : m.responseStream,
    request: first ? first.request : m.serialize(g.request),
    metadata: first ? first.metadata : resolveHeaders(g.metadata, env),
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
    requests,
    description: descriptionOf(proto, g.includeDirs),
  };
}

/** Where a loaded description came from, for summary.json. */
export function descriptionOf(proto: LoadedProto, includeDirs: readonly string[]): ServiceDescription {
  if (proto.source === 'proto-file') return { source: 'proto-file', files: [...(proto.file ? [proto.file] : []), ...includeDirs] };
  return { source: 'server-reflection', reflectionApi: reflectionName(proto.source) as 'grpc.reflection.v1' | 'grpc.reflection.v1alpha' };
}

/** The mix's first request as send 0 carries it: the call the preflight makes. */
function firstCall(cfg: GrpcSourceConfig): { path: string; stream: boolean; request: Buffer; metadata: Record<string, string> } {
  const src = new GrpcRequestSource(cfg, false);
  const r = cfg.requests[0]!;
  return { path: r.path, stream: r.stream, request: src.message(0, 0), metadata: src.metadata(0, 0) };
}
