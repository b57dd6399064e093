// One line of k6's `--out json` output (NDJSON), parsed tolerantly. k6 writes
// two kinds of line: `{"type":"Metric",...}` declares a metric the first time
// it is seen; `{"metric":"<name>","type":"Point","data":{time,value,tags,metadata?}}`
// is one sample. Unknown metrics, unknown line types, `metadata` and extra
// fields are accepted; only a line that is not JSON at all is malformed.

export interface K6Point {
  kind: 'point';
  metric: string;
  /** Sample time, ms since the Unix epoch, with the microseconds k6 writes kept as a fraction. */
  time: number;
  value: number;
  tags: Record<string, string>;
}

export interface K6MetricLine {
  kind: 'metric';
  metric: string;
  /** counter | gauge | rate | trend */
  metricType: string;
}

export type K6Line = K6Point | K6MetricLine | { kind: 'other' } | { kind: 'malformed'; reason: string };

const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;

/** RFC 3339 time with up to nanoseconds (k6/Go style) -> epoch ms with a fractional part. NaN when invalid. */
export function parseK6Time(text: string): number {
  const m = TIME.exec(text);
  if (!m) return NaN;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  const frac = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return whole + frac;
}

const PREFIX = /^\{"metric":"([^"\\]+)","type":"Point"/;

/**
 * The metric name of a Point line read from its first bytes, without parsing
 * the JSON (k6 writes `metric` first). Null when the line does not start that
 * way: the caller then parses it in full.
 */
export function pointMetricOf(line: string): string | null {
  const m = PREFIX.exec(line);
  return m ? (m[1] as string) : null;
}

function stringTags(raw: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!raw || typeof raw !== 'object') return tags;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v === 'string') tags[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') tags[k] = String(v);
  }
  return tags;
}

/** Parses one line. Blank lines are 'other'. */
export function parseK6Line(line: string): K6Line {
  const text = line.trim();
  if (text === '') return { kind: 'other' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { kind: 'malformed', reason: `not JSON (${(err as Error).message})` };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { kind: 'malformed', reason: 'not a JSON object' };
  const o = v as Record<string, unknown>;
  const data = (o.data && typeof o.data === 'object' ? o.data : {}) as Record<string, unknown>;
  if (o.type === 'Metric') {
    const metric = typeof o.metric === 'string' ? o.metric : typeof data.name === 'string' ? data.name : '';
    return { kind: 'metric', metric, metricType: typeof data.type === 'string' ? data.type : 'unknown' };
  }
  if (o.type !== 'Point') return { kind: 'other' };
  if (typeof o.metric !== 'string') return { kind: 'malformed', reason: 'Point without a metric name' };
  const time = typeof data.time === 'string' ? parseK6Time(data.time) : NaN;
  const value = typeof data.value === 'number' ? data.value : NaN;
  if (!Number.isFinite(time)) return { kind: 'malformed', reason: `Point of ${o.metric} without a valid time` };
  if (!Number.isFinite(value)) return { kind: 'malformed', reason: `Point of ${o.metric} without a numeric value` };
  return { kind: 'point', metric: o.metric, time, value, tags: stringTags(data.tags) };
}
