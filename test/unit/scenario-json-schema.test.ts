// `critpoint schema` is what editors show as hover help: every field must carry its description,
// its default (as a JSON default or, when it depends on other fields, in the description) and, for
// quantities, its unit. The words come from the zod schema's metadata, so this walks the printed schema.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { resolveScenario } from '../../src/scenario/load.js';

interface Node {
  type?: string | string[];
  description?: string;
  default?: unknown;
  unit?: string;
  properties?: Record<string, Node>;
  required?: string[];
  anyOf?: Node[];
  oneOf?: Node[];
  items?: Node;
  additionalProperties?: boolean | Node;
}

interface Field {
  path: string;
  node: Node;
  required: boolean;
}

async function printedSchema(): Promise<Node> {
  let out = '';
  const code = await runCli(['schema'], { stdout: (s) => (out += s), stderr: () => undefined, env: {} });
  expect(code).toBe(0);
  return JSON.parse(out) as Node;
}

/** Every property at any depth: nested objects, union forms, list items. */
function fields(node: Node, prefix = '', out: Field[] = []): Field[] {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push({ path, node: child, required: node.required?.includes(key) ?? false });
    fields(child, path, out);
  }
  for (const v of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) fields(v, prefix, out);
  if (node.items) fields(node.items, `${prefix}[]`, out);
  return out;
}

const isDuration = (n: Node) => Array.isArray(n.type) && n.type.includes('string') && n.type.includes('number');
const isQuantity = (n: Node): boolean =>
  n.type === 'number' || n.type === 'integer' || isDuration(n) || (n.type === 'array' && n.items !== undefined && isQuantity(n.items));

describe('critpoint schema (JSON Schema for editors)', () => {
  it('every field at every depth has a description', async () => {
    const all = fields(await printedSchema());
    expect(all.length).toBeGreaterThan(80);
    expect(all.filter((f) => !f.node.description?.trim()).map((f) => f.path)).toEqual([]);
  });

  it('every optional field says its default: a JSON default, or "Default" in its description', async () => {
    const optional = fields(await printedSchema()).filter((f) => !f.required);
    expect(optional.filter((f) => f.node.default === undefined && !/default/i.test(f.node.description ?? '')).map((f) => f.path)).toEqual([]);
  });

  it('every number and duration names its unit', async () => {
    const quantities = fields(await printedSchema()).filter((f) => isQuantity(f.node));
    expect(quantities.map((f) => f.path)).toEqual(
      expect.arrayContaining(['load.start', 'load.maxDuration', 'detect.k', 'http.timeout', 'grpc.channels', 'runtime.interval']),
    );
    expect(quantities.filter((f) => !f.node.unit).map((f) => f.path)).toEqual([]);
  });

  it('the JSON defaults are the ones the schema applies (durations as written: 10s is 10000 ms)', async () => {
    const schema = await printedSchema();
    const s = resolveScenario({ name: 'x', target: { url: 'http://127.0.0.1:8080' } });
    expect(schema.properties?.http?.properties?.timeout?.default).toBe('10s');
    expect(s.http.timeout).toBe(10_000);
    expect(schema.properties?.load?.properties?.maxDuration?.default).toBe('10m');
    expect(s.load.maxDuration).toBe(600_000);
    expect(schema.properties?.detect?.properties?.k?.default).toBe(s.detect.k);
    expect(schema.properties?.detect?.properties?.generator?.properties?.maxSendLag?.default).toBe('5ms');
    expect(s.detect.generator.maxSendLag).toBe(5);
  });
});
