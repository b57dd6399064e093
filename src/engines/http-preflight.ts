// The HTTP engines' preflight: one request with a short timeout; any failure
// becomes TargetUnreachableError naming the URL and why. An HTTP/2 run also
// needs the server to have agreed to HTTP/2: a run that asked for it must
// not measure HTTP/1.1 in its name.
import { getGlobalDispatcher, type Dispatcher } from 'undici';
import { TargetUnreachableError } from '../errors.js';

export interface PreflightRequest {
  origin: string;
  path: string;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body: string | null;
}

/**
 * `h2Negotiated`, given for http.version 2, returns the protocols the dispatcher's
 * connections negotiated; anything but h2 fails the preflight.
 */
export async function httpPreflight(
  req: PreflightRequest,
  timeoutMs: number,
  dispatcher: Dispatcher = getGlobalDispatcher(),
  h2Negotiated?: () => string[],
): Promise<void> {
  const h2c = h2Negotiated !== undefined && req.origin.startsWith('http:');
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
        : `${e.code ?? e.name ?? 'error'}: ${(e.message ?? String(err)).trim().replace(/\s*\n\s*/g, ' ')}${
            e.code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' ? ' (the server wants a client certificate: http.tls.cert and http.tls.key)' : ''
          }`;
    throw new TargetUnreachableError(
      `${req.origin}${req.path}`,
      h2c ? `${why} (http.version 2 on an http:// URL is h2c with prior knowledge: does the server speak h2c?)` : why,
    );
  }
  const other = h2Negotiated?.().filter((p) => p !== 'h2') ?? [];
  if (other.length > 0)
    throw new TargetUnreachableError(
      `${req.origin}${req.path}`,
      `http.version is 2 but the server chose ${other.join(', ')} (TLS ALPN); set http.version 1.1 or enable HTTP/2 on the server`,
    );
}
