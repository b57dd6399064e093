// k6 points -> the request events critpoint measures. One request is one
// `http_req_duration` (or `grpc_req_duration`) point, stamped at its end;
// `dropped_iterations` are iterations k6 could not start (no free VU: the
// in-flight cap); `vus` is how many VUs k6 had. Every other metric is
// skipped, most without parsing the line (the name is read from its prefix).
import { parseK6Line, pointMetricOf, type K6Point } from './k6-lines.js';

export const STEP_TAG = 'critpoint_step';
export const LOAD_TAG = 'critpoint_load';
/** The request's name (a scenario with a requests: list): the assembler tallies byRequest from it. */
export const REQUEST_TAG = 'critpoint_request';

export interface K6Event {
  type: 'response' | 'failed' | 'dropped' | 'vus';
  /** Epoch ms: end of the request (response/failed), or the sample time. */
  t: number;
  /** Request duration in ms (response/failed), else 0. Sent at t - latencyMs. */
  latencyMs: number;
  ok: boolean;
  /** Error kind of a failed or not-ok request (http-5xx, timeout, connection, grpc-<STATUS>...). */
  kind?: string;
  /** critpoint_step tag, when the script set it. */
  step: number | null;
  /** critpoint_load tag (offered load of the step), when the script set it. */
  load: number | null;
  /** critpoint_request tag (the request's name in the scenario's mix), null when absent. */
  request: string | null;
  /** k6-operator's instance_id tag, '' when absent: VU counts are summed across runners. */
  runner: string;
  /** vus: the gauge's value. */
  value: number;
}

export interface ClassifyOptions {
  /** Statuses that count as success (scenario http.okStatus). Default: 100..399. */
  okStatus?: number[];
  /** A request's own okStatus (its requests: entry's), by name: wins over okStatus for points tagged with that name. */
  requestOkStatus?: ReadonlyMap<string, number[] | undefined>;
}

/** The scenario's request names and each one's success statuses (a requests: list), for ClassifyOptions. */
export function requestOkStatusOf(entries: readonly { name: string; okStatus?: number[] }[]): Map<string, number[] | undefined> {
  return new Map(entries.map((e) => [e.name, e.okStatus]));
}

const INTERESTING = new Set(['http_req_duration', 'grpc_req_duration', 'dropped_iterations', 'vus']);

const GRPC_STATUS = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];
/** Calls that ended without an answer: no latency, like HTTP timeouts (same rule as the gRPC engine). */
const GRPC_NO_ANSWER = new Set([1, 4, 14]);

export function grpcKind(code: number): string {
  return `grpc-${GRPC_STATUS[code] ?? `CODE_${code}`}`;
}

/** k6 error_code of a request with no HTTP status: 1050 request timeout, 1211 dial timeout, 11xx DNS, 12xx TCP, 13xx TLS. */
export function transportKind(errorCode: string | undefined): string {
  const code = Number(errorCode);
  if (code === 1050 || code === 1211) return 'timeout';
  if (code >= 1100 && code < 1400) return 'connection';
  return 'other';
}

function num(tag: string | undefined): number | null {
  if (tag === undefined || tag === '') return null;
  const n = Number(tag);
  return Number.isFinite(n) ? n : null;
}

/** Turns one point into an event, or null for metrics critpoint does not use. */
export function eventOf(p: K6Point, opts: ClassifyOptions = {}): K6Event | null {
  const request = p.tags[REQUEST_TAG] ?? null;
  const base = {
    t: p.time,
    latencyMs: 0,
    ok: false,
    step: num(p.tags[STEP_TAG]),
    load: num(p.tags[LOAD_TAG]),
    request,
    runner: p.tags.instance_id ?? '',
    value: 0,
  };
  switch (p.metric) {
    case 'http_req_duration': {
      const status = Number(p.tags.status ?? '0');
      const latencyMs = Math.max(0, p.value);
      if (!(status > 0)) return { ...base, type: 'failed', latencyMs, kind: transportKind(p.tags.error_code) };
      const okStatus = request !== null && opts.requestOkStatus?.has(request) ? opts.requestOkStatus.get(request) : opts.okStatus;
      const ok = okStatus ? okStatus.includes(status) : status < 400;
      return { ...base, type: 'response', latencyMs, ok, kind: ok ? undefined : `http-${Math.floor(status / 100)}xx` };
    }
    case 'grpc_req_duration': {
      const code = Number(p.tags.status ?? '2');
      const latencyMs = Math.max(0, p.value);
      if (code === 0) return { ...base, type: 'response', latencyMs, ok: true };
      if (GRPC_NO_ANSWER.has(code)) return { ...base, type: 'failed', latencyMs, kind: grpcKind(code) };
      return { ...base, type: 'response', latencyMs, ok: false, kind: grpcKind(code) };
    }
    case 'dropped_iterations':
      return { ...base, type: 'dropped', value: p.value };
    case 'vus':
      return { ...base, type: 'vus', value: p.value };
    default:
      return null;
  }
}

export interface LineStats {
  lines: number;
  points: number;
  events: number;
  malformed: number;
  /** The first few malformed lines: "line 12: not JSON (...)". */
  malformedExamples: string[];
  /** The first line, to tell what kind of file this is. */
  firstLine: string;
}

export const newLineStats = (): LineStats => ({ lines: 0, points: 0, events: 0, malformed: 0, malformedExamples: [], firstLine: '' });

/**
 * Reads one line into an event (or null), counting what it saw. Lines of
 * metrics critpoint ignores are skipped on their prefix alone; anything else
 * is parsed in full, so other key orders and unknown line types still work.
 */
export function eventOfLine(line: string, stats: LineStats, opts: ClassifyOptions = {}): K6Event | null {
  if (stats.lines++ === 0) stats.firstLine = line.slice(0, 200);
  const name = pointMetricOf(line);
  if (name !== null) {
    stats.points++;
    if (!INTERESTING.has(name)) return null;
  }
  const parsed = parseK6Line(line);
  if (parsed.kind === 'malformed') {
    stats.malformed++;
    if (stats.malformedExamples.length < 5) stats.malformedExamples.push(`line ${stats.lines}: ${parsed.reason}`);
    return null;
  }
  if (parsed.kind !== 'point') return null;
  if (name === null) stats.points++;
  const ev = eventOf(parsed, opts);
  if (ev) stats.events++;
  return ev;
}
