// Resolves a signal's endpoint against the target url.

/**
 * A full http(s) URL is used as is; a path is resolved against the target url
 * ("/debug/vars" against "http://h:8080/api/work" gives "http://h:8080/debug/vars").
 * Throws when the endpoint is a path and the target is not an http(s) URL.
 */
export function resolveEndpoint(endpoint: string, targetUrl: string): URL {
  if (/^https?:\/\//i.test(endpoint)) return new URL(endpoint);
  let base: URL;
  try {
    base = new URL(targetUrl);
  } catch {
    throw new Error(`cannot resolve ${endpoint} against target ${targetUrl}: not a URL; give a full http(s) URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error(`cannot resolve ${endpoint} against target ${targetUrl}: not an http(s) URL; give a full http(s) URL`);
  }
  return new URL(endpoint, base);
}
