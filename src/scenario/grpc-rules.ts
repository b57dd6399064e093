// Rules for gRPC scenarios, run at validation time before any load: the URL,
// TLS files, metadata, and everything the .proto can tell (service, method,
// request fields). Each problem is `<dot.path>: <what is wrong>, got <value>`.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Scenario } from './schema.js';
import { isGrpcUrl, type GrpcSection } from './grpc-schema.js';
import { renderGot } from './format-issues.js';
import { resolveTlsPaths, tlsProblems } from './tls-schema.js';
import { missingEnvRefs, redactUrl } from './secrets.js';
import { findMethod, loadProto, methodKind, type LoadedProto } from '../engines/grpc/grpc-proto.js';
import { checkMessage } from '../engines/grpc/request-check.js';
import { GRPC_MIX_ON_THREADS, grpcLoadThreads } from '../engines/grpc/grpc-load-threads.js';
import { needsSource } from '../requests/config.js';
import { CONNECTION_HEADERS } from '../engines/http2-headers.js';
import { grpcMixProblems, hasPlaceholder } from '../requests/grpc-rules.js';

const METADATA_KEY = /^[0-9a-z_.-]+$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Makes the proto, include and TLS paths absolute: relative ones are relative to baseDir (the scenario file's folder). */
export function resolveGrpcPaths(s: Scenario, baseDir: string): Scenario {
  if (!s.grpc) return s;
  const abs = (p: string) => path.resolve(baseDir, p);
  const { tls } = s.grpc;
  return {
    ...s,
    grpc: {
      ...s.grpc,
      proto: s.grpc.proto === undefined ? undefined : abs(s.grpc.proto),
      includeDirs: s.grpc.includeDirs.map(abs),
      tls: resolveTlsPaths(tls, baseDir),
    },
  };
}

function urlProblems(url: URL): string[] {
  const got = renderGot(redactUrl(url.toString()));
  const out: string[] = [];
  if (!url.hostname) out.push(`target.url: a gRPC URL needs a host, e.g. grpc://127.0.0.1:9090, got ${got}`);
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) {
    out.push(`target.url: a gRPC URL is host:port only (the method comes from grpc.service and grpc.method), got ${got}`);
  }
  if (url.username || url.password) out.push(`target.url: credentials in a gRPC URL are not sent; put them in grpc.metadata, got ${got}`);
  return out;
}

function metadataProblems(metadata: Record<string, string>, env: NodeJS.ProcessEnv | undefined, prefix = 'grpc.metadata'): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    const at = `${prefix}.${key}`;
    if (!METADATA_KEY.test(key)) out.push(`${at}: not a valid metadata key (letters, digits, "-", "_", "."), got ${renderGot(key)}`);
    else if (/^grpc-/i.test(key)) out.push(`${at}: keys starting with grpc- are reserved for the gRPC library, got ${renderGot(key)}`);
    else if (CONNECTION_HEADERS.includes(key.toLowerCase()))
      out.push(`${at}: a connection-specific header, which HTTP/2 (and so gRPC) does not allow, got ${renderGot(key)}`);
    // A placeholder's value is checked as each send fills it (grpcMixProblems).
    else if (/-bin$/i.test(key) && !hasPlaceholder(value) && !BASE64.test(value)) out.push(`${at}: a -bin value must be base64, got ${renderGot(value)}`);
  }
  // A requests: entry's ${env:} references are checked with its other fields (requests/rules.ts).
  if (env && prefix === 'grpc.metadata') {
    for (const ref of missingEnvRefs({ grpc: { metadata } }, env))
      out.push(`${ref.path}: environment variable ${ref.name} is not set, got ${renderGot(ref.value)}`);
  }
  return out;
}

function grpcTlsProblems(s: Scenario, url: URL): string[] {
  const tls = s.grpc?.tls;
  if (!tls) return [];
  const out: string[] = [];
  if (url.protocol !== 'grpcs:') out.push(`grpc.tls: only used with a grpcs:// target.url, got ${renderGot(tls)}`);
  return [...out, ...tlsProblems(tls, 'grpc.tls')];
}

