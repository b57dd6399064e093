// Response checks (http.check): one response in `every` has its body read and
// checked, a substring or a JSON field's value; a failed check counts as the
// error kind 'check-failed'. Only sampled responses are buffered, so the other
// requests keep the engine's read-and-drop path. Pure.
import { isDeepStrictEqual } from 'node:util';
import { valueAtPath } from '../samplers/dot-path.js';

export const CHECK_FAILED = 'check-failed';

/** http.check as the scenario states it. */
export interface ResponseCheckConfig {
  /** Check one response in `every` (1 = every response). */
  every: number;
  /** The body contains this text. */
  contains?: string;
  /** Dot path of a JSON field ("data.status", "items.0.id") whose value must equal `equals`. */
  json?: string;
  equals?: unknown;
}

/** Most bytes of a sampled body kept for the check: a check reads a status field or a marker, not a download. */
export const CHECK_BODY_LIMIT = 1 << 20;

const show = (v: unknown) => {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
};

/** Why the body fails the check, or null when it passes. */
export function checkBody(cfg: ResponseCheckConfig, body: string): string | null {
  if (cfg.contains !== undefined && !body.includes(cfg.contains)) return `body does not contain ${show(cfg.contains)}`;
  if (cfg.json !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(body) as unknown;
    } catch {
      return `body is not JSON (starts with ${show(body.slice(0, 24))})`;
    }
    const v = valueAtPath(doc, cfg.json);
    if (v === undefined) return `field ${cfg.json} is missing`;
    if (!isDeepStrictEqual(v, cfg.equals)) return `field ${cfg.json} is ${show(v)}, expected ${show(cfg.equals)}`;
  }
  return null;
}

/** Decides which sends are checked: the 1st, then every `every`-th (deterministic, no random draw per send). */
export class CheckSampler {
  private n = 0;
  constructor(readonly every: number) {}
  next(): boolean {
    const due = this.n === 0;
    this.n = this.n + 1 === this.every ? 0 : this.n + 1;
    return due;
  }
}

/** Collects a sampled response's body up to CHECK_BODY_LIMIT bytes. */
export class BodyBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  add(chunk: Buffer): void {
    if (this.bytes >= CHECK_BODY_LIMIT) return;
    const keep = chunk.length <= CHECK_BODY_LIMIT - this.bytes ? chunk : chunk.subarray(0, CHECK_BODY_LIMIT - this.bytes);
    this.chunks.push(keep);
    this.bytes += keep.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
