// Parses Go's expvar page (/debug/vars): a JSON object with cmdline, memstats
// and whatever the service publishes. Note: expvar has no goroutine count
// unless the service adds one. Pure.
import { numberAtPath, parseJsonBody } from '../dot-path.js';

/** The number at `field` (e.g. memstats.HeapAlloc), or throws a short reason. */
export function parseExpvar(text: string, field: string): number {
  const doc = parseJsonBody(text);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('expvar response is not a JSON object');
  return numberAtPath(doc, field);
}
