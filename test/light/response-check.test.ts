// http.check against a real loopback server: a failing body counts as
// 'check-failed' (one per bad body when every response is checked), a failing
// status stays a status error, and sampling reads only one body in `every`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directHttpOpenEngine } from '../helpers/http-open.js';
import type { ResponseCheckConfig } from '../../src/engines/response-check.js';
import { standaloneStepContext } from '../helpers/step-context.js';
import type { Step } from '../../src/types.js';

let server: Server;
let url = '';
/** Responses the server sent, by what it sent. */
const sentBy = { ok: 0, bad: 0, error: 0 };

beforeAll(async () => {
  let n = 0;
  server = createServer((_req, res) => {
    const i = n++;
    // Every 3rd answer a wrong field, every 7th a 500 (whose body is never checked).
    if (i % 7 === 6) {
      sentBy.error++;
      res.writeHead(500).end('{"status":"down"}');
    } else if (i % 3 === 2) {
      sentBy.bad++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"degraded"}');
    } else {
      sentBy.ok++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function run(check: ResponseCheckConfig) {
  sentBy.ok = sentBy.bad = sentBy.error = 0;
  const engine = directHttpOpenEngine(url, { check });
  const step: Step = { index: 0, phase: 'ramp', load: 200, unit: 'req/s', durationMs: 1000, warmupMs: 0, maxRequests: 200 };
  try {
    const s = await engine.runStep(step, standaloneStepContext());
    return { s, server: { ...sentBy } };
  } finally {
    await engine.close();
  }
}

describe('http.check on a real server', () => {
  it('every response checked: each wrong body is one check-failed error, 5xx stay status errors', async () => {
    const { s, server } = await run({ every: 1, json: 'status', equals: 'ok' });
    expect(s.completed).toBe(server.ok + server.bad + server.error);
    expect(server.bad).toBeGreaterThan(20);
    expect(s.errors['check-failed']).toBe(server.bad);
    expect(s.errors['http-5xx']).toBe(server.error);
    expect(s.errorExample).toMatch(/^HTTP (500|200, check failed: field status is "degraded", expected "ok")/);
  });

  it('sampled one in 10: only sampled bodies are checked', async () => {
    const { s, server } = await run({ every: 10, contains: '"ok"' });
    const failed = s.errors['check-failed'] ?? 0;
    // 20 of 200 responses are checked; about a third of the 200s among them are wrong.
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThanOrEqual(Math.ceil(s.completed / 10));
    expect(failed).toBeLessThan(server.bad / 3);
  });
});
