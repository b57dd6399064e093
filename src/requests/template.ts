// Placeholders and templates. A string with placeholders is parsed ONCE (at
// startup) into static parts and value slots; a send fills the slots without
// parsing. Everything here is plain data (structured-clone-able) so a worker
// thread can receive it; filling lives in fill.ts.
//
// Placeholders (the ${env:NAME} family):
//   ${data:COLUMN}   the column of the send's data row (data: section)
//   ${seq}           the send's sequence number in the run (0, 1, 2, ...)
//   ${int:MIN:MAX}   a random integer in [MIN, MAX]
//   ${uuid}          a random UUID (version 4 layout)
//   ${string:N}      N random letters and digits (1..1024)
//   ${pick:a|b|c}    one of the listed values, equally likely
//   ${env:NAME}      an environment variable, resolved at run time (secrets: never written out)
// `$${` is a literal `${`. Random values are seeded by (load.seed, sequence number).
// Other `${...}` text (e.g. `${Foo}`) is sent as written.

/** How a slot's value is written: as it is, as a JSON value (typed), or inside a JSON string literal. */
export type Encoding = 'raw' | 'json' | 'jstr';

export type SlotKind =
  | { k: 'seq' }
  | { k: 'int'; min: number; max: number }
  | { k: 'uuid' }
  | { k: 'string'; n: number }
  | { k: 'pick'; options: string[] }
  | { k: 'data'; column: string };

export type Slot = SlotKind & { enc: Encoding };

/** Static text parts around value slots: parts.length === slots.length + 1. */
export interface TextTemplate {
  parts: string[];
  slots: Slot[];
}

/** A string field: a static string (built once) or a template (filled per send). */
export type Field = string | TextTemplate;

/** A structured value (gRPC message, JSON body) with placeholders at its leaves. */
export type ValueTemplate =
  | { t: 'static'; v: unknown }
  | { t: 'slot'; slot: Slot }
  | { t: 'text'; tpl: TextTemplate }
  | { t: 'obj'; entries: [string, ValueTemplate][] }
  | { t: 'arr'; items: ValueTemplate[] };

/** `${kind}` or `${kind:arg}` with a lower-case kind; `$${` escapes. */
const TOKEN = /\$?\$\{([a-z]+)(?::([^}]*))?\}/g;
const KINDS = ['data', 'seq', 'int', 'uuid', 'string', 'pick', 'env'] as const;
export const MAX_STRING = 1024;

/** Every placeholder kind, for messages. */
export const PLACEHOLDER_KINDS = KINDS.map((k) => `\${${k}${k === 'seq' || k === 'uuid' ? '' : ':...'}}`).join(', ');

type Token = SlotKind | { k: 'env'; name: string } | { k: 'literal'; text: string };

function parseToken(kind: string, arg: string | undefined): Token | string {
  const needs = (what: string) => `\${${kind}} needs ${what}`;
  switch (kind) {
    case 'seq':
    case 'uuid':
      return arg === undefined ? { k: kind } : `\${${kind}} takes no argument`;
    case 'data':
      return arg ? { k: 'data', column: arg } : needs('a column name: ${data:COLUMN}');
    case 'env':
      return arg && /^[A-Za-z_][A-Za-z0-9_]*$/.test(arg) ? { k: 'env', name: arg } : needs('a variable name: ${env:NAME}');
    case 'int': {
      const m = arg === undefined ? null : /^(-?\d+):(-?\d+)$/.exec(arg);
      if (!m) return needs('a range: ${int:MIN:MAX}');
      const min = Number(m[1]);
      const max = Number(m[2]);
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) return `\${int:MIN:MAX} needs safe integers with MIN <= MAX`;
      return { k: 'int', min, max };
    }
    case 'string': {
      const n = arg !== undefined && /^\d+$/.test(arg) ? Number(arg) : NaN;
      return n >= 1 && n <= MAX_STRING ? { k: 'string', n } : needs(`a length from 1 to ${MAX_STRING}: \${string:N}`);
    }
    case 'pick': {
      if (!arg) return needs('values: ${pick:a|b|c}');
      return { k: 'pick', options: arg.split('|') };
    }
    default:
      return `unknown placeholder \${${kind}${arg === undefined ? '' : ':'}...} (known: ${PLACEHOLDER_KINDS}; write $\${ for a literal \${)`;
  }
}

export interface Parsed {
  /** Text parts and tokens, alternating: parts.length === tokens.length + 1. */
  parts: string[];
  tokens: (SlotKind | { k: 'env'; name: string })[];
  problems: string[];
}

