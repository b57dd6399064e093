// The embedded demo target: an HTTP service of known capacity on loopback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlotPool } from './slot-pool.js';

export interface DemoTargetOptions {
  workers: number;
  serviceMs: number;
  port?: number;
}

export interface DemoTarget {
  url: string;
  capacity: number;
  pool: SlotPool;
  close(): Promise<void>;
}

export function metricsText(pool: SlotPool): string {
  return [
    '# HELP demo_inflight_requests Requests in flight (serving + queued).',
    '# TYPE demo_inflight_requests gauge',
    `demo_inflight_requests{handler="work"} ${pool.inFlight}`,
    '# HELP demo_queue_depth Requests waiting for a slot.',
    '# TYPE demo_queue_depth gauge',
    `demo_queue_depth ${pool.queueDepth}`,
    '# HELP demo_requests_total Requests served.',
    '# TYPE demo_requests_total counter',
    `demo_requests_total{handler="work"} ${pool.total}`,
    '',
  ].join('\n');
}

export function startDemoTarget(opts: DemoTargetOptions): Promise<DemoTarget> {
  const pool = new SlotPool(opts.workers, opts.serviceMs);
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metricsText(pool));
      return;
    }
    if (req.url === '/health') {
      res.end('ok');
      return;
    }
    req.resume();
    const accepted = pool.submit(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('done\n');
    });
    if (!accepted) {
      res.writeHead(503);
      res.end('queue full\n');
    }
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        capacity: pool.capacity,
        pool,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
