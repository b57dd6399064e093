// One bounded GET for samplers and evidence capture. Uses its own keep-alive
// undici Agent so runtime samples never queue behind the load engine's
// connections. Errors carry short reasons: "HTTP 500", "connection refused",
// "timeout after 500ms" (the caller's abort reason), "response larger than 16 MiB".
import { Agent, request, type Dispatcher } from 'undici';

export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

let sharedAgent: Agent | undefined;

/** The Agent shared by samplers by default. Idle keep-alive sockets do not hold the process open. */
export function samplerDispatcher(): Dispatcher {
  sharedAgent ??= new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 10_000 });
  return sharedAgent;
}

export interface HttpGetOptions {
  dispatcher?: Dispatcher;
  /** Default DEFAULT_MAX_BYTES. */
  maxBytes?: number;
  headers?: Record<string, string>;
}

/** GETs url and returns the body bytes of a 2xx answer; throws a short reason otherwise. */
export async function httpGet(url: URL | string, signal: AbortSignal, options: HttpGetOptions = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  await getBody(url, signal, options, (buf) => {
    chunks.push(buf);
    total += buf.length;
    return false;
  });
  return Buffer.concat(chunks, total);
}

/** Text responses stop being read at the first line once this many characters came without one. */
const FIRST_LINE_MAX_CHARS = 4096;

/**
 * GETs url and returns the body of a 2xx answer as UTF-8 text, decoded chunk by
 * chunk as it arrives: the work is spread over the download instead of one long
 * block on the event loop the load shares, and a body that is not UTF-8 (binary,
 * garbage) is refused at its first bad chunk, the rest never read. With
 * firstLine, reading stops at the first newline (a goroutine profile's total).
 */
export async function httpGetText(url: URL | string, signal: AbortSignal, options: TextGetOptions = {}): Promise<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts: string[] = [];
  let chars = 0;
  let checked = options.checkHead === undefined;
  const decode = (buf?: Buffer): string => {
    try {
      return buf ? decoder.decode(buf, { stream: true }) : decoder.decode();
    } catch {
      throw new Error(`response is not UTF-8 text${buf && buf[0] === 0x1f && buf[1] === 0x8b ? ' (gzip data)' : ''}`);
    }
  };
  await getBody(url, signal, options, (buf) => {
    const text = decode(buf);
    parts.push(text);
    chars += text.length;
    const headDone = text.includes('\n') || chars >= FIRST_LINE_MAX_CHARS;
    if (!checked && headDone) {
      checked = true;
      options.checkHead?.(parts.join(''));
    }
    return options.firstLine === true && headDone;
  });
  if (!options.firstLine) parts.push(decode());
  const text = parts.join('');
  if (!checked) options.checkHead?.(text);
  return text;
}

export interface TextGetOptions extends HttpGetOptions {
  /** Stop reading at the first newline. */
  firstLine?: boolean;
  /**
   * Called once with the start of the body (through its first newline, or the
   * first 4096 characters): throw to refuse the response without reading the rest.
   */
  checkHead?: (head: string) => void;
}

/** The shared request: status and size checks, then each body chunk to `consume` (true = enough, stop reading). */
async function getBody(url: URL | string, signal: AbortSignal, options: HttpGetOptions, consume: (buf: Buffer) => boolean): Promise<void> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  try {
    signal.throwIfAborted();
    const res = await request(url, {
      method: 'GET',
      signal,
      dispatcher: options.dispatcher ?? samplerDispatcher(),
      headers: options.headers,
    });
    // Destroying an unfinished body emits an error; nobody else listens for it here.
    res.body.on('error', ignore);
    if (res.statusCode < 200 || res.statusCode > 299) {
      await res.body.dump({ limit: 64 * 1024, signal }).catch(ignore);
      throw new Error(`HTTP ${res.statusCode}`);
    }
    const length = Number(res.headers['content-length']);
    if (Number.isFinite(length) && length > maxBytes) {
      res.body.destroy();
      throw new Error(`response larger than ${formatBytes(maxBytes)}`);
    }
    let total = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      total += buf.length;
      if (total > maxBytes) {
        res.body.destroy();
        throw new Error(`response larger than ${formatBytes(maxBytes)}`);
      }
      if (consume(buf)) {
        res.body.destroy();
        return;
      }
    }
  } catch (err) {
    if (signal.aborted) throw abortReason(signal);
    throw shortError(err);
  }
}

function ignore(): void {
  // intentionally empty
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name !== 'AbortError' ? reason : new Error('aborted');
}

const CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connect timeout',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_SOCKET: 'connection closed by the target',
  UND_ERR_HEADERS_TIMEOUT: 'headers timeout',
  UND_ERR_BODY_TIMEOUT: 'body timeout',
};

/** Turns transport errors into a one-line reason. */
export function shortError(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CODES[code]) return new Error(CODES[code]);
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error && typeof (cause as { code?: unknown }).code === 'string') return shortError(cause);
  return err;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round(n / (1024 * 1024))} MiB` : `${n} bytes`;
}
