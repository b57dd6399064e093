// What one k6 iteration sends, taken from a scenario, with every secret kept
// out of the script: `${env:NAME}` becomes an `env("NAME")` call (k6's
// __ENV, checked at init), and a literal value of a sensitive header becomes a
// variable the user sets (CRITPOINT_HEADER_<NAME>), with a warning.
import type { Scenario } from '../../scenario/schema.js';
import { REDACTED, redactHeaders, redactUrl } from '../../scenario/secrets.js';
import { renderGot } from '../../scenario/format-issues.js';
import { mergedHttpRequests } from '../../requests/config.js';

/** A JS expression for the script: literal text parts JSON-quoted, variables read through env(). */
export type JsExpr = string;

export interface K6HttpRequest {
  protocol: 'http';
  /** Base URL (origin + base path), overridable at run time with CRITPOINT_TARGET. */
  target: string;
  /** The scenario's path as written (the preflight and the engine's description; `${env:}` left unresolved). */
  path: string;
  /** The path as the script builds it: `${env:NAME}` read through env(), never written into the script. */
  pathExpr: JsExpr;
  method: string;
  headers: Record<string, JsExpr>;
  body: JsExpr | null;
  timeoutMs: number;
  okStatus?: number[];
  /** A requests: list: every iteration sends the entry the seeded pick gives its number (the fields above are unused). */
  mix?: K6Mix;
}

/** One entry of the mix, merged over the http: section. */
export interface K6MixEntry {
  name: string;
  weight: number;
  method: string;
  path: JsExpr;
  headers: Record<string, JsExpr>;
  body: JsExpr | null;
  okStatus?: number[];
}

export interface K6Mix {
  /** load.seed: the pick's seed (src/requests/hash.ts). */
  seed: number;
  entries: K6MixEntry[];
}

export interface K6GrpcRequest {
  protocol: 'grpc';
  /** host:port, overridable with CRITPOINT_TARGET. */
  target: string;
  plaintext: boolean;
  /** The .proto file as the scenario names it; the exporter copies it beside the script. None: k6 asks the server (reflection). */
  proto?: string;
  includeDirs: string[];
  /** 'package.Service/Method' */
  method: string;
  request: Record<string, unknown>;
  metadata: Record<string, JsExpr>;
  timeoutMs: number;
}

export type K6Request = K6HttpRequest | K6GrpcRequest;

export interface K6RequestResult {
  request: K6Request;
  /** Environment variables the script reads. */
  envNames: string[];
  /** Literal secrets moved out of the script: variable name -> the scenario's value (for a local k6 run only). */
  secretValues: Record<string, string>;
  warnings: string[];
  /** `<dot.path>: <what is wrong>, got <value>` */
  problems: string[];
}

const REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** "Bearer ${env:TOKEN}" -> `"Bearer " + env("TOKEN")`; collects the names. */
export function envExpression(value: string, names: Set<string>): JsExpr {
  const parts: string[] = [];
  let last = 0;
  for (const m of value.matchAll(REF)) {
    if (m.index > last) parts.push(JSON.stringify(value.slice(last, m.index)));
    names.add(m[1] as string);
    parts.push(`env(${JSON.stringify(m[1])})`);
    last = m.index + m[0].length;
  }
  if (last < value.length || parts.length === 0) parts.push(JSON.stringify(value.slice(last)));
  return parts.join(' + ');
}

