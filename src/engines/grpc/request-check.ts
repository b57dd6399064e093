// Checks a JSON request against its protobuf message type before any load:
// protobufjs' fromObject silently drops unknown fields and coerces wrong
// types, so a typo would otherwise send empty requests at full rate. Every
// problem comes back as `<dot.path>: <what is wrong>, got <value>`.
import protobuf from 'protobufjs';
import { renderGot } from '../../scenario/format-issues.js';

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const UINT32 = { min: 0, max: 2 ** 32 - 1 };
const RANGES: Record<string, { min: number; max: number; wide?: boolean; unsigned?: boolean }> = {
  int32: INT32,
  sint32: INT32,
  sfixed32: INT32,
  uint32: UINT32,
  fixed32: UINT32,
  int64: { ...INT32, wide: true },
  sint64: { ...INT32, wide: true },
  sfixed64: { ...INT32, wide: true },
  uint64: { ...UINT32, wide: true, unsigned: true },
  fixed64: { ...UINT32, wide: true, unsigned: true },
};
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UINT64 = { min: 0n, max: 2n ** 64n - 1n };
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);
const typeName = (t: protobuf.ReflectionObject) => t.fullName.replace(/^\./, '');
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** What is wrong with a scalar value of a proto type, or null when it fits. */
export function scalarProblem(type: string, v: unknown): string | null {
  const range = RANGES[type];
  if (range) {
    if (range.wide && typeof v === 'string') {
      if (!/^-?\d+$/.test(v)) return `expected ${type} (an integer or a string of digits)`;
      const big = BigInt(v);
      const r = range.unsigned ? UINT64 : INT64;
      return big < r.min || big > r.max ? `out of range for ${type}` : null;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) return `expected ${type} (an integer${range.wide ? ' or a string of digits' : ''})`;
    if (range.wide) {
      if (!Number.isSafeInteger(v)) return `${type} above 2^53 must be written as a string of digits`;
      return range.unsigned && v < 0 ? `out of range for ${type}` : null;
    }
    return v < range.min || v > range.max ? `out of range for ${type} (${range.min}..${range.max})` : null;
  }
  switch (type) {
    case 'double':
    case 'float':
      return typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? null : `expected ${type} (a number)`;
    case 'bool':
      return typeof v === 'boolean' ? null : 'expected bool (true or false)';
    case 'string':
      return typeof v === 'string' ? null : 'expected string';
    case 'bytes':
      if (typeof v === 'string') return BASE64.test(v) ? null : 'expected bytes as a base64 string';
      if (Array.isArray(v) && v.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 255)) return null;
      return 'expected bytes (a base64 string or a list of 0..255)';
    default:
      return `unsupported field type ${type}`;
  }
}

export interface CheckOptions {
  /**
   * A string of a decimal number fills a number field (a CSV cell, or a placeholder inside text): the proto3 JSON
   * mapping accepts it, and protobufjs converts it when encoding. Off for the scenario's own values.
   */
  textNumbers?: boolean;
}

const NUMBER_TEXT = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
const FLOATS = new Set(['double', 'float']);

function checkValue(field: protobuf.FieldBase, v: unknown, at: string, out: string[], opts: CheckOptions): void {
  const resolved = field.resolvedType;
  if (opts.textNumbers && typeof v === 'string' && NUMBER_TEXT.test(v) && !resolved) {
    const range = RANGES[field.type];
    // 64-bit fields take digit strings as they are; 32-bit ones and floats are checked as the number the text reads as.
    if ((range && !range.wide) || FLOATS.has(field.type)) v = Number(v);
  }
  if (resolved instanceof protobuf.Enum) {
    const names = Object.keys(resolved.values);
    const ok = typeof v === 'string' ? names.includes(v) : typeof v === 'number' && Object.values(resolved.values).includes(v);
    if (!ok) out.push(`${at}: expected ${typeName(resolved)} (one of ${names.join(', ')}), got ${renderGot(v)}`);
    return;
  }
  if (resolved instanceof protobuf.Type) {
    checkMessage(resolved, v, at, out, opts);
    return;
  }
  const problem = scalarProblem(field.type, v);
  if (problem) out.push(`${at}: ${problem}, got ${renderGot(v)}`);
}

function checkMapKey(keyType: string, key: string, at: string, out: string[]): void {
  if (keyType === 'string') return;
  if (keyType === 'bool') {
    if (key !== 'true' && key !== 'false') out.push(`${at}: map key must be true or false, got ${renderGot(key)}`);
    return;
  }
  const problem = /^-?\d+$/.test(key) ? scalarProblem(keyType, RANGES[keyType]?.wide ? key : Number(key)) : `expected ${keyType}`;
  if (problem) out.push(`${at}: map key ${problem}, got ${renderGot(key)}`);
}

/** Checks value against type; appends problems to out (and returns it). */
export function checkMessage(type: protobuf.Type, value: unknown, at: string, out: string[] = [], opts: CheckOptions = {}): string[] {
  if (!isPlainObject(value)) {
    out.push(`${at}: expected a ${typeName(type)} message (a mapping of fields), got ${renderGot(value)}`);
    return out;
  }
  const names = type.fieldsArray.map((f) => f.name);
  for (const [key, v] of Object.entries(value)) {
    const path = `${at}.${key}`;
    const field = type.fields[key];
    if (!field) {
      const guess = type.fields[camel(key)] ? `; did you mean ${camel(key)}?` : '';
      out.push(`${path}: no field ${key} in ${typeName(type)} (fields: ${names.join(', ') || 'none'}${guess}), got ${renderGot(v)}`);
      continue;
    }
    if (v === null) continue; // unset
    if (field instanceof protobuf.MapField) {
      if (!isPlainObject(v)) {
        out.push(`${path}: expected a map (a mapping of keys to values), got ${renderGot(v)}`);
        continue;
      }
      for (const [k, item] of Object.entries(v)) {
        checkMapKey(field.keyType, k, `${path}.${k}`, out);
        checkValue(field, item, `${path}.${k}`, out, opts);
      }
    } else if (field.repeated) {
      if (!Array.isArray(v)) {
        out.push(`${path}: expected a list (repeated ${field.type}), got ${renderGot(v)}`);
        continue;
      }
      v.forEach((item, i) => checkValue(field, item, `${path}.${i}`, out, opts));
    } else {
      checkValue(field, v, path, out, opts);
    }
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.map((f) => f.name).filter((n) => value[n] !== undefined && value[n] !== null);
    if (set.length > 1) {
      out.push(`${at}.${set[1]}: oneof ${oneof.name} takes one field and ${set[0]} is set too, got ${renderGot(value[set[1] as string])}`);
    }
  }
  return out;
}
