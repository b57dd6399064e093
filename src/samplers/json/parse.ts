// Reads a number at a dot path of any JSON document. Pure.
import { numberAtPath, parseJsonBody } from '../dot-path.js';

/** The number at `field` (e.g. queue.depth), or throws a short reason; a non-number is an error. */
export function parseJsonField(text: string, field: string): number {
  return numberAtPath(parseJsonBody(text), field);
}
