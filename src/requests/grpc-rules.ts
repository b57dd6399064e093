// Validation of a gRPC request mix against the service description (the
// proto file, or what server reflection returned), before any load: each
// request's method, its message's fields and types, and every message and
// metadata value a data row or placeholder fills in (the whole data file,
// each bad row named by its line). Problems are `<dot.path>: <what is
// wrong>, got <value>`.
import type { Scenario } from '../scenario/schema.js';
import { renderGot } from '../scenario/format-issues.js';
import { findMethod, methodKind, type LoadedProto } from '../engines/grpc/grpc-proto.js';
import { checkMessage } from '../engines/grpc/request-check.js';
import { loadDataFile } from './data-file.js';
import { dataConfigOf, mergedGrpcRequests, needsSource, stringsOf, usedColumns, type MergedGrpcRequest } from './config.js';
import { parseText } from './template.js';
import { compileGrpcRequest } from './grpc-config.js';
import { GrpcRequestSource } from './grpc-source.js';

/** Most row problems listed (like the data file's own). */
const MAX_ROW_PROBLEMS = 20;
/** Sends filled and checked when there is no data file (random placeholders take other values on other sends). */
const SENDS_WITHOUT_DATA = 16;
const HEADER_BAD = /[\r\n\0]/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** True when a value holds a placeholder anywhere (its strings are templates). */
export function hasPlaceholder(value: unknown): boolean {
  return stringsOf(value, '').some(({ text }) => parseText(text).tokens.length > 0);
}

/**
 * Every problem of a gRPC scenario's request mix, data rows and placeholders against the description (none without
 * requests:, data: or placeholders: describedProblems checks the one request). `env` folds ${env:} into messages.
 */
export function grpcMixProblems(proto: LoadedProto, s: Scenario, env: NodeJS.ProcessEnv = {}): string[] {
  const g = s.grpc;
  if (!g || !needsSource(s)) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  const push = (p: string) => {
    if (!seen.has(p)) {
      seen.add(p);
      out.push(p);
    }
  };
  const reqs = mergedGrpcRequests(s);
  const ok: MergedGrpcRequest[] = [];
  for (const r of reqs) {
    const found = findMethod(proto, g.service, r.method.value);
    if (!found.ok) {
      push(
        `${found.field === 'method' ? r.method.at : 'grpc.service'}: ${found.problem}, got ${renderGot(found.field === 'method' ? r.method.value : g.service)}`,
      );
      continue;
    }
    const m = found.method;
    const kind = methodKind(m);
    if (m.requestStream)
      push(`${r.method.at}: ${m.method} is a ${kind} method; critpoint drives unary and server-streaming methods, got ${renderGot(r.method.value)}`);
    if (g.stopLatency === 'first-message' && !m.responseStream)
      push(
        `${r.method.at}: grpc.stopLatency first-message needs every request of the mix to be server-streaming (${m.method} is ${kind}), got ${renderGot(r.method.value)}`,
      );
    // A message without placeholders is checked as written (the section's own request with the section's method is describedProblems').
    if (!hasPlaceholder(r.request.value)) {
      if (r.request.at !== 'grpc.request' || r.method.at !== 'grpc.method') for (const p of checkMessage(m.requestType, r.request.value, r.request.at)) push(p);
    } else ok.push(r);
  }
  const metaTemplated = reqs.some((r) => Object.values(r.metadata.value).some((v) => parseText(v).tokens.some((t) => t.k !== 'env')));
  if (out.length > 0 || (ok.length === 0 && !metaTemplated)) return out;
  return [...out, ...filledProblems(proto, s, env)];
}

/**
 * Fills every templated request with every data row (send r takes row r), or with the first sends without data, and
 * checks the messages against their types and the metadata values as headers. A bad row is named by its line.
 */
function filledProblems(proto: LoadedProto, s: Scenario, env: NodeJS.ProcessEnv): string[] {
  const g = s.grpc!;
  const out: string[] = [];
  let data = null;
  let lines: number[] | null = null;
  if (s.data) {
    const load = loadDataFile(s.data, usedColumns(s));
    // The file's own problems are the request rules' (requests/rules.ts) to report.
    if (!load.ok) return out;
    data = { ...dataConfigOf(s, load.data), order: 'sequential' as const, onEnd: 'wrap' as const };
    lines = load.data.lines;
  }
  const reqs = mergedGrpcRequests(s);
  const specs = reqs.map((r) => compileGrpcRequest(r, g.service, proto, env));
  const src = new GrpcRequestSource(
    { seed: s.load.seed, names: specs.map((x) => x.name), weights: specs.map(() => 1), data, requests: specs, proto: proto.root.toJSON() },
    false,
  );
  const types = reqs.map((r) => {
    const found = findMethod(proto, g.service, r.method.value);
    return found.ok ? found.method.requestType : null;
  });
  const sends = data ? data.rows.length : SENDS_WITHOUT_DATA;
  const where = (i: number) => (lines ? `data.file: line ${lines[i]}: ` : '');
  // The whole file is checked; the first problems are listed, the rest counted.
  let more = 0;
  const fields = new Set<string>();
  const add = (p: string) => {
    if (out.length < MAX_ROW_PROBLEMS) out.push(p);
    else more++;
  };
  for (let i = 0; i < sends; i++) {
    for (let k = 0; k < specs.length; k++) {
      const spec = specs[k]!;
      const type = types[k];
      if (type && !(spec.message instanceof Uint8Array)) {
        const problems = checkMessage(type, src.filled(k, i), reqs[k]!.request.at, [], { textNumbers: true });
        // Without data the same field's problem may come back on every send (other random values): once is enough.
        for (const p of problems) {
          const field = p.slice(0, p.indexOf(':'));
          if (data || !fields.has(field)) add(`${where(i)}${p}`);
          fields.add(field);
        }
      }
      if (src.templatedMetadata(k)) {
        for (const [key, v] of Object.entries(src.metadata(k, i))) {
          const at = `${reqs[k]!.metadata.at}.${key}`;
          if (HEADER_BAD.test(v)) add(`${where(i)}${at}: a metadata value cannot hold a line break or NUL, got ${renderGot(v)}`);
          else if (/-bin$/i.test(key) && !BASE64.test(v)) add(`${where(i)}${at}: a -bin value must be base64, got ${renderGot(v)}`);
        }
      }
    }
  }
  if (more > 0) out.push(`data.file: ${more} more values in later rows do not fit, got ${renderGot(s.data?.file)}`);
  return out;
}
