// Writes requests as k6 v0.48 `--out json` lines, in the exact shapes of the
// real output in test/fixtures/k6/out-json.first40.jsonl: a Metric line the
// first time a metric appears, then one Point per metric per request
// (http_reqs, http_req_duration and its phases, http_req_failed, data_*,
// iteration_duration, iterations), all stamped with the request's end.

export interface RecordedRequest {
  /** Epoch ms (fractional) the request ended. */
  endMs: number;
  durationMs: number;
  /** HTTP status; 0 = no response (then errorCode says why). */
  status: number;
  errorCode?: number;
  step: number;
  load: number;
  method?: string;
  url?: string;
  /** More tags on the request's points (e.g. critpoint_request of a mix). */
  tags?: Record<string, string>;
}

const METRICS: Record<string, { type: string; contains: string }> = {
  http_reqs: { type: 'counter', contains: 'default' },
  http_req_duration: { type: 'trend', contains: 'time' },
  http_req_blocked: { type: 'trend', contains: 'time' },
  http_req_connecting: { type: 'trend', contains: 'time' },
  http_req_tls_handshaking: { type: 'trend', contains: 'time' },
  http_req_sending: { type: 'trend', contains: 'time' },
  http_req_waiting: { type: 'trend', contains: 'time' },
  http_req_receiving: { type: 'trend', contains: 'time' },
  http_req_failed: { type: 'rate', contains: 'default' },
  data_sent: { type: 'counter', contains: 'data' },
  data_received: { type: 'counter', contains: 'data' },
  iteration_duration: { type: 'trend', contains: 'time' },
  iterations: { type: 'counter', contains: 'default' },
  dropped_iterations: { type: 'counter', contains: 'default' },
  vus: { type: 'gauge', contains: 'default' },
};

/** Go's RFC 3339 with nanoseconds, UTC. */
export function k6Time(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const iso = new Date(whole).toISOString(); // 2026-11-22T06:14:02.667Z
  const nanos = Math.round((epochMs - whole) * 1e6);
  return `${iso.slice(0, 23)}${String(nanos).padStart(6, '0')}Z`;
}

export class K6LineWriter {
  private readonly seen = new Set<string>();

  constructor(private readonly scenario = 'critpoint') {}

  private metric(name: string): string {
    if (this.seen.has(name)) return '';
    this.seen.add(name);
    const m = METRICS[name]!;
    return `${JSON.stringify({ type: 'Metric', data: { name, type: m.type, contains: m.contains, thresholds: [], submetrics: null }, metric: name })}\n`;
  }

  private point(name: string, time: string, value: number, tags: Record<string, string>): string {
    return `${this.metric(name)}${JSON.stringify({ metric: name, type: 'Point', data: { time, value, tags } })}\n`;
  }

  /** The lines one request produces. */
  request(r: RecordedRequest): string {
    const time = k6Time(r.endMs);
    const ok = r.status >= 100 && r.status < 400;
    const tags: Record<string, string> = {
      critpoint_load: String(r.load),
      critpoint_step: String(r.step),
      ...(r.status === 0 ? { error: 'dial: connection refused', error_code: String(r.errorCode ?? 1212) } : {}),
      expected_response: String(ok),
      group: '',
      method: r.method ?? 'GET',
      name: r.url ?? 'http://127.0.0.1/work',
      proto: r.status === 0 ? '' : 'HTTP/1.1',
      scenario: this.scenario,
      status: String(r.status),
      url: r.url ?? 'http://127.0.0.1/work',
      ...r.tags,
    };
    const d = r.durationMs;
    const plain = { group: '', scenario: this.scenario };
    const iterTime = k6Time(r.endMs + 0.05);
    return [
      this.point('http_reqs', time, 1, tags),
      this.point('http_req_duration', time, d, tags),
      this.point('http_req_blocked', time, 0.004, tags),
      this.point('http_req_connecting', time, 0, tags),
      this.point('http_req_tls_handshaking', time, 0, tags),
      this.point('http_req_sending', time, Math.min(d, 0.03), tags),
      this.point('http_req_waiting', time, Math.max(0, d - 0.06), tags),
      this.point('http_req_receiving', time, Math.min(d, 0.03), tags),
      this.point('http_req_failed', time, ok ? 0 : 1, tags),
      this.point('data_sent', iterTime, 91, plain),
      this.point('data_received', iterTime, r.status === 0 ? 0 : 190, plain),
      this.point('iteration_duration', iterTime, d + 0.2, plain),
      this.point('iterations', iterTime, 1, plain),
    ].join('');
  }

  dropped(atMs: number): string {
    return this.point('dropped_iterations', k6Time(atMs), 1, { scenario: this.scenario });
  }

  vus(atMs: number, n: number): string {
    return this.point('vus', k6Time(atMs), n, {});
  }
}
