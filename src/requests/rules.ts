// Validation of the request mix, placeholders and data file, before any load.
// Every problem is `<dot.path>: <what is wrong>, got <value>`; a data row that
// does not fit names its line.
import type { Scenario } from '../scenario/schema.js';
import { isGrpcUrl } from '../scenario/grpc-schema.js';
import { renderGot } from '../scenario/format-issues.js';
import { envRefs } from '../scenario/secrets.js';
import { parseText } from './template.js';
import { loadDataFile, type DataRows } from './data-file.js';
import { compileHttpRequest, dataConfigOf, mergedHttpRequests, needsSource, templatedStrings, usedColumns } from './config.js';
import { HttpRequestSource, type HttpRequestSpec } from './source.js';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const HTTP_ONLY = ['path', 'headers', 'body', 'okStatus'];
const GRPC_ONLY = ['request', 'metadata'];
/** Bytes a path may hold once filled: visible ASCII only (no space, no control character). */
const PATH_OK = /^[\x21-\x7e]*$/;
const HEADER_BAD = /[\r\n\0]/;

export interface RequestRuleOptions {
  env?: NodeJS.ProcessEnv;
  /** Checks a filled gRPC message (grpc-rules gives it the proto's check); problems pushed to out. */
  checkGrpcMessage?: (req: number, message: unknown, at: string, out: string[]) => void;
}

export function checkRequestRules(s: Scenario, opts: RequestRuleOptions = {}): string[] {
  const out: string[] = [];
  const grpc = isGrpcUrl(s.target.url);
  s.requests?.forEach((e, k) => {
    const first = s.requests!.findIndex((x) => x.name === e.name);
    if (first !== k) out.push(`requests.${k}.name: must be unique (requests.${first}.name has it too), got ${renderGot(e.name)}`);
    const o = e as Record<string, unknown>;
    for (const f of grpc ? HTTP_ONLY : GRPC_ONLY)
      if (o[f] !== undefined) out.push(`requests.${k}.${f}: applies to ${grpc ? 'HTTP' : 'gRPC'} targets only, got ${renderGot(o[f])}`);
    if (!grpc && e.method !== undefined && !HTTP_METHODS.includes(e.method))
      out.push(`requests.${k}.method: must be one of ${HTTP_METHODS.join(', ')}, got ${renderGot(e.method)}`);
  });

  const engine = s.load.engine ?? (grpc ? 'grpc' : s.load.mode === 'concurrency' ? 'http-closed' : 'http-open');
  // gRPC: the engine runs the mix on its main thread (grpc-rules.ts refuses a mix on gRPC load threads).
  if (needsSource(s) && !grpc) {
    // k6 states its own limits (k6/export/k6-limits.ts, checked with these rules).
    if (engine !== 'http-open' && engine !== 'http-closed' && engine !== 'k6')
      out.push(
        `load.engine: a request mix, data files and placeholders other than \${env:} run on http-open and http-closed only so far, got ${renderGot(engine)}`,
      );
  }

  const strings = templatedStrings(s);
  for (const { at, text } of strings) {
    const p = parseText(text);
    for (const problem of p.problems) out.push(`${at}: ${problem}, got ${renderGot(text)}`);
    if (!s.data && p.tokens.some((t) => t.k === 'data'))
      out.push(`${at}: \${data:...} needs a data: section (a CSV or JSON Lines file), got ${renderGot(text)}`);
    // Headers and metadata have their own ${env:} check (scenario/rules.ts, grpc-rules.ts).
    const ownCheck = at.startsWith('http.headers') || at.startsWith('grpc.metadata');
    if (opts.env && !ownCheck)
      for (const name of envRefs(text)) if (opts.env[name] === undefined) out.push(`${at}: environment variable ${name} is not set, got ${renderGot(text)}`);
  }

  if (!grpc) {
    for (const r of mergedHttpRequests(s)) {
      // A body and a method both from the http: section are the section's own problem (rules.ts says it once).
      if (r.body.value !== null && (r.method.value === 'GET' || r.method.value === 'HEAD') && (r.method.at !== 'http.method' || r.body.at !== 'http.body'))
        out.push(`${r.body.at}: a ${r.method.value} request (${r.at}) cannot carry a body, got ${renderGot(r.body.value)}`);
    }
  }

  if (out.length > 0) return out;
  if (s.data) {
    const load = loadDataFile(s.data, usedColumns(s));
    if (!load.ok) return load.problems;
    out.push(...rowProblems(s, load.data, grpc, opts));
  }
  return out;
}

/**
 * Fills every request with every row (or once without data) and checks what
 * would be sent: paths and header values sendable, gRPC messages that fit the
 * proto. A bad row is named by its line.
 */
function rowProblems(s: Scenario, data: DataRows, grpc: boolean, opts: RequestRuleOptions): string[] {
  const out: string[] = [];
  const env = opts.env ?? {};
  const where = (r: number) => `line ${data.lines[r]}`;
  // gRPC rows are filled into messages and checked against the service description (grpc-rules.ts, grpcMixProblems).
  if (grpc) return out;
  const url = new URL(s.target.url);
  const specs: HttpRequestSpec[] = mergedHttpRequests(s).map((r) => compileHttpRequest(r, env));
  const merged = mergedHttpRequests(s);
  // Sequential order without wrapping: send r takes row r, so filling send r checks row r.
  const src = new HttpRequestSource({
    seed: s.load.seed,
    names: specs.map((x) => x.name),
    weights: specs.map(() => 1),
    data: { ...dataConfigOf(s, data), order: 'sequential', onEnd: 'wrap' },
    origin: url.origin,
    pathPrefix: '',
    requests: specs,
  });
  for (let r = 0; r < data.rows.length && out.length < 20; r++) {
    for (let req = 0; req < specs.length; req++) {
      const spec = specs[req]!;
      if (typeof spec.path === 'string' && spec.headers.every(([, v]) => typeof v === 'string')) continue;
      const o = src.options(req, r);
      if (!o.path.startsWith('/') || !PATH_OK.test(o.path))
        out.push(
          `data.file: ${where(r)}: ${merged[req]!.path.at} would be ${renderGot(o.path)}, not a valid path (visible ASCII only, starting with /), got row ${renderGot(data.rows[r])}`,
        );
      for (const [name, v] of Object.entries(o.headers as Record<string, string>))
        if (HEADER_BAD.test(v)) out.push(`data.file: ${where(r)}: header ${name} would hold a line break or NUL, got row ${renderGot(data.rows[r])}`);
    }
  }
  return out;
}
