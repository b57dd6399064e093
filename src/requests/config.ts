// From a validated scenario to the request source's plain config: the
// section's request merged with each `requests:` entry, every string field
// compiled into a template once, the data file's rows read. Without
// `requests:`, `data:` or placeholders there is no source (null) and the
// engines send today's one prepared request.
import { relative } from 'node:path';
import type { Scenario } from '../scenario/schema.js';
import { isGrpcUrl } from '../scenario/grpc-schema.js';
import { compileText, compileValue, jsonTemplate, parseText, type Field } from './template.js';
import { loadDataFile, type DataRows } from './data-file.js';
import type { DataConfig, HttpRequestSpec, HttpSourceConfig } from './source.js';

/** A field's value and the dot path it was written at (the entry's, or the section's when inherited). */
export interface Located<T> {
  value: T;
  at: string;
}

export interface MergedHttpRequest {
  name: string;
  weight: number;
  at: string;
  method: Located<string>;
  path: Located<string>;
  headers: Located<Record<string, string>>;
  body: Located<Scenario['http']['body']>;
  okStatus?: number[];
}

export interface MergedGrpcRequest {
  name: string;
  weight: number;
  at: string;
  method: Located<string>;
  request: Located<Record<string, unknown>>;
  metadata: Located<Record<string, string>>;
}

/** The name of the one request of a scenario without `requests:`. */
export const DEFAULT_REQUEST = 'default';

function pick<T>(entry: Record<string, unknown>, key: string, section: T, sectionName: string, at: string): Located<T> {
  return entry[key] !== undefined ? { value: entry[key] as T, at: `${at}.${key}` } : { value: section, at: `${sectionName}.${key}` };
}

/** The HTTP requests of the mix: each entry over the http: section (one request, 'default', without `requests:`). */
export function mergedHttpRequests(s: Scenario): MergedHttpRequest[] {
  const entries = s.requests ?? [{ name: DEFAULT_REQUEST, weight: 1 }];
  return entries.map((e, k) => {
    const at = s.requests ? `requests.${k}` : 'http';
    const o = e as Record<string, unknown>;
    const okStatus = (o.okStatus as number[] | undefined) ?? s.http.okStatus;
    return {
      name: e.name,
      weight: e.weight,
      at,
      method: pick(o, 'method', s.http.method as string, 'http', at),
      path: pick(o, 'path', s.http.path, 'http', at),
      headers: pick(o, 'headers', s.http.headers, 'http', at),
      body: pick(o, 'body', s.http.body, 'http', at),
      ...(okStatus ? { okStatus } : {}),
    };
  });
}

/** The gRPC requests of the mix: each entry over the grpc: section. */
export function mergedGrpcRequests(s: Scenario): MergedGrpcRequest[] {
  const g = s.grpc;
  if (!g) return [];
  const entries = s.requests ?? [{ name: DEFAULT_REQUEST, weight: 1 }];
  return entries.map((e, k) => {
    const at = s.requests ? `requests.${k}` : 'grpc';
    const o = e as Record<string, unknown>;
    return {
      name: e.name,
      weight: e.weight,
      at,
      method: pick(o, 'method', g.method, 'grpc', at),
      request: pick(o, 'request', g.request, 'grpc', at),
      metadata: pick(o, 'metadata', g.metadata, 'grpc', at),
    };
  });
}

