// HTTP/2 next to HTTP/1.1 on the paced open-loop engine: the generator's CPU
// per request and the highest rate it keeps on schedule (achieved/offered
// >= 0.98, send-lag p99 <= 2 ms, timer pacing) for h1 and h2c on one Go
// fixture (-h2c serves both on one port), and h1 and h2 over TLS on another
// (-tls-cert). Protocols are interleaved at each rate (h1, h2, h1, h2, ...) so
// a busy spell of the machine weighs on both; figures are medians.
// `npm run bench -- http2-engine`; paced-engine.ts can call http2Comparison().
import { measureStep } from './lib/paced-step.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median } from 'simple-statistics';
import { HttpOpenEngine } from '../src/engines/http-open/http-open-engine.js';
import { readTls } from '../src/scenario/tls-schema.js';
import { goTargetAvailable, startGoTarget, type GoTarget } from '../test/helpers/go-target.js';
import { selfSignedCert } from '../test/helpers/test-certs.js';
import type { BenchResult } from './types.js';
import { runIfMain } from './lib/standalone.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const STEP_MS = 3_000;
const RATES = [1000, 2000, 4000, 6000, 8000, 10000];

interface Proto {
  name: string;
  url: string;
  version: '1.1' | '2';
  ca?: string;
}

async function pacedStep(p: Proto, rate: number) {
  const engine = new HttpOpenEngine({
    url: p.url,
    method: 'GET',
    path: '/fast',
    headers: {},
    body: null,
    timeoutMs: 5_000,
    maxInFlight: 1000,
    arrival: 'uniform',
    pacing: 'timer',
    seed: 1,
    windowMs: 1000,
    minRequests: 1,
    drainTimeoutMs: 2_000,
    version: p.version,
    streams: 100,
    tls: p.ca ? readTls({ ca: p.ca, insecureSkipVerify: false }) : null,
  });
  try {
    const m = await measureStep(engine, rate, STEP_MS);
    const conn = engine.connectionReport();
    return {
      ratio: m.ratio,
      lag: m.lag,
      usPerReq: m.usPerReq,
      negotiated: conn.negotiated,
      opened: conn.opened,
    };
  } finally {
    await engine.close();
  }
}

/** The h1 vs h2 rows and notes; starts and stops its own Go fixtures (skipped without the built fixture). */
export async function http2Comparison(): Promise<{ rows: Record<string, string | number>[]; notes: string[] }> {
  if (!goTargetAvailable()) return { rows: [], notes: ['http2: skipped, the Go fixture is not built (bash scripts/build-go-fixture.sh)'] };
  const tmp = mkdtempSync(path.join(tmpdir(), 'critpoint-bench-h2-'));
  const cert = selfSignedCert(tmp, 'critpoint-bench');
  const targets: GoTarget[] = [];
  try {
    const h2c = await startGoTarget({ workers: 8, serviceTimeMs: 1, h2c: true });
    targets.push(h2c);
    const tls = await startGoTarget({ workers: 8, serviceTimeMs: 1, tls: { cert: cert.cert, key: cert.key } });
    targets.push(tls);
    const pairs: [Proto, Proto][] = [
      [
        { name: 'h1 (http)', url: h2c.url, version: '1.1' },
        { name: 'h2c', url: h2c.url, version: '2' },
      ],
      [
        { name: 'h1 over TLS', url: tls.url, version: '1.1', ca: cert.cert },
        { name: 'h2 over TLS', url: tls.url, version: '2', ca: cert.cert },
      ],
    ];
    const rows: Record<string, string | number>[] = [];
    const notes: string[] = [];
    for (const pair of pairs) {
      const best = new Map<string, number>(pair.map((p) => [p.name, 0]));
      const costs = new Map<string, number[]>(pair.map((p) => [p.name, []]));
      const live = new Set(pair.map((p) => p.name));
      for (const rate of RATES) {
        if (live.size === 0) break;
        const runs = new Map<string, Awaited<ReturnType<typeof pacedStep>>[]>();
        for (let i = 0; i < REPEATS; i++) for (const p of pair) if (live.has(p.name)) runs.set(p.name, [...(runs.get(p.name) ?? []), await pacedStep(p, rate)]);
        for (const p of pair) {
          const r = runs.get(p.name);
          if (!r) continue;
          const ratio = median(r.map((x) => x.ratio));
          const lag = median(r.map((x) => x.lag));
          const us = median(r.map((x) => x.usPerReq));
          const ok = ratio >= 0.98 && lag <= 2;
          if (ok) best.set(p.name, rate);
          if (ratio >= 0.98) costs.get(p.name)!.push(us);
          rows.push({
            protocol: p.name,
            negotiated: r[0]!.negotiated ?? '-',
            'offered req/s': rate,
            'achieved/offered': Number(ratio.toFixed(3)),
            'send-lag p99 ms': Number(lag.toFixed(2)),
            'generator CPU us/req': Math.round(us),
            'connections/step': median(r.map((x) => x.opened)),
            'keeps schedule': ok ? 'yes' : 'no',
          });
          if (ratio < 0.9) live.delete(p.name);
        }
      }
      const [a, b] = pair;
      const usA = costs.get(a.name)!.length ? median(costs.get(a.name)!) : NaN;
      const usB = costs.get(b.name)!.length ? median(costs.get(b.name)!) : NaN;
      notes.push(
        `${b.name} vs ${a.name}: CPU per request ${usB.toFixed(1)} vs ${usA.toFixed(1)} us (x${(usB / usA).toFixed(2)}, medians over the rates both sent); highest rate kept on schedule ${best.get(b.name)} vs ${best.get(a.name)} req/s (timer pacing, rates ${RATES.join('/')}, interleaved, medians of ${REPEATS} x ${STEP_MS / 1000} s)`,
      );
    }
    return { rows, notes };
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult> {
  const { rows, notes } = await http2Comparison();
  return { title: 'Paced open-loop engine: HTTP/2 next to HTTP/1.1 (Go fixture /fast)', rows, notes };
}

await runIfMain(import.meta.url, run);
