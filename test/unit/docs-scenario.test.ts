// docs/scenario.md is generated from the scenario schema (scripts/gen-scenario-docs.ts, `npm run docs`):
// this fails the moment a field, default, allowed value or description changes without the docs.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { renderScenarioDocs, scenarioJsonSchema, SCENARIO_DOCS, type JsonSchema } from '../../scripts/gen-scenario-docs.js';

describe('docs/scenario.md', () => {
  it('is what `npm run docs` generates from the schema today', async () => {
    const expected = renderScenarioDocs(await scenarioJsonSchema());
    expect(readFileSync(SCENARIO_DOCS, 'utf8'), 'docs/scenario.md is stale: run `npm run docs` and commit it').toBe(expected);
  });

  it('has a row for every field of the schema, nested ones and list items included', async () => {
    const schema = await scenarioJsonSchema();
    const text = renderScenarioDocs(schema);
    const paths: string[] = [];
    const walk = (n: JsonSchema, prefix: string) => {
      for (const [k, p] of Object.entries(n.properties ?? {})) {
        const path = prefix ? `${prefix}.${k}` : k;
        paths.push(path);
        for (const v of [p, ...(p.anyOf ?? [])]) walk(v, path);
        if (p.items) walk(p.items, `${path}[]`);
      }
    };
    walk(schema, '');
    expect(paths.length).toBeGreaterThan(80);
    for (const path of paths) expect(text, path).toContain(`| \`${path}\` |`);
  });

  it('renders what the schema says: type, default, allowed values, description, defaults filled in by parsing', () => {
    const schema: JsonSchema = {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', description: 'Run name.' },
        load: {
          type: 'object',
          properties: {
            mode: { type: 'string', enum: ['rate', 'concurrency'], default: 'rate', description: 'Open or closed loop.' },
            start: { type: 'number', exclusiveMinimum: 0 },
            end: { type: 'number', unit: 'req/s', description: 'Highest step.' },
            stepDuration: { type: ['string', 'number'] },
          },
        },
        http: {
          type: 'object',
          properties: {
            version: {
              anyOf: [
                { type: 'string', const: '1.1' },
                { type: 'string', const: '2' },
                { type: 'number', const: 1.1 },
                { type: 'number', const: 2 },
              ],
            },
          },
        },
      },
    };
    const text = renderScenarioDocs(schema);
    expect(text).toContain('| `name` | string |  | required |  | Run name. |');
    expect(text).toContain('| `load.mode` | string |  | `rate` | `rate`, `concurrency` | Open or closed loop. |');
    // start has no default in the JSON Schema: the parsed one, per load mode.
    expect(text).toContain('| `load.start` | number |  | `100` (rate), `1` (concurrency) | > 0 |  |');
    expect(text).toContain('| `load.stepDuration` | duration |  | `5s` |  |  |');
    expect(text).toContain('| `load.end` | number | req/s | `20000` (rate), `256` (concurrency) |  | Highest step. |');
    // A union of literals: each type once, the values once each as a reader writes them.
    expect(text).toContain('| `http.version` | string or number |  | `1.1` | `1.1`, `2` |  |');
  });
});
