// Reads a number at a dot path ("memstats.HeapAlloc", "queue.depth",
// "memstats.PauseNs.0") inside a parsed JSON document. Shared by the expvar
// and json samplers. Pure.

/** Parses a JSON body; throws "response is not JSON" on garbage. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw notJson(text);
  }
}

const notJson = (text: string) => new Error(`response is not JSON (starts with ${JSON.stringify(text.slice(0, 24))})`);

/** The start of a body that cannot be JSON is refused before the rest is read. */
export function checkJsonHead(head: string): void {
  if (!/^\s*(?:[[{"tfn0-9-]|$)/.test(head)) throw notJson(head);
}

/** The value at `path` (object keys exactly, integer segments index arrays), or undefined when it is missing. */
export function valueAtPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(key)) cur = cur[Number(key)];
    else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, key)) cur = (cur as Record<string, unknown>)[key];
    else return undefined;
  }
  return cur;
}

/**
 * The number at `path`. Object keys match exactly; an integer segment indexes an array.
 * Throws "field a.b is missing" or "field a.b is not a number (got string)".
 */
export function numberAtPath(doc: unknown, path: string): number {
  let cur: unknown = doc;
  for (const key of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(key)) {
      cur = cur[Number(key)];
    } else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, key)) {
      cur = (cur as Record<string, unknown>)[key];
    } else {
      cur = undefined;
    }
    if (cur === undefined) throw new Error(`field ${path} is missing`);
  }
  if (typeof cur !== 'number' || !Number.isFinite(cur)) {
    throw new Error(`field ${path} is not a number (got ${cur === null ? 'null' : Array.isArray(cur) ? 'array' : typeof cur})`);
  }
  return cur;
}
