// The service description a gRPC run sends with, fetched once before any load:
// the .proto file when grpc.proto is given, else server reflection. Reflection
// results are checked like a proto file's (service, method, request fields),
// so a scenario that names what the server does not have fails here, with what
// reflection returned, and sends nothing.
import { readFileSync } from 'node:fs';
import type { Scenario } from '../../scenario/schema.js';
import { ScenarioError, TargetUnreachableError } from '../../errors.js';
import { describedProblems } from '../../scenario/grpc-rules.js';
import { grpcMixProblems } from '../../requests/grpc-rules.js';
import { resolveEnv } from '../../scenario/secrets.js';
import { loadProto, protoFromDescriptors, reflectionName, type LoadedProto } from './grpc-proto.js';
import { reflect, ReflectionError } from './grpc-reflection.js';
import type { TlsMaterial } from './channel-pool.js';

/** Bound on the whole reflection exchange (connect, list, files). */
export const REFLECTION_TIMEOUT_MS = 5_000;

/** host:port of a grpc:// or grpcs:// URL (default ports 80 and 443). */
export function grpcAddress(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'grpcs:' ? '443' : '80');
  return `${u.hostname}:${port}`;
}

/** The TLS files of grpc.tls, read (null for a grpc:// target). */
export function grpcTlsMaterial(s: Scenario): TlsMaterial | null {
  if (new URL(s.target.url).protocol !== 'grpcs:') return null;
  const t = s.grpc?.tls;
  return {
    ca: t?.ca ? readFileSync(t.ca) : undefined,
    cert: t?.cert ? readFileSync(t.cert) : undefined,
    key: t?.key ? readFileSync(t.key) : undefined,
    serverName: t?.serverName,
    insecureSkipVerify: t?.insecureSkipVerify ?? false,
  };
}

/**
 * The description of a validated gRPC scenario. Throws ScenarioError (`<dot.path>: <problem>, got <value>`) when the
 * service, method or request does not fit what the server's reflection returned, or the server offers no reflection;
 * TargetUnreachableError when the server cannot be reached.
 */
export async function describeGrpc(s: Scenario, env: NodeJS.ProcessEnv = {}): Promise<LoadedProto> {
  const g = s.grpc;
  if (!g) throw new ScenarioError(['grpc: required for a grpc:// target (at least service and method), got nothing']);
  if (g.proto !== undefined) return loadProto(g.proto, g.includeDirs);
  // Metadata goes along (servers may guard reflection like their methods); a reference not set here is left out.
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(g.metadata)) {
    const r = resolveEnv(v, env);
    if (r.missing.length === 0) metadata[k] = r.value;
  }
  let reflected;
  try {
    reflected = await reflect({ address: grpcAddress(s.target.url), tls: grpcTlsMaterial(s), metadata, timeoutMs: REFLECTION_TIMEOUT_MS }, g.service);
  } catch (err) {
    if (!(err instanceof ReflectionError)) throw err;
    if (err.kind === 'unreachable') throw new TargetUnreachableError(s.target.url, `server reflection: ${err.message}`);
    const why = err.kind === 'unimplemented' ? `${err.message}; give the service's .proto file` : `server reflection failed (${err.message})`;
    throw new ScenarioError([`grpc.proto: omitted, and ${why}, got nothing`]);
  }
  const source = reflected.version === 'v1' ? 'reflection-v1' : 'reflection-v1alpha';
  let proto: LoadedProto;
  try {
    proto = protoFromDescriptors(reflected.files, source, reflected.services);
  } catch (err) {
    throw new ScenarioError([
      `grpc.proto: omitted, and the descriptors server reflection returned do not load (${(err as Error).message.split('\n')[0]}), got nothing`,
    ]);
  }
  const problems = [...describedProblems(proto, g), ...grpcMixProblems(proto, s, env)];
  if (problems.length > 0) throw new ScenarioError(problems);
  return proto;
}

/** One line for the user: where the description came from and what it holds for the service. */
export function describeReflected(proto: LoadedProto, service: string): string {
  const svc = proto.root.lookup(service) as { methods?: Record<string, unknown> } | null;
  const methods = Object.keys(svc?.methods ?? {});
  const from = proto.source === 'proto-file' ? (proto.file ?? 'the proto file') : `server reflection (${reflectionName(proto.source)})`;
  return `service description from ${from}: ${service} (methods: ${methods.join(', ') || 'none'})`;
}