/** Every string of a value with its dot path. */
export function stringsOf(value: unknown, at: string, out: { at: string; text: string }[] = []): { at: string; text: string }[] {
  if (typeof value === 'string') out.push({ at, text: value });
  else if (Array.isArray(value)) value.forEach((v, k) => stringsOf(v, `${at}.${k}`, out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) stringsOf(v, `${at}.${k}`, out);
  return out;
}

/** Every templatable string of the scenario's requests, with its dot path (each field once, where it was written). */
export function templatedStrings(s: Scenario): { at: string; text: string }[] {
  const seen = new Set<string>();
  const out: { at: string; text: string }[] = [];
  const add = (loc: Located<unknown>) => {
    if (seen.has(loc.at)) return;
    seen.add(loc.at);
    stringsOf(loc.value, loc.at, out);
  };
  if (isGrpcUrl(s.target.url)) {
    for (const r of mergedGrpcRequests(s)) {
      add(r.request);
      add(r.metadata);
    }
  } else {
    for (const r of mergedHttpRequests(s)) {
      add(r.path);
      add(r.headers);
      add(r.body);
    }
  }
  return out;
}

/** True when a string holds anything but ${env:} placeholders (those the plain request resolves itself). */
const templated = (text: string, withEnv: boolean) => parseText(text).tokens.some((t) => withEnv || t.k !== 'env');

/** Data columns the requests name, in first-use order. */
export function usedColumns(s: Scenario): string[] {
  const cols = new Set<string>();
  for (const { text } of templatedStrings(s)) for (const t of parseText(text).tokens) if (t.k === 'data') cols.add(t.column);
  return [...cols];
}

/**
 * True when the scenario needs a request source: a mix, a data file, or a
 * placeholder anywhere but ${env:} in headers/metadata (which the one prepared
 * request resolves itself).
 */
export function needsSource(s: Scenario): boolean {
  if (s.requests || s.data) return true;
  const http = !isGrpcUrl(s.target.url);
  return templatedStrings(s).some(({ at, text }) => templated(text, !(http ? at.startsWith('http.headers') : at.startsWith('grpc.metadata'))));
}

/** The data file's rows for the source (validation has checked them). Throws on a problem (a file changed since validation). */
export function dataConfig(s: Scenario): DataConfig | null {
  if (!s.data) return null;
  const load = loadDataFile(s.data, usedColumns(s));
  if (!load.ok) throw new Error(load.problems.join('\n'));
  return dataConfigOf(s, load.data);
}

export function dataConfigOf(s: Scenario, d: DataRows): DataConfig {
  return { columns: d.columns, rows: d.rows, order: s.data?.order ?? 'sequential', onEnd: s.data?.onEnd ?? 'wrap' };
}

function hasContentType(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
}

/** One merged HTTP request compiled (env folded in). */
export function compileHttpRequest(r: MergedHttpRequest, env: NodeJS.ProcessEnv): HttpRequestSpec {
  const headers = { ...r.headers.value };
  const body = r.body.value;
  let bodyField: Field | null = null;
  if (typeof body === 'string') bodyField = compileText(body, env);
  else if (body !== null) {
    if (!hasContentType(headers)) headers['content-type'] = 'application/json';
    bodyField = jsonTemplate(compileValue(body, env));
  }
  return {
    name: r.name,
    method: r.method.value,
    path: compileText(r.path.value, env),
    pathAsWritten: r.path.value,
    headers: Object.entries(headers).map(([k, v]): [string, Field] => [k, compileText(v, env)]),
    body: bodyField,
    ...(r.okStatus ? { okStatus: r.okStatus } : {}),
  };
}

/** The HTTP request source's config, or null when the scenario sends one plain request (today's path). */
export function httpSourceConfig(s: Scenario, env: NodeJS.ProcessEnv, data: DataConfig | null = dataConfig(s)): HttpSourceConfig | null {
  if (!needsSource(s)) return null;
  const url = new URL(s.target.url);
  const reqs = mergedHttpRequests(s);
  return {
    seed: s.load.seed,
    names: reqs.map((r) => r.name),
    weights: reqs.map((r) => r.weight),
    data,
    origin: url.origin,
    pathPrefix: url.pathname.replace(/\/$/, ''),
    requests: reqs.map((r) => compileHttpRequest(r, env)),
  };
}

/** Most requests the data allows (data.onEnd stop: its row count), else undefined. */
export function sendLimitOf(s: Scenario): number | undefined {
  if (s.data?.onEnd !== 'stop') return undefined;
  const load = loadDataFile(s.data, usedColumns(s));
  return load.ok ? load.data.rows.length : undefined;
}

/** The plan's lines about the mix and the data file ('' lines left out), for validate and --dry-run. */
export function requestPlanLines(s: Scenario): string[] {
  const out: string[] = [];
  if (s.requests && s.requests.length > 1) {
    const total = s.requests.reduce((a, r) => a + r.weight, 0);
    const shares = s.requests.map((r) => `${r.name} ${((r.weight / total) * 100).toFixed(r.weight / total < 0.1 ? 1 : 0)}%`).join(', ');
    out.push(`  mix: ${shares}, picked per send by load.seed ${s.load.seed}`);
  }
  if (s.data) {
    const load = loadDataFile(s.data, usedColumns(s));
    const rows = load.ok ? `${load.data.rows.length} rows` : 'rows not readable';
    const end = s.data.onEnd === 'stop' ? 'one send per row, then the run ends' : 'wrapping after the last row';
    out.push(`  data: ${relative(process.cwd(), s.data.file) || s.data.file}: ${rows}, ${s.data.order}, ${end}`);
  }
  return out;
}
