// Generates docs/scenario.md, the scenario reference, from the scenario schema: the JSON Schema that
// `critpoint schema` prints (types, allowed values, descriptions, defaults) completed by the defaults
// the zod schema fills in (durations and mode-dependent values, which the JSON Schema does not carry).
// One source, so the reference cannot drift from the code; test/unit/docs-scenario.test.ts fails when
// the committed file differs from this output.
//   npm run docs            rewrites docs/scenario.md
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runCli } from '../src/cli/program.js';
import { scenarioSchema } from '../src/scenario/schema.js';
import { grpcSchema } from '../src/scenario/grpc-schema.js';
import { runtimeSchema } from '../src/samplers/schema.js';
import { formatDuration } from '../src/scenario/duration.js';

export const SCENARIO_DOCS = fileURLToPath(new URL('../docs/scenario.md', import.meta.url));

/** The subset of JSON Schema that z.toJSONSchema emits for the scenario. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  unit?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
}

/** What `critpoint schema` prints, run in process: the very schema editors get. */
export async function scenarioJsonSchema(): Promise<JsonSchema> {
  let out = '';
  let err = '';
  const code = await runCli(['schema'], { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
  if (code !== 0) throw new Error(`critpoint schema exited ${code}: ${err}`);
  return JSON.parse(out) as JsonSchema;
}

/** Resolved defaults per dot path, one map per load.mode: what a minimal scenario becomes after parsing. */
export function resolvedDefaults(modes: string[]): Map<string, Map<string, unknown>> {
  const byMode = new Map<string, Map<string, unknown>>();
  for (const mode of modes) {
    const flat = new Map<string, unknown>();
    const scenario = scenarioSchema.parse({ name: 'example', target: { url: 'http://127.0.0.1:8080' }, load: { mode } });
    flatten(scenario, '', flat);
    flatten(grpcSchema.parse({ proto: 'example.proto', service: 'example.Service', method: 'Call' }), 'grpc', flat);
    flatten(runtimeSchema.parse({}), 'runtime', flat);
    byMode.set(mode, flat);
  }
  return byMode;
}

function flatten(value: unknown, path: string, into: Map<string, unknown>): void {
  into.set(path, value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, into);
  }
}

interface Row {
  path: string;
  type: string;
  unit: string;
  default: string;
  allowed: string;
  description: string;
}

const code = (s: string) => `\`${s}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

function isDuration(n: JsonSchema): boolean {
  return Array.isArray(n.type) && n.type.length === 2 && n.type.includes('string') && n.type.includes('number');
}

/** The unit the schema's metadata names; 'none' (a number without unit) and a unit that repeats the type show nothing. */
function unitOf(n: JsonSchema): string {
  return n.unit && n.unit !== 'none' && n.unit !== typeOf(n) ? n.unit : '';
}

function typeOf(n: JsonSchema): string {
  if (isDuration(n)) return 'duration';
  const variants = n.anyOf ?? n.oneOf;
  // A union of literals ("1.1" | "2" | 1.1 | 2) is each of its types once; its values go to the allowed column.
  if (variants)
    return [...new Set(variants.map((v) => (v.type === 'object' && v.properties ? `{ ${Object.keys(v.properties).join(', ')} }` : typeOf(v))))].join(' or ');
  if (n.enum) return n.type === 'string' || n.type === undefined ? 'string' : String(n.type);
  if (n.type === 'array') return `list of ${n.items ? typeOf(n.items) : 'any'}`;
  if (n.type === 'object') {
    if (n.properties) return 'object';
    const values = typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined;
    return values && values.type ? `map of ${typeOf(values)}` : 'object';
  }
  if (Array.isArray(n.type)) return n.type.join(' or ');
  return n.type ?? 'any';
}

function allowedOf(n: JsonSchema): string {
  const parts: string[] = [];
  const values = n.enum ?? literalsOf(n) ?? (n.type === 'array' ? n.items?.enum : undefined);
  // Deduplicated as written in a scenario: the string "2" and the number 2 are one value to a reader.
  if (values) parts.push([...new Set(values.map((v) => String(v)))].map(code).join(', '));
  parts.push(...rangeOf(n));
  if (n.minLength !== undefined && n.minLength > 0) parts.push('not empty');
  if (n.minItems !== undefined && n.minItems > 0) parts.push(`at least ${n.minItems} item${n.minItems > 1 ? 's' : ''}`);
  if (n.format === 'uri') parts.push('a URL');
  if (n.pattern && n.format !== 'starts_with') parts.push(`matches ${code(n.pattern)}`);
  if (n.format === 'starts_with' && n.pattern) parts.push(`starts with ${code(n.pattern.replace(/^\^\\?/, '').replace(/\.\*$/, ''))}`);
  if (n.type === 'array' && n.items && !n.items.enum) parts.push(...rangeOf(n.items).map((r) => `each ${r}`));
  return parts.join('; ');
}

/** The values of a single literal or of a union whose every variant is one, else undefined. */
function literalsOf(n: JsonSchema): unknown[] | undefined {
  if (n.const !== undefined) return [n.const];
  const variants = n.anyOf ?? n.oneOf;
  return variants && variants.length > 0 && variants.every((v) => v.const !== undefined) ? variants.map((v) => v.const) : undefined;
}

/** Numeric bounds; the safe-integer limits zod puts on every integer say nothing to a reader. */
function rangeOf(n: JsonSchema): string[] {
  const bound = (v: number | undefined) => (v === undefined || Math.abs(v) >= Number.MAX_SAFE_INTEGER ? undefined : v);
  const [min, max, xmin, xmax] = [bound(n.minimum), bound(n.maximum), bound(n.exclusiveMinimum), bound(n.exclusiveMaximum)];
  const parts: string[] = [];
  if (min !== undefined && max !== undefined) parts.push(`${min} to ${max}`);
  else if (min !== undefined) parts.push(`>= ${min}`);
  else if (max !== undefined) parts.push(`<= ${max}`);
  if (xmin !== undefined) parts.push(`> ${xmin}`);
  if (xmax !== undefined) parts.push(`< ${xmax}`);
  return parts;
}

function show(value: unknown, duration: boolean): string {
  if (duration && typeof value === 'number') return formatDuration(value);
  if (Array.isArray(value)) return `[${value.map((v) => show(v, false)).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${k}: ${show(v, false)}`).join(', ')} }`;
  }
  return String(value);
}

function defaultOf(n: JsonSchema, path: string, required: boolean, defaults: Map<string, Map<string, unknown>>): string {
  if (required) return 'required';
  if (n.type === 'object' && n.properties) return '';
  if (n.default !== undefined) return code(show(n.default, isDuration(n)));
  const seen = new Map<string, string[]>();
  for (const [mode, flat] of defaults) {
    const v = flat.get(path);
    if (v === undefined) continue;
    const shown = show(v, isDuration(n));
    seen.set(shown, [...(seen.get(shown) ?? []), mode]);
  }
  if (seen.size === 0) return '';
  if (seen.size === 1) return code([...seen.keys()][0] as string);
  return [...seen].map(([v, modes]) => `${code(v)} (${modes.join(', ')})`).join(', ');
}

function rowsOf(node: JsonSchema, prefix: string, defaults: Map<string, Map<string, unknown>>, out: Row[], variant = false): void {
  for (const [key, prop] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    // A field of one form of a union (load.growth.factor) is required by that form only: the union's type names the forms.
    const required = !variant && (node.required?.includes(key) ?? false);
    out.push({
      path,
      type: typeOf(prop),
      unit: unitOf(prop),
      default: defaultOf(prop, path, required, defaults),
      allowed: allowedOf(prop),
      description: prop.description ?? '',
    });
    childRows(prop, path, defaults, out);
  }
}

function childRows(prop: JsonSchema, path: string, defaults: Map<string, Map<string, unknown>>, out: Row[]): void {
  for (const v of prop.anyOf ?? prop.oneOf ?? []) if (v.type === 'object' && v.properties) rowsOf(v, path, defaults, out, true);
  if (prop.type === 'object' && prop.properties) rowsOf(prop, path, defaults, out);
  if (prop.type === 'array' && prop.items?.properties) rowsOf(prop.items, `${path}[]`, defaults, out);
}

const PREFACE = `# Scenario reference

<!-- Generated by scripts/gen-scenario-docs.ts from the scenario schema; do not edit by hand: \`npm run docs\`. -->

A scenario is a YAML or JSON file (UTF-8, at most 1 MiB; \`-\` reads it from stdin). Every field has a
default except the ones marked *required*; a field not listed here is an error (a typo never passes
silently). \`critpoint validate <file>\` checks a scenario and prints its plan without sending anything;
\`critpoint schema\` prints this schema as JSON Schema for editors
(for example \`# yaml-language-server: $schema=./critpoint.schema.json\` on a scenario's first line).

- **Durations** are strings in Go's form, such as \`500ms\`, \`1.5s\`, \`1m30s\`, \`1h2m\`, or numbers of
  milliseconds. Plans print them the same way (\`2m27.5s\`, never \`147.5s\`).
- **Secrets**: strings in \`http.headers\` and \`grpc.metadata\` may contain \`\${env:NAME}\`, resolved when
  the run starts and never written to any output (\`validate\` lists an unset one as "needed at run time"
  and still says valid; \`run\` refuses to start without it); literal values of \`Authorization\`, \`Cookie\`,
  \`X-Api-Key\` and similar headers are redacted in outputs.
- **Placeholders**: paths, header values, bodies and gRPC request messages may contain \`\${data:COLUMN}\`,
  \`\${seq}\`, \`\${int:MIN:MAX}\`, \`\${uuid}\`, \`\${string:N}\` and \`\${pick:a|b|c}\`, filled per send
  ([traffic.md](traffic.md)).
- **Overrides**: \`--set dot.path=value\` (repeatable) sets any field from the command line, the value read
  as YAML (\`--set load.end=5000\`, \`--set 'load.growth={step: 250}'\`) and validated like the file.
- **Problems** are reported all at once, each as \`<dot.path>: <what is wrong>, got <value>\`, and nothing
  is sent while any exists.
- A **default** shown for several load modes depends on \`load.mode\`; a blank default means the field is
  unset unless you set it (its description says what happens then).
`;

/** The whole of docs/scenario.md. */
export function renderScenarioDocs(schema: JsonSchema): string {
  const modes = (schema.properties?.load?.properties?.mode?.enum ?? ['rate']).map(String);
  const defaults = resolvedDefaults(modes);
  const sections: { title: string; rows: Row[] }[] = [];
  const top: Row[] = [];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const required = schema.required?.includes(key) ?? false;
    const row: Row = {
      path: key,
      type: typeOf(prop),
      unit: unitOf(prop),
      default: defaultOf(prop, key, required, defaults),
      allowed: allowedOf(prop),
      description: prop.description ?? '',
    };
    if ((prop.type === 'object' && prop.properties) || (prop.type === 'array' && prop.items?.properties)) {
      const rows = [row];
      childRows(prop, key, defaults, rows);
      sections.push({ title: key, rows });
    } else {
      top.push(row);
    }
  }
  if (top.length > 0) sections.unshift({ title: 'Top level', rows: top });
  const table = (rows: Row[]) =>
    [
      '| field | type | unit | default | allowed values | description |',
      '|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${code(r.path)} | ${cell(r.type)} | ${cell(r.unit)} | ${cell(r.default)} | ${cell(r.allowed)} | ${cell(r.description)} |`),
    ].join('\n');
  return `${PREFACE}\n${sections.map((s) => `## ${s.title}\n\n${table(s.rows)}\n`).join('\n')}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = renderScenarioDocs(await scenarioJsonSchema());
  writeFileSync(SCENARIO_DOCS, text);
  console.log(`wrote ${SCENARIO_DOCS}`);
}
