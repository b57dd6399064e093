// The open-loop HTTP engine in both pacing modes (load.pacing) against a real
// HTTP server on 127.0.0.1. The server runs in this process and answers on a
// timer, so a spinning pacing loop that starved timers or socket I/O of its
// own thread would leave requests unanswered here. Bounded: 1.5 s a step.
// (setTimeout(fn, 2): Node timers run on libuv's whole-millisecond clock, so a
// 1 ms timer can fire ~0.1 ms after it was set when the loop is busy; 2 ms
// holds each request at least 1 ms.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { directHttpOpenEngine } from '../helpers/http-open.js';
import type { PacingMode } from '../../src/engines/pacing.js';
import { standaloneStepContext } from '../helpers/step-context.js';

describe.each<PacingMode>(['timer', 'spin'])('http-open engine, %s pacing, against a local server answering after 1-2 ms', (pacing) => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      setTimeout(() => res.end('ok'), 2);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends the whole schedule and records every response, none faster than the service time', async () => {
    const engine = directHttpOpenEngine(url, { maxInFlight: 200, pacing });
    try {
      const s = await engine.runStep(
        { index: 0, phase: 'ramp', load: 1000, unit: 'req/s', durationMs: 1_000, warmupMs: 500, maxRequests: 10_000 },
        standaloneStepContext(),
      );
      const all = s.windows.reduce(
        (a, w) => ({ scheduled: a.scheduled + w.scheduled, sent: a.sent + w.sent, completed: a.completed + w.completed, errors: a.errors + w.errorTotal }),
        { scheduled: 0, sent: 0, completed: 0, errors: 0 },
      );
      console.log(`${pacing}: sent ${all.sent}, completed ${all.completed}, send-lag p99 ${s.sendLagP99.toFixed(2)} ms, p50 ${s.p50.toFixed(2)} ms`);
      // 1000 req/s for 1.5 s (warm-up included): 1500 intended sends, all sent, all answered.
      expect(all.scheduled).toBe(1500);
      expect(all.sent).toBe(1500);
      expect(all.completed).toBe(1500);
      expect(all.errors).toBe(0);
      expect(s.p50).toBeGreaterThanOrEqual(1);
      expect(s.aborted).toBe(false);
    } finally {
      await engine.close();
    }
  });
});
