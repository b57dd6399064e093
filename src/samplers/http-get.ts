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
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      total += buf.length;
      if (total > maxBytes) {
        res.body.destroy();
        throw new Error(`response larger than ${formatBytes(maxBytes)}`);
      }
      chunks.push(buf);
    }
    return Buffer.concat(chunks, total);
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
