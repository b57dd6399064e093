// Secrets in the request mix: ${env:NAME} in an HTTP request's path, header
// and body, and in a gRPC request's metadata (requests: entries), reach the
// target (it refuses or counts them otherwise) and never summary.json,
// windows.csv, steps.csv or report.html. The CLI-level secret checks (stdout,
// dry run, validate, k6 export) are in secrets.test.ts. Two short in-process
// runs against real servers on 127.0.0.1 (~1.6 s each).
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/runner/run.js';
import { startGrpcTarget } from '../helpers/grpc-target.js';
import { GO_TARGET_PROTO } from '../helpers/go-target.js';

const PATH_SECRET = `p${randomBytes(10).toString('hex')}`;
const HEADER_SECRET = `h${randomBytes(10).toString('hex')}`;
const BODY_SECRET = `b${randomBytes(10).toString('hex')}`;
const META_SECRET = `m${randomBytes(10).toString('hex')}`;
const env = { ...process.env, CP_MIX_PATH: PATH_SECRET, CP_MIX_HEADER: HEADER_SECRET, CP_MIX_BODY: BODY_SECRET, CP_MIX_META: META_SECRET };
const dir = mkdtempSync(path.join(tmpdir(), 'critpoint-secrets-mix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const load = { start: 200, end: 200, stepDuration: '1s', warmup: '0s', baselineWindows: 5, drain: '100ms', maxDuration: '20s' };
const detect = { window: '250ms', minRequests: 20, generator: { maxSendLag: '100ms', minSendRatio: 0.5 } };
const OUTPUTS = ['summary.json', 'windows.csv', 'steps.csv', 'report.html'];

function expectNoSecrets(runDir: string, secrets: string[]): void {
  const files = readdirSync(runDir);
  expect(files).toEqual(expect.arrayContaining(OUTPUTS));
  for (const f of OUTPUTS) {
    const text = readFileSync(path.join(runDir, f), 'latin1');
    for (const secret of secrets) if (text.includes(secret)) throw new Error(`secret ${secret.slice(0, 6)}... found in ${f}`);
  }
}

describe('${env:} values in a request mix', () => {
  it('HTTP path, header and body: sent to the target, written nowhere', async () => {
    let withSecrets = 0;
    let other = 0;
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const ok = req.url === `/items/${PATH_SECRET}` ? req.headers['x-key'] === HEADER_SECRET : req.url === '/echo' && body.includes(BODY_SECRET);
        if (ok) withSecrets++;
        else other++;
        res.statusCode = ok ? 200 : 400;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const s = resolveScenario(
        {
          name: 'secret-mix-http',
          target: { url: `http://127.0.0.1:${port}` },
          requests: [
            { name: 'get', weight: 1, path: '/items/${env:CP_MIX_PATH}', headers: { 'x-key': '${env:CP_MIX_HEADER}' } },
            { name: 'post', weight: 1, method: 'POST', path: '/echo', body: { token: '${env:CP_MIX_BODY}', n: '${seq}' } },
          ],
          load,
          detect,
          report: { dir, formats: ['json', 'csv', 'html'] },
        },
        { env },
      );
      const { result, runDir } = await runScenario(s, { env });
      expect(['completed', 'breach', 'generator-limited'], result.stopDetail).toContain(result.stopReason);
      expect(withSecrets).toBeGreaterThan(200);
      expect(other).toBe(0);
      expectNoSecrets(runDir!, [PATH_SECRET, HEADER_SECRET, BODY_SECRET]);
    } finally {
      server.close();
    }
  }, 30_000);

  it('gRPC metadata of a requests: entry: sent (the server refuses calls without it), written nowhere', async () => {
    const target = await startGrpcTarget({ workers: 64, serviceMs: 1, token: META_SECRET });
    try {
      const s = resolveScenario(
        {
          name: 'secret-mix-grpc',
          target: { url: `grpc://${target.address}` },
          grpc: { proto: GO_TARGET_PROTO, service: 'loadtarget.Work', method: 'Do', channels: 1 },
          requests: [
            { name: 'a', weight: 1, request: { payload: 'a-${seq}' }, metadata: { authorization: 'Bearer ${env:CP_MIX_META}' } },
            { name: 'b', weight: 1, request: { payload: 'b' }, metadata: { authorization: 'Bearer ${env:CP_MIX_META}' } },
          ],
          load,
          detect,
          report: { dir, formats: ['json', 'csv', 'html'] },
        },
        { env },
      );
      const { result, runDir } = await runScenario(s, { env });
      expect(['completed', 'breach', 'generator-limited'], result.stopDetail).toContain(result.stopReason);
      // Every call got through: a call without the token would be a grpc-UNAUTHENTICATED error.
      expect(result.steps.every((st) => st.stats.errorTotal === 0)).toBe(true);
      expect(target.received()).toBeGreaterThan(200);
      expectNoSecrets(runDir!, [META_SECRET]);
    } finally {
      await target.close();
    }
  }, 30_000);
});
