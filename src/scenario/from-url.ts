// The run command's file-less form and request flags, as hey, vegeta and curl
// users expect them: `critpoint run http://host:port/path -X POST -H "k: v"
// -d @body.json -r 100:5000 -z 5m`. A URL argument becomes a scenario of the
// schema's defaults; the flags change the parsed data of a URL or a file the
// same way, before --set (which wins), and the result goes through the same
// validation as any scenario file.
import { readFileSync, statSync } from 'node:fs';
import { CritpointError, ScenarioError } from '../errors.js';
import { loadScenarioFile, resolveScenario, type LoadOptions, type ScenarioInput } from './load.js';
import type { Scenario } from './schema.js';
import { isGrpcUrl } from './grpc-schema.js';
import { renderGot } from './format-issues.js';
import { redactUrl } from './secrets.js';

export interface RequestFlags {
  /** -X, --method */
  method?: string;
  /** -H, --header "Name: value" (repeatable) */
  header?: string[];
  /** -d, --body text, or @file */
  body?: string;
  /** -r, --rate start:end or end */
  rate?: string;
  /** -z, --max-duration */
  maxDuration?: string;
}

/** A body file is read whole into memory and sent with every request: refuse what cannot be a request body. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
/** RFC 9110 token: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const GRPC_CALL = /^\/([^/]+)\/([^/]+)$/;

export const GRPC_URL_HINT =
  'a grpc:// run names the call in the URL: critpoint run grpc://host:port/package.Service/Method [--set grpc.proto=./service.proto, else server reflection] [-d \'{"field":"value"}\'] [-H "key: value"]; or write a scenario to edit with critpoint init --grpc';

/** True when the run argument is a URL (scheme://...) rather than a file. */
export function isUrlArgument(arg: string): boolean {
  return SCHEME.test(arg);
}

/** A results-folder-safe run name from the URL: 127.0.0.1-8080-work. */
function nameFor(url: URL, path: string): string {
  const name = `${url.hostname}-${url.port || url.protocol.replace(/s?:$/, '')}${path}`
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 64);
  return name || 'run';
}

