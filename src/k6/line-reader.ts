// Streaming line readers for k6 output. readLines never holds a whole file:
// it streams (through gunzip when the file starts with the gzip magic bytes,
// whatever its name) and yields one line at a time. FileTail follows a file
// k6 is still writing and hands over complete lines as they appear.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Lines of a plain or gzipped NDJSON file, streamed. */
export async function* readLines(path: string): AsyncGenerator<string> {
  const gz = await isGzip(path);
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  let input: Readable = file;
  if (gz) {
    const gunzip = createGunzip();
    file.on('error', (err) => gunzip.destroy(err));
    input = file.pipe(gunzip);
  }
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    file.destroy();
  }
}

/**
 * Follows a growing file: each poll() returns the complete lines written since
 * the last one (a partial last line waits for its newline). The file may not
 * exist yet; it is opened on the first poll that finds it.
 */
export class FileTail {
  private fh: FileHandle | null = null;
  private offset = 0;
  private rest = '';
  private readonly buf = Buffer.alloc(1024 * 1024);
  /** Keeps a multi-byte character split across two reads whole. */
  private readonly decoder = new StringDecoder('utf8');

  constructor(readonly path: string) {}

  async poll(): Promise<string[]> {
    if (!this.fh) {
      try {
        this.fh = await open(this.path, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    }
    const lines: string[] = [];
    for (;;) {
      const { bytesRead } = await this.fh.read(this.buf, 0, this.buf.length, this.offset);
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      const text = this.rest + this.decoder.write(this.buf.subarray(0, bytesRead));
      const parts = text.split('\n');
      this.rest = parts.pop() ?? '';
      for (const p of parts) lines.push(p);
      if (bytesRead < this.buf.length) break;
    }
    return lines;
  }

  /** Reads to the end and returns the last lines, including an unterminated one. */
  async drain(): Promise<string[]> {
    const lines = await this.poll();
    if (this.rest !== '') {
      lines.push(this.rest);
      this.rest = '';
    }
    return lines;
  }

  get bytesRead(): number {
    return this.offset;
  }

  async close(): Promise<void> {
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
  }
}
