// httpGetText: a sampler's body decoded as it arrives, refused at its first
// bad chunk (not UTF-8, or a head that cannot be the expected format), so a
// runtime endpoint returning megabytes of garbage never blocks the event loop
// the load shares. Against a real server that streams until the client stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { httpGetText } from '../../../src/samplers/http-get.js';
import { checkJsonHead } from '../../../src/samplers/dot-path.js';
import { checkExpositionHead } from '../../../src/samplers/prometheus/parse.js';
import { startServer, type TestServer } from './test-server.js';

const TOTAL = 32 * 1024 * 1024;
const written: Record<string, number> = {};

/** Streams `chunk` until TOTAL bytes or the client goes away, counting what was accepted. */
function stream(name: string, chunk: Buffer) {
  return (_req: unknown, res: ServerResponse) => {
    written[name] = 0;
    res.writeHead(200, { 'content-type': 'text/plain' });
    const pump = () => {
      while (written[name]! < TOTAL && !res.destroyed) {
        written[name]! += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };
}

const binary = Buffer.alloc(64 * 1024, 0xff);
const text = Buffer.from(`${'x'.repeat(63)}\n`.repeat(1024));
let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    '/binary': stream('binary', binary),
    '/text': stream('text', text),
    '/ok': (_req, res) => res.end('# TYPE a gauge\na 1\n'),
    '/gz': (_req, res) => res.end(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0])),
  });
});
afterAll(() => server.close());

describe('httpGetText', () => {
  it('refuses a body that is not UTF-8 at its first chunk, leaving the rest unread', async () => {
    await expect(httpGetText(`${server.url}/binary`, AbortSignal.timeout(5_000))).rejects.toThrow('response is not UTF-8 text');
    await new Promise((r) => setTimeout(r, 100));
    expect(written.binary).toBeLessThan(TOTAL / 4);
  });
  it('names gzip data', async () => {
    await expect(httpGetText(`${server.url}/gz`, AbortSignal.timeout(5_000))).rejects.toThrow('response is not UTF-8 text (gzip data)');
  });
  it('stops at the first line when asked', async () => {
    expect(await httpGetText(`${server.url}/text`, AbortSignal.timeout(5_000), { firstLine: true })).toMatch(/^x{63}\n/);
    await new Promise((r) => setTimeout(r, 100));
    expect(written.text).toBeLessThan(TOTAL / 4);
  });
  it('a head check that throws refuses the response before the rest is read', async () => {
    await expect(httpGetText(`${server.url}/text`, AbortSignal.timeout(5_000), { checkHead: checkExpositionHead })).rejects.toThrow(
      /invalid exposition: line 1/,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(written.text).toBeLessThan(TOTAL / 4);
  });
  it('a good body passes its head check whole', async () => {
    expect(await httpGetText(`${server.url}/ok`, AbortSignal.timeout(5_000), { checkHead: checkExpositionHead })).toBe('# TYPE a gauge\na 1\n');
  });
  it('JSON heads', () => {
    for (const ok of ['{"a":1}', '  [1]', '"s"', '-1', 'true', '']) expect(() => checkJsonHead(ok)).not.toThrow();
    for (const bad of ['<html>', 'x{', '.-,+']) expect(() => checkJsonHead(bad)).toThrow(/response is not JSON/);
  });
});
