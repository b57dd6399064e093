// Issue 17 on gRPC: a 2-request mix (Do with a templated message, Stream)
// against the Go fixture's gRPC service, through the whole runner. The
// per-request counts summary.json reports are what the server counted per
// method (its http_requests_total{handler} counter), with detect.p99.request
// naming one of them, and summary.json records where the service
// description came from. Frames, templates and row validation are
// unit-tested in test/unit/grpc-mix.test.ts. One short run (~6 s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/runner/run.js';
import { GO_TARGET_BUILD_SCRIPT, GO_TARGET_PROTO, goTargetAvailable, servedByHandler, startGoTarget, type GoTarget } from '../helpers/go-target.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'critpoint-grpc-mix-it-'));
let target: GoTarget;

beforeAll(async () => {
  if (!goTargetAvailable()) execFileSync('bash', [GO_TARGET_BUILD_SCRIPT], { stdio: 'inherit', timeout: 170_000 });
  // 4 workers x 5 ms: 800 calls/s, far above the run's 300.
  target = await startGoTarget({ workers: 4, serviceTimeMs: 5, grpc: true });
}, 180_000);
afterAll(async () => {
  await target?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Calls the fixture's gRPC handler received (any status), from its Prometheus counter. */
const served = (handler: string) => servedByHandler(target, handler);

describe('a gRPC request mix against the Go fixture', () => {
  it('summary.json counts each request as the server counted its method, and names the description source', async () => {
    const s = resolveScenario({
      name: 'grpc-mix-it',
      target: { url: `grpc://${target.grpcAddress}` },
      grpc: { proto: GO_TARGET_PROTO, service: 'loadtarget.Work', method: 'Do', channels: 2, deadline: '2s' },
      requests: [
        { name: 'do', weight: 3, request: { payload: 'order-${seq}', sizeHint: '${int:1:64}' } },
        // count 1: the fixture counts one pool submit per streamed message.
        { name: 'feed', weight: 1, method: 'Stream', request: { count: 1 } },
      ],
      // Warm-up-free steps: every sent call is in a step's (or the baseline's) byRequest.
      load: { start: 150, end: 300, growth: { factor: 2 }, stepDuration: '1500ms', warmup: '0s', baselineWindows: 5, drain: '200ms', maxDuration: '30s' },
      detect: { window: '500ms', minRequests: 20, p99: { request: 'feed' }, generator: { maxSendLag: '25ms', retries: 2 } },
      report: { dir: tmp },
    });
    const { result, runDir } = await runScenario(s);
    expect(['completed', 'breach', 'generator-limited']).toContain(result.stopReason);
    const summary = JSON.parse(readFileSync(path.join(runDir!, 'summary.json'), 'utf8')) as {
      steps: { phase: string; stats: { byRequest?: Record<string, { sent: number; count: number }> } }[];
      serviceDescription: unknown;
    };
    const sent = (name: string) => summary.steps.reduce((n, st) => n + (st.stats.byRequest?.[name]?.sent ?? 0), 0);
    const [doSent, feedSent] = [sent('do'), sent('feed')];
    console.log(
      `grpc mix: ${result.stopReason}; do ${doSent}, feed ${feedSent} sent; server Do ${await served('grpc_do')}, Stream ${await served('grpc_stream')}`,
    );
    expect(doSent + feedSent).toBeGreaterThan(500);
    // The preflight's one call is the mix's first request (do) as send 0 carries it.
    expect(await served('grpc_do')).toBe(doSent + 1);
    expect(await served('grpc_stream')).toBe(feedSent);
    expect(doSent / (doSent + feedSent)).toBeGreaterThan(0.65);
    expect(doSent / (doSent + feedSent)).toBeLessThan(0.85);
    expect(summary.serviceDescription).toEqual({ source: 'proto-file', files: [GO_TARGET_PROTO] });
    const csv = readFileSync(path.join(runDir!, 'windows.csv'), 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^[^,]+,request,/);
    expect(csv).toMatch(/,feed,/);
    expect(readFileSync(path.join(runDir!, 'report.html'), 'utf8')).toMatch(/Per request[\s\S]*feed/);
  }, 30_000);
});
