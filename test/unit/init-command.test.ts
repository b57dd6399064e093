import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/program.js';
import { starterTemplatePath } from '../../src/cli/init-command.js';
import { parseScenarioText, resolveScenario } from '../../src/scenario/load.js';

const PROTO = fileURLToPath(new URL('../../scenarios/protos/work.proto', import.meta.url));

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
  return { code, out, err };
}

const tmp = () => mkdtemp(join(tmpdir(), 'critpoint-init-'));

/** The starter with its commented `# runtime:` block uncommented. */
function withRuntime(text: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf('# runtime:');
  let end = start;
  while (end < lines.length && lines[end]!.startsWith('#')) end++;
  return [...lines.slice(0, start), ...lines.slice(start, end).map((l) => l.replace(/^# ?/, '')), ...lines.slice(end)].join('\n');
}

describe('critpoint init', () => {
  it('writes a starter scenario that validate accepts as written', async () => {
    const file = join(await tmp(), 'critpoint.yaml');
    const r = await cli(['init', file]);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`wrote ${file}: set target.url and http.path to your service's, then: critpoint validate ${file}\n`);
    expect(await readFile(file, 'utf8')).toBe(await readFile(starterTemplatePath(false), 'utf8'));
    const v = await cli(['validate', file]);
    expect(v.code).toBe(0);
    expect(v.out).toBe(`${file}: valid\n`);
  });

  it('refuses to overwrite without --force: one line, exit 2, file untouched; --force overwrites', async () => {
    const file = join(await tmp(), 'mine.yaml');
    await writeFile(file, 'name: keep-me\n');
    const r = await cli(['init', file]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: ${file} already exists; pass --force to overwrite it\n`);
    expect(await readFile(file, 'utf8')).toBe('name: keep-me\n');
    expect((await cli(['init', file, '--force'])).code).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('name: my-service');
  });

  it('a folder that cannot be written: one line, exit 6', async () => {
    const r = await cli(['init', join(await tmp(), 'no', 'such', 'dir.yaml')]);
    expect(r.code).toBe(6);
    expect(r.err).toMatch(/^error: cannot write .*dir\.yaml \(ENOENT\)\n$/);
  });

  it('- prints the starter on stdout and writes nothing', async () => {
    const r = await cli(['init', '-', '--grpc']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(await readFile(starterTemplatePath(true), 'utf8'));
  });

  it('the values the starter shows are the schema defaults (the comments say so)', async () => {
    const starter = resolveScenario(parseScenarioText(await readFile(starterTemplatePath(false), 'utf8'), 'starter.yaml'));
    const defaults = resolveScenario({ name: starter.name, target: starter.target });
    expect(starter).toEqual(defaults);
  });

  it('its commented runtime block is a valid runtime section once uncommented', async () => {
    const s = resolveScenario(parseScenarioText(withRuntime(await readFile(starterTemplatePath(false), 'utf8')), 'starter.yaml'));
    expect(s.runtime?.signals.map((x) => x.source.kind)).toEqual(['pprof-goroutine', 'expvar', 'prometheus']);
    expect(s.runtime?.capture).toEqual(['goroutine', 'heap']);
  });

  it('--grpc: valid once grpc.proto, service and method name a real service; the rest are defaults', async () => {
    const file = join(await tmp(), 'g.yaml');
    expect((await cli(['init', '--grpc', file])).code).toBe(0);
    const before = await cli(['validate', file]);
    expect(before.code).toBe(2);
    expect(before.err).toMatch(/^error: \S+g\.yaml: grpc\.proto: cannot load \(ENOENT[^\n]*\n$/);
    const sets = ['--set', `grpc.proto=${PROTO}`, '--set', 'grpc.service=loadtarget.Work', '--set', 'grpc.method=Do'];
    const after = await cli(['validate', file, ...sets, '--json']);
    expect(after.code).toBe(0);
    const s = JSON.parse(after.out);
    const text = withRuntime(await readFile(starterTemplatePath(true), 'utf8'));
    const runtime = resolveScenario(parseScenarioText(text, 'g.yaml'), { sets: sets.filter((_, i) => i % 2 === 1) }).runtime;
    expect(runtime?.signals[0]?.source).toMatchObject({ kind: 'pprof-goroutine', endpoint: 'http://127.0.0.1:6060/debug/pprof/goroutine?debug=1' });
    const defaults = resolveScenario({
      name: s.name,
      target: { url: 'grpc://127.0.0.1:9090' },
      grpc: { proto: PROTO, service: 'loadtarget.Work', method: 'Do' },
    });
    expect({ ...s, target: defaults.target }).toEqual(JSON.parse(JSON.stringify(defaults)));
  });
});
