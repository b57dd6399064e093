// The HTTP engines' preflight: one request with a short timeout; any failure
// becomes TargetUnreachableError naming the URL and why.
import { getGlobalDispatcher, type Dispatcher } from 'undici';
import { TargetUnreachableError } from '../errors.js';

export interface PreflightRequest {
  origin: string;
  path: string;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body: string | null;
}

export async function httpPreflight(req: PreflightRequest, timeoutMs: number, dispatcher: Dispatcher = getGlobalDispatcher()): Promise<void> {
  try {
    const res = await dispatcher.request({
      origin: req.origin,
      method: req.method,
      path: req.path,
      headers: req.headers,
      body: req.body ?? undefined,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
  } catch (err) {
    const e = err as { code?: string; message?: string; name?: string };
    const why =
      e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT'
        ? `no answer within ${timeoutMs} ms`
        : `${e.code ?? e.name ?? 'error'}: ${e.message ?? String(err)}`;
    throw new TargetUnreachableError(`${req.origin}${req.path}`, why);
  }
}
