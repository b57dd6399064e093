import type { z } from 'zod';

const bigintAware = (_key: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

/** Renders a value for "got <value>": short one-line JSON, strings quoted, long values cut. */
export function renderGot(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON would print these as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value, bigintAware) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One path segment: plain names as they are, anything else (dots, colons, spaces, empty) quoted, so a problem stays one parseable line. */
function segment(key: PropertyKey): string {
  const k = String(key);
  return /^[A-Za-z0-9_$-]+$/.test(k) ? k : JSON.stringify(k);
}

export function dotPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(segment).join('.');
}

function lookup(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'too_small':
      return `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}${issue.origin === 'array' ? ' item(s)' : issue.origin === 'string' ? ' character(s)' : ''}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return issue.message && !issue.message.startsWith('Invalid input') ? issue.message : 'does not match any allowed form';
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

/** Turns zod issues into `<dot.path>: <what is wrong>, got <value>` lines. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push(`${dotPath(path)}: unknown field, got ${renderGot(lookup(input, path))}`);
      }
      continue;
    }
    const got = 'input' in issue ? issue.input : lookup(input, issue.path);
    out.push(`${dotPath(issue.path)}: ${describe(issue)}, got ${renderGot(got)}`);
  }
  return [...new Set(out)];
}