/** The input-form scenario a URL argument stands for: a name, target.url, and http.path or grpc.service/method. */
export function scenarioFromUrl(arg: string): { data: Record<string, unknown>; problems: string[] } {
  let url: URL;
  try {
    url = new URL(arg);
  } catch {
    // The schema says what a target.url must be.
    return { data: { name: 'run', target: { url: arg } }, problems: [] };
  }
  if (url.username || url.password) {
    const where = isGrpcUrl(arg) ? 'put them in grpc.metadata (-H "authorization: ...")' : 'pass -H "Authorization: ..." (values may use ${env:NAME})';
    return {
      data: { name: 'run', target: { url: url.origin } },
      problems: [`target.url: credentials in the URL are not sent; ${where}, got ${renderGot(redactUrl(arg))}`],
    };
  }
  if (isGrpcUrl(arg)) {
    const call = GRPC_CALL.exec(url.pathname);
    if (!call || url.search || url.hash) {
      // grpc-rules says what is wrong with a path it cannot read as a call.
      return { data: { name: nameFor(url, ''), target: { url: arg } }, problems: [] };
    }
    const [, service, method] = call as unknown as [string, string, string];
    return {
      data: {
        name: nameFor(url, `-${method}`),
        target: { url: `${url.protocol}//${url.host}` },
        grpc: { service: decodeURIComponent(service), method: decodeURIComponent(method) },
      },
      problems: [],
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { data: { name: 'run', target: { url: arg } }, problems: [] };
  const path = `${url.pathname || '/'}${url.search}`;
  return { data: { name: nameFor(url, url.pathname === '/' ? '' : url.pathname), target: { url: url.origin }, http: { path } }, problems: [] };
}

/** The mapping at raw[key], created when absent; null when something else is there. */
function section(raw: Record<string, unknown>, key: string): Record<string, unknown> | null {
  const v = raw[key];
  if (v === undefined || v === null) return (raw[key] = {}) as Record<string, unknown>;
  return typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function parseHeader(text: string): { name: string; value: string } | string {
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon).trim() : '';
  if (!HEADER_NAME.test(name)) return `--header: expected "Name: value" with a header name of letters, digits and !#$%&'*+.^_\`|~-, got ${renderGot(text)}`;
  return { name, value: text.slice(colon + 1).trim() };
}

/** Sets name: value, replacing an entry of the same name in any letter case (one header, not two). */
function setHeader(map: Record<string, unknown>, name: string, value: string): void {
  for (const k of Object.keys(map)) if (k.toLowerCase() === name.toLowerCase()) delete map[k];
  map[name] = value;
}

/** The body text: -d as given, or the file after @ (like curl). */
function bodyText(arg: string): { text: string } | { problem: string } {
  if (!arg.startsWith('@')) return { text: arg };
  const file = arg.slice(1);
  try {
    const st = statSync(file);
    if (!st.isFile()) return { problem: `--body: ${file} is not a file, got ${renderGot(arg)}` };
    if (st.size > MAX_BODY_BYTES) return { problem: `--body: a request body is at most ${MAX_BODY_BYTES} bytes, got ${st.size} bytes in ${file}` };
    return { text: readFileSync(file, 'utf8') };
  } catch (err) {
    return { problem: `--body: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}), got ${renderGot(arg)}` };
  }
}

/** Reads -r: "100:5000" (start:end) or "5000" (end). */
export function parseRate(text: string): { start?: number; end: number } | string {
  const parts = text.split(':');
  const nums = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (parts.length > 2 || nums.some((n) => !Number.isFinite(n) || n <= 0)) {
    return `--rate: expected <start>:<end> or <end>, positive numbers (req/s, or connections with load.mode concurrency), e.g. 100:5000, got ${renderGot(text)}`;
  }
  return nums.length === 2 ? { start: nums[0] as number, end: nums[1] as number } : { end: nums[0] as number };
}

/**
 * Applies the request flags to parsed scenario data (after --target, before --set). An http(s)
 * target takes -X/-H/-d as http.method/headers/body; a grpc(s) target takes -H as grpc.metadata
 * and -d as grpc.request (JSON), and refuses -X (the method is grpc.method). -d without -X
 * makes an HTTP request a POST when the scenario names no method (as curl does).
 */
export function applyRequestFlags(raw: Record<string, unknown>, flags: RequestFlags): string[] {
  const problems: string[] = [];
  const target = raw.target as { url?: unknown } | undefined;
  const grpc = typeof target?.url === 'string' && isGrpcUrl(target.url);
  const headers = flags.header ?? [];
  if (flags.method !== undefined || headers.length > 0 || flags.body !== undefined) {
    const key = grpc ? 'grpc' : 'http';
    const sec = section(raw, key);
    if (!sec) {
      problems.push(`${key}: is not a mapping, cannot apply -X/-H/-d, got ${renderGot(raw[key])}`);
    } else {
      if (flags.method !== undefined) {
        if (grpc)
          problems.push(
            `--method: a gRPC call's method is named in the URL (grpc://host:port/package.Service/Method) or grpc.method, got ${renderGot(flags.method)}`,
          );
        else sec.method = flags.method.toUpperCase();
      }
      if (headers.length > 0) {
        const mapKey = grpc ? 'metadata' : 'headers';
        const existing = sec[mapKey];
        const map = existing && typeof existing === 'object' && !Array.isArray(existing) ? { ...(existing as Record<string, unknown>) } : {};
        for (const h of headers) {
          const parsed = parseHeader(h);
          if (typeof parsed === 'string') problems.push(parsed);
          else setHeader(map, parsed.name, parsed.value);
        }
        sec[mapKey] = map;
      }
      if (flags.body !== undefined) {
        const body = bodyText(flags.body);
        if ('problem' in body) {
          problems.push(body.problem);
        } else if (grpc) {
          let request: unknown;
          try {
            request = JSON.parse(body.text);
          } catch {
            request = undefined;
          }
          if (request && typeof request === 'object' && !Array.isArray(request)) sec.request = request;
          else problems.push(`--body: a gRPC request is a JSON object (the request message, fields in lowerCamelCase), got ${renderGot(body.text)}`);
        } else {
          sec.body = body.text;
          if (flags.method === undefined && sec.method === undefined) sec.method = 'POST';
        }
      }
    }
  }
  if (flags.rate !== undefined || flags.maxDuration !== undefined) {
    const load = section(raw, 'load');
    if (!load) {
      problems.push(`load: is not a mapping, cannot apply -r/-z, got ${renderGot(raw.load)}`);
    } else {
      if (flags.rate !== undefined) {
        const rate = parseRate(flags.rate);
        if (typeof rate === 'string') problems.push(rate);
        else {
          if (rate.start !== undefined) load.start = rate.start;
          load.end = rate.end;
        }
      }
      if (flags.maxDuration !== undefined) load.maxDuration = flags.maxDuration;
    }
  }
  return problems;
}

export interface RunInput extends RequestFlags {
  target?: string;
  sets: string[];
  env?: NodeJS.ProcessEnv;
  /** Where a `-` argument is read from (default process.stdin). */
  stdin?: ScenarioInput;
}

/** The scenario of `critpoint run <scenario-file | URL>`: a file with the flags applied, or a URL made into a scenario. */
export async function loadRunScenario(arg: string, o: RunInput): Promise<Scenario> {
  const patch = (raw: Record<string, unknown>) => applyRequestFlags(raw, o);
  if (!isUrlArgument(arg)) return loadScenarioFile(arg, { target: o.target, sets: o.sets, env: o.env, patch, stdin: o.stdin });
  const source = redactUrl(arg);
  const { data, problems } = scenarioFromUrl(arg);
  if (o.target !== undefined)
    problems.push(`--target: the URL argument is the target of a file-less run; leave --target out, got ${renderGot(redactUrl(o.target))}`);
  const opts: LoadOptions = { sets: o.sets, env: o.env, patch: (raw) => [...problems, ...patch(raw)] };
  try {
    return resolveScenario(data, opts, source);
  } catch (err) {
    if (err instanceof ScenarioError && isGrpcUrl(arg)) throw new CritpointError(err.message, err.code, err.exitCode, GRPC_URL_HINT);
    throw err;
  }
}
