// Records a real open-loop run of an exported k6 plan against a real local
// target, writing every request in k6's JSON line shapes (k6-format.ts), as a
// k6 run of the exported script would: rate steps on the arrival-rate
// schedule, drains at rate 0, http_req_duration from the actual send, a
// dropped_iterations point when the in-flight cap (maxVUs) is reached, a vus
// point per second. Bounded: the plan's length plus a drain of in-flight requests.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { runPacing } from '../../src/engines/pacing.js';
import { uniformPacer } from '../../src/load/rate-schedule.js';
import type { K6Plan } from '../../src/k6/export/k6-plan.js';
import { K6LineWriter } from './k6-format.js';

export interface RecordOptions {
  /** http://127.0.0.1:port (loopback only). */
  origin: string;
  path: string;
  plan: K6Plan;
  out: string;
  maxInFlight: number;
  timeoutMs: number;
}

export interface Recording {
  file: string;
  requests: number;
  dropped: number;
  lines: number;
}

const TRANSPORT: Record<string, number> = {
  ECONNREFUSED: 1212,
  ECONNRESET: 1220,
  UND_ERR_HEADERS_TIMEOUT: 1050,
  UND_ERR_BODY_TIMEOUT: 1050,
  UND_ERR_CONNECT_TIMEOUT: 1211,
};

export async function recordK6Run(o: RecordOptions): Promise<Recording> {
  const host = new URL(o.origin).hostname;
  if (host !== '127.0.0.1' && host !== '[::1]' && host !== 'localhost') throw new Error(`recordK6Run sends load to loopback only, got ${o.origin}`);
  const pool = new Pool(o.origin, { connections: o.maxInFlight, pipelining: 1, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs });
  const stream = createWriteStream(o.out);
  const w = new K6LineWriter();
  const epoch0 = Date.now();
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  let inFlight = 0;
  let requests = 0;
  let dropped = 0;
  let lines = 0;
  const write = (text: string) => {
    lines += text.split('\n').length - 1;
    stream.write(text);
  };
  const signal = new AbortController().signal;
  const vusTimer = setInterval(() => write(w.vus(epoch0 + now(), inFlight)), 1000);
  for (const st of o.plan.steps) {
    const wait = st.startMs - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await runPacing({
      pacer: uniformPacer(st.load),
      startAt: st.startMs,
      durationMs: st.endMs - st.startMs,
      now,
      signal,
      maxRequests: 1_000_000,
      send: () => {
        if (inFlight >= o.maxInFlight) {
          dropped++;
          write(w.dropped(epoch0 + now()));
          return;
        }
        inFlight++;
        const sentAt = now();
        const done = (status: number, errorCode?: number) => {
          inFlight--;
          requests++;
          const end = now();
          write(w.request({ endMs: epoch0 + end, durationMs: end - sentAt, status, errorCode, step: st.index, load: st.load, url: `${o.origin}${o.path}` }));
        };
        pool.request({ origin: o.origin, path: o.path, method: 'GET' }).then(
          (res) =>
            res.body.dump().then(
              () => done(res.statusCode),
              (err: { code?: string }) => done(0, TRANSPORT[err.code ?? ''] ?? 1000),
            ),
          (err: { code?: string }) => done(0, TRANSPORT[err.code ?? ''] ?? 1000),
        );
      },
    });
  }
  const deadline = now() + o.timeoutMs;
  while (inFlight > 0 && now() < deadline) await new Promise((r) => setTimeout(r, 20));
  clearInterval(vusTimer);
  await pool.destroy();
  stream.end();
  await once(stream, 'finish');
  return { file: o.out, requests, dropped, lines };
}
