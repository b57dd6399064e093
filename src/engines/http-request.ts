// The request both HTTP engines send, from the scenario: body as text (a JSON
// body serialized, with its content type unless one is set) and headers with
// their ${env:NAME} references resolved.
import type { Scenario } from '../scenario/schema.js';
import { resolveHeaders } from '../scenario/secrets.js';
import type { ResponseCheckConfig } from './response-check.js';

export interface HttpRequestConfig {
  url: string;
  method: string;
  path: string;
  /** Headers with ${env:...} already resolved. */
  headers: Record<string, string>;
  body: string | null;
  timeoutMs: number;
  okStatus?: number[];
  /** http.check: a sampled body check; absent = no body is read. */
  check?: ResponseCheckConfig;
  /** Longest wait for in-flight requests after a step stops sending. */
  drainTimeoutMs: number;
}

function httpBody(s: Scenario): { body: string | null; headers: Record<string, string> } {
  const headers = { ...s.http.headers };
  const body = s.http.body;
  if (body === null) return { body: null, headers };
  if (typeof body === 'string') return { body, headers };
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  return { body: JSON.stringify(body), headers };
}

export function httpRequestOf(s: Scenario, env: NodeJS.ProcessEnv): HttpRequestConfig {
  const { body, headers } = httpBody(s);
  return {
    url: s.target.url,
    method: s.http.method,
    path: s.http.path,
    headers: resolveHeaders(headers, env),
    body,
    timeoutMs: s.http.timeout,
    ...(s.http.okStatus ? { okStatus: s.http.okStatus } : {}),
    ...(s.http.check ? { check: s.http.check } : {}),
    drainTimeoutMs: Math.min(s.http.timeout, 5_000),
  };
}
