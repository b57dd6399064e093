// Filling compiled templates for send i: no parsing, one string per text
// template (its parts concatenated with the slots' values). Random values are
// hashes of (seed, i, slot salt): the same send gets the same values in every
// run and on every thread.
import { hash32, unit, SLOT_SALT } from './hash.js';
import type { Field, Slot, TextTemplate, ValueTemplate } from './template.js';

/** A data cell: CSV cells are strings; JSON Lines keep their JSON types. */
export type Cell = string | number | boolean | null | object;

/** What a send's slots read: its sequence number, its data row (null without data), the seed and the salt base of its request. */
export interface FillContext {
  i: number;
  row: readonly Cell[] | null;
  seed: number;
  /** Salt base of the request: slots of different requests draw different values. */
  salt: number;
  /** Column name -> index into row. */
  columns: ReadonlyMap<string, number>;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX: string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function hex32(h: number): string {
  return HEX[h >>> 24]! + HEX[(h >>> 16) & 255]! + HEX[(h >>> 8) & 255]! + HEX[h & 255]!;
}

function uuid(seed: number, i: number, salt: number): string {
  const a = hash32(seed, i, salt);
  const b = hash32(seed, i, salt + 0x1000);
  const c = hash32(seed, i, salt + 0x2000);
  const d = hash32(seed, i, salt + 0x3000);
  // Version 4 and variant 10xx bits set, so the value reads as a random UUID.
  const b2 = ((b & 0xffff0fff) | 0x00004000) >>> 0;
  const c2 = ((c & 0x3fffffff) | 0x80000000) >>> 0;
  const h1 = hex32(a);
  const h2 = hex32(b2);
  const h3 = hex32(c2);
  return `${h1}-${h2.slice(0, 4)}-${h2.slice(4)}-${h3.slice(0, 4)}-${h3.slice(4)}${hex32(d)}`;
}

function randomString(n: number, seed: number, i: number, salt: number): string {
  let out = '';
  let h = 0;
  for (let k = 0; k < n; k++) {
    // 62^5 < 2^32: five characters per hash.
    if (k % 5 === 0) h = hash32(seed, i, salt + 0x100 * (k / 5 + 1));
    out += ALPHABET[h % 62];
    h = Math.floor(h / 62);
  }
  return out;
}

/** A slot's value, typed: numbers for ${seq} and ${int}, the cell as it is for ${data}, strings otherwise. */
export function slotValue(s: Slot, k: number, c: FillContext): Cell {
  const salt = c.salt + SLOT_SALT + k * 0x10;
  switch (s.k) {
    case 'seq':
      return c.i;
    case 'int':
      return s.min + Math.floor(unit(c.seed, c.i, salt) * (s.max - s.min + 1));
    case 'uuid':
      return uuid(c.seed, c.i, salt);
    case 'string':
      return randomString(s.n, c.seed, c.i, salt);
    case 'pick':
      return s.options[Math.floor(unit(c.seed, c.i, salt) * s.options.length)] as string;
    case 'data': {
      const v = c.row?.[c.columns.get(s.column) ?? -1];
      return v === undefined ? null : v;
    }
  }
}

function cellText(v: Cell): string {
  return typeof v === 'string' ? v : v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function encode(v: Cell, s: Slot): string {
  if (s.enc === 'raw') return cellText(v);
  if (s.enc === 'json') return JSON.stringify(v);
  return JSON.stringify(cellText(v)).slice(1, -1);
}

/** The text of a template for one send; `base` numbers its slots (so two templates of a request draw different values). */
export function fillText(t: TextTemplate, c: FillContext, base = 0): string {
  const { parts, slots } = t;
  let out = parts[0] as string;
  for (let k = 0; k < slots.length; k++) {
    const s = slots[k]!;
    out += encode(slotValue(s, base + k, c), s) + parts[k + 1]!;
  }
  return out;
}

export function fillField(f: Field, c: FillContext, base = 0): string {
  return typeof f === 'string' ? f : fillText(f, c, base);
}

/**
 * A structured value for one send: static subtrees are shared (never copied),
 * only the objects and arrays on the way to a slot are new. `next` numbers the slots.
 */
export function fillValue(v: ValueTemplate, c: FillContext, next: { k: number } = { k: 0 }): unknown {
  switch (v.t) {
    case 'static':
      return v.v;
    case 'slot':
      return slotValue(v.slot, next.k++, c);
    case 'text': {
      const s = fillText(v.tpl, c, next.k);
      next.k += v.tpl.slots.length;
      return s;
    }
    case 'obj': {
      const o: Record<string, unknown> = {};
      for (const [key, e] of v.entries) o[key] = fillValue(e, c, next);
      return o;
    }
    case 'arr':
      return v.items.map((e) => fillValue(e, c, next));
  }
}