function protoProblems(s: Scenario, env: NodeJS.ProcessEnv = {}): string[] {
  const g = s.grpc;
  if (!g) return [];
  const out: string[] = [];
  g.includeDirs.forEach((dir, i) => {
    let ok = false;
    try {
      ok = statSync(dir).isDirectory();
    } catch {
      ok = false;
    }
    if (!ok) out.push(`grpc.includeDirs.${i}: not a folder, got ${renderGot(dir)}`);
  });
  // Without a proto the description comes from server reflection: describedProblems runs on it before any load (grpc-describe.ts).
  if (g.proto === undefined) {
    if (g.includeDirs.length > 0)
      out.push(`grpc.includeDirs: only used with grpc.proto (server reflection sends every file it needs), got ${renderGot(g.includeDirs)}`);
    return out;
  }
  let proto;
  try {
    proto = loadProto(g.proto, g.includeDirs);
  } catch (err) {
    out.push(`grpc.proto: cannot load (${(err as Error).message.split('\n')[0]}), got ${renderGot(g.proto)}`);
    return out;
  }
  out.push(...describedProblems(proto, g), ...grpcMixProblems(proto, s, env));
  return out;
}

/** What the service description (from the proto file or server reflection) says about service, method, stopLatency and request. */
export function describedProblems(proto: LoadedProto, g: GrpcSection): string[] {
  const out: string[] = [];
  const found = findMethod(proto, g.service, g.method);
  if (!found.ok) {
    out.push(`grpc.${found.field}: ${found.problem}, got ${renderGot(g[found.field])}`);
    return out;
  }
  const m = found.method;
  const kind = methodKind(m);
  if (m.requestStream)
    out.push(`grpc.method: ${m.method} is a ${kind} method; critpoint drives unary and server-streaming methods, got ${renderGot(g.method)}`);
  if (g.stopLatency === 'first-message' && !m.responseStream) {
    out.push(`grpc.stopLatency: first-message applies to server-streaming methods only (${m.method} is ${kind}), got "first-message"`);
  }
  // A request with placeholders is checked as each send fills it (grpcMixProblems).
  if (!hasPlaceholder(g.request)) checkMessage(m.requestType, g.request, 'grpc.request', out);
  return out;
}

/** Every problem of the gRPC side of a scenario (none for an HTTP scenario without a grpc section). */
export function checkGrpcRules(s: Scenario, opts: { env?: NodeJS.ProcessEnv } = {}): string[] {
  const grpcUrl = isGrpcUrl(s.target.url);
  const engine = s.load.engine;
  const out: string[] = [];
  if (engine === 'grpc' && !grpcUrl) out.push(`load.engine: the grpc engine needs a grpc:// or grpcs:// target.url, got "grpc"`);
  if (engine !== undefined && engine !== 'grpc' && grpcUrl)
    out.push(`load.engine: ${engine} cannot drive a gRPC target (use grpc or leave it out), got ${renderGot(engine)}`);
  if (!grpcUrl) {
    if (s.grpc) out.push(`grpc: only used with a grpc:// or grpcs:// target.url, got ${renderGot(s.grpc)}`);
    return out;
  }
  const url = new URL(s.target.url);
  out.push(...urlProblems(url));
  // Options of the closed-loop HTTP engine (autocannon) that a gRPC run would silently ignore.
  if (s.load.pipelining !== undefined)
    out.push(`load.pipelining: HTTP/1.1 pipelining does not apply to a gRPC target (calls share the grpc.channels), got ${s.load.pipelining}`);
  // Load threads split a rate schedule over http2 clients (grpc-threads.ts); `auto` falls back to the main thread elsewhere.
  if (typeof s.load.workers === 'number' && s.load.workers > 1) {
    if (s.load.mode !== 'rate')
      out.push(`load.workers: gRPC load threads split a rate schedule; in concurrency mode the gRPC engine runs on the main thread, got ${s.load.workers}`);
    else if (s.grpc?.client === 'grpc-js')
      out.push(`load.workers: grpc.client grpc-js runs on the main thread only (load threads use the http2 client, the default), got ${s.load.workers}`);
  }
  if (grpcLoadThreads(s) > 1 && needsSource(s)) out.push(`load.workers: ${GRPC_MIX_ON_THREADS}, got ${renderGot(s.load.workers)}`);
  if (!s.grpc) {
    out.push(`grpc: required for a ${url.protocol}// target (at least service and method), got nothing`);
    return out;
  }
  out.push(...grpcTlsProblems(s, url), ...metadataProblems(s.grpc.metadata, opts.env), ...protoProblems(s, opts.env));
  s.requests?.forEach((r, k) => {
    if (r.metadata) out.push(...metadataProblems(r.metadata, opts.env, `requests.${k}.metadata`));
  });
  return out;
}
