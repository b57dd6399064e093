// ${env:NAME} references: resolved at run time for the engine only; outputs
// keep the reference text, and literal values of sensitive headers are masked.

const REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const SENSITIVE = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)$/i;
export const REDACTED = '[redacted]';

export function envRefs(value: string): string[] {
  return [...value.matchAll(REF)].map((m) => m[1] as string);
}

/** Replaces every ${env:NAME}; returns the names that are not set. */
export function resolveEnv(value: string, env: NodeJS.ProcessEnv): { value: string; missing: string[] } {
  const missing: string[] = [];
  const out = value.replace(REF, (_, name: string) => {
    const v = env[name];
    if (v === undefined) {
      missing.push(name);
      return '';
    }
    return v;
  });
  return { value: out, missing };
}

/** Walks a plain value and lists [dot.path, missing var] for every unresolved reference. */
export function missingEnvRefs(root: unknown, env: NodeJS.ProcessEnv, path: string[] = []): { path: string; name: string; value: string }[] {
  const out: { path: string; name: string; value: string }[] = [];
  if (typeof root === 'string') {
    for (const name of envRefs(root)) if (env[name] === undefined) out.push({ path: path.join('.'), name, value: root });
  } else if (Array.isArray(root)) {
    root.forEach((v, i) => out.push(...missingEnvRefs(v, env, [...path, String(i)])));
  } else if (root && typeof root === 'object') {
    for (const [k, v] of Object.entries(root)) out.push(...missingEnvRefs(v, env, [...path, k]));
  }
  return out;
}

/** Headers with references resolved, for the engine only. */
export function resolveHeaders(headers: Record<string, string>, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = resolveEnv(v, env).value;
  return out;
}

/** Header map for outputs: references stay as written, literal sensitive values are masked. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = SENSITIVE.test(k) && envRefs(v).length === 0 ? REDACTED : v;
  }
  return out;
}

/** Masks user:password@ in URLs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = REDACTED;
    return u.toString();
  } catch {
    return url;
  }
}

/** A deep copy of a scenario fit for summary.json, CSVs, HTML and logs. */
export function redactScenario<T>(scenario: T): T {
  const copy = structuredClone(scenario) as Record<string, unknown>;
  const http = copy.http as { headers?: Record<string, string> } | undefined;
  if (http?.headers) http.headers = redactHeaders(http.headers);
  const grpc = copy.grpc as { metadata?: Record<string, string> } | undefined;
  if (grpc?.metadata) grpc.metadata = redactHeaders(grpc.metadata);
  const target = copy.target as { url?: string } | undefined;
  if (target?.url) target.url = redactUrl(target.url);
  return copy as T;
}