export function secretVariable(header: string): string {
  return `CRITPOINT_HEADER_${header.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

/** A body as the script sends it, and the headers with a JSON body's content type. */
function bodyOf(b: Scenario['http']['body'], h: Record<string, string>): { body: string | null; headers: Record<string, string> } {
  const headers = { ...h };
  if (b === null) return { body: null, headers };
  if (typeof b === 'string') return { body: b, headers };
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  return { body: JSON.stringify(b), headers };
}

function headerExprs(
  headers: Record<string, string>,
  path: string,
  names: Set<string>,
  warnings: string[],
  secrets: Record<string, string>,
): Record<string, JsExpr> {
  const out: Record<string, JsExpr> = {};
  const redacted = redactHeaders(headers);
  for (const [k, v] of Object.entries(headers)) {
    if (redacted[k] === REDACTED) {
      const name = secretVariable(k);
      names.add(name);
      secrets[name] = v;
      out[k] = `env(${JSON.stringify(name)})`;
      warnings.push(`${path}.${k}: a literal secret is not written into the script; it reads the environment variable ${name} instead: set it where k6 runs`);
    } else {
      out[k] = envExpression(v, names);
    }
  }
  return out;
}

/** The optional `grpc` section of a scenario (its schema lives with the gRPC engine). */
interface GrpcSectionLike {
  proto?: string;
  includeDirs?: string[];
  service: string;
  method: string;
  request?: Record<string, unknown>;
  metadata?: Record<string, string>;
  deadline?: number;
  tls?: Record<string, unknown>;
}

export function k6RequestFromScenario(s: Scenario): K6RequestResult {
  const names = new Set<string>();
  const warnings: string[] = [];
  const problems: string[] = [];
  const secretValues: Record<string, string> = {};
  const url = new URL(s.target.url);
  if (url.username || url.password) {
    problems.push(
      `target.url: credentials in the URL would be written into the k6 script; send them in a header with \${env:NAME} instead, got ${renderGot(decodeURI(redactUrl(s.target.url)))}`,
    );
  }
  for (const name of [...s.target.url.matchAll(REF)].map((m) => m[1]))
    problems.push(`target.url: \${env:${name}} cannot be exported into the script's URL; use CRITPOINT_TARGET, got ${renderGot(s.target.url)}`);
  const grpc = (s as unknown as { grpc?: GrpcSectionLike }).grpc;
  if (grpc && (url.protocol === 'grpc:' || url.protocol === 'grpcs:')) {
    for (const k of ['ca', 'cert', 'key', 'serverName', 'insecureSkipVerify'] as const) {
      if (grpc.tls && grpc.tls[k] !== undefined && grpc.tls[k] !== false)
        problems.push(`grpc.tls.${k}: not supported by the k6 export (edit the script's client.connect tls parameters), got ${renderGot(grpc.tls[k])}`);
    }
    const request: K6GrpcRequest = {
      protocol: 'grpc',
      target: url.host,
      plaintext: url.protocol === 'grpc:',
      proto: grpc.proto,
      includeDirs: grpc.includeDirs ?? [],
      method: `${grpc.service}/${grpc.method}`,
      request: grpc.request ?? {},
      metadata: headerExprs(grpc.metadata ?? {}, 'grpc.metadata', names, warnings, secretValues),
      timeoutMs: grpc.deadline ?? 10_000,
    };
    warnings.push('gRPC: the script calls the method as unary (k6/net/grpc invoke); a server-streaming method needs k6/experimental/grpc streams');
    return { request, envNames: [...names].sort(), secretValues, warnings, problems };
  }
  const { body, headers } = bodyOf(s.http.body, s.http.headers);
  const request: K6HttpRequest = {
    protocol: 'http',
    target: `${url.origin}${url.pathname.replace(/\/$/, '')}`,
    path: s.http.path,
    pathExpr: envExpression(s.http.path, names),
    method: s.http.method,
    headers: headerExprs(headers, 'http.headers', names, warnings, secretValues),
    body: body === null ? null : envExpression(body, names),
    timeoutMs: s.http.timeout,
    okStatus: s.http.okStatus,
  };
  if (s.requests) {
    request.mix = {
      seed: s.load.seed,
      entries: mergedHttpRequests(s).map((r) => {
        const b = bodyOf(r.body.value, r.headers.value);
        return {
          name: r.name,
          weight: r.weight,
          method: r.method.value,
          path: envExpression(r.path.value, names),
          headers: headerExprs(b.headers, r.headers.at, names, warnings, secretValues),
          body: b.body === null ? null : envExpression(b.body, names),
          ...(r.okStatus ? { okStatus: r.okStatus } : {}),
        };
      }),
    };
  }
  // Entries that inherit the http: section's headers would repeat its warnings.
  return { request, envNames: [...names].sort(), secretValues, warnings: [...new Set(warnings)], problems };
}