/** Splits text into static parts and placeholder tokens (escapes resolved). */
export function parseText(text: string): Parsed {
  const parts: string[] = [];
  const tokens: Parsed['tokens'] = [];
  const problems: string[] = [];
  let cur = '';
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const at = m.index;
    cur += text.slice(last, at);
    last = at + m[0].length;
    if (m[0].startsWith('$$')) {
      cur += m[0].slice(1);
      continue;
    }
    const tok = parseToken(m[1] as string, m[2]);
    if (typeof tok === 'string') {
      problems.push(tok);
      cur += m[0];
      continue;
    }
    if (tok.k === 'literal') {
      cur += tok.text;
      continue;
    }
    parts.push(cur);
    tokens.push(tok);
    cur = '';
  }
  parts.push(cur + text.slice(last));
  return { parts, tokens, problems };
}

/** True when text holds a placeholder (or an escape) that changes what is sent. */
export function hasPlaceholders(text: string): boolean {
  TOKEN.lastIndex = 0;
  return TOKEN.test(text);
}

/** Data columns a string names. */
export function dataColumns(text: string): string[] {
  return parseText(text)
    .tokens.filter((t): t is { k: 'data'; column: string } => t.k === 'data')
    .map((t) => t.column);
}

/**
 * Compiles text into a Field: ${env:} folded in (from env; '' when unset, which
 * validation refuses before a run), the rest as slots written with `enc`.
 */
export function compileText(text: string, env: NodeJS.ProcessEnv, enc: Encoding = 'raw'): Field {
  const { parts, tokens } = parseText(text);
  const outParts: string[] = [parts[0] as string];
  const slots: Slot[] = [];
  tokens.forEach((tok, k) => {
    const after = parts[k + 1] as string;
    if (tok.k === 'env') {
      const v = env[tok.name] ?? '';
      outParts[outParts.length - 1] += (enc === 'raw' ? v : JSON.stringify(v).slice(1, -1)) + after;
    } else {
      slots.push({ ...tok, enc });
      outParts.push(after);
    }
  });
  return slots.length === 0 ? (outParts[0] as string) : { parts: outParts, slots };
}

/** Compiles a structured value: strings at any depth may hold placeholders; a string that is exactly one placeholder keeps its value's type. */
export function compileValue(value: unknown, env: NodeJS.ProcessEnv): ValueTemplate {
  if (typeof value === 'string') {
    const f = compileText(value, env);
    if (typeof f === 'string') return { t: 'static', v: f };
    if (f.slots.length === 1 && f.parts[0] === '' && f.parts[1] === '') return { t: 'slot', slot: f.slots[0] as Slot };
    return { t: 'text', tpl: f };
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => compileValue(v, env));
    return items.every((x) => x.t === 'static') ? { t: 'static', v: value } : { t: 'arr', items };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]): [string, ValueTemplate] => [k, compileValue(v, env)]);
    return entries.every(([, x]) => x.t === 'static') ? { t: 'static', v: value } : { t: 'obj', entries };
  }
  return { t: 'static', v: value };
}

/** A structured value as JSON text with slots: whole-value slots typed ('json'), embedded ones escaped ('jstr'). */
export function jsonTemplate(v: ValueTemplate): Field {
  const parts: string[] = [''];
  const slots: Slot[] = [];
  const text = (s: string) => (parts[parts.length - 1] += s);
  const slot = (s: Slot, enc: Encoding) => {
    slots.push({ ...s, enc });
    parts.push('');
  };
  const walk = (x: ValueTemplate) => {
    switch (x.t) {
      case 'static':
        text(JSON.stringify(x.v) ?? 'null');
        return;
      case 'slot':
        slot(x.slot, 'json');
        return;
      case 'text':
        text('"');
        x.tpl.slots.forEach((s, k) => {
          text(JSON.stringify(x.tpl.parts[k]).slice(1, -1));
          slot(s, 'jstr');
        });
        text(`${JSON.stringify(x.tpl.parts[x.tpl.parts.length - 1]).slice(1, -1)}"`);
        return;
      case 'obj':
        text('{');
        x.entries.forEach(([k, e], n) => {
          text(`${n > 0 ? ',' : ''}${JSON.stringify(k)}:`);
          walk(e);
        });
        text('}');
        return;
      case 'arr':
        text('[');
        x.items.forEach((e, n) => {
          if (n > 0) text(',');
          walk(e);
        });
        text(']');
        return;
    }
  };
  walk(v);
  return slots.length === 0 ? (parts[0] as string) : { parts, slots };
}

/** Every slot of a value template, in order. */
export function valueSlots(v: ValueTemplate, out: Slot[] = []): Slot[] {
  if (v.t === 'slot') out.push(v.slot);
  else if (v.t === 'text') out.push(...v.tpl.slots);
  else if (v.t === 'obj') for (const [, e] of v.entries) valueSlots(e, out);
  else if (v.t === 'arr') for (const e of v.items) valueSlots(e, out);
  return out;
}
