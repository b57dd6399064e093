// `critpoint gate` through the real CLI (in process), for everything decided before any load:
// bad options, a baseline of another scenario, unreachable targets. The real gates are in
// test/integration/gate-e2e.test.ts.
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/errors.js';

const SCENARIO = 'test/fixtures/scenarios/gate-fast.yaml';
const BASELINE = 'test/fixtures/runs/go-8x8ms.summary.json';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env: {} });
  return { code, out, err };
}

describe('critpoint gate: refused before any load', () => {
  it('lists every problem of the options and the scenario at once (exit 2), writes nothing', async () => {
    const out = await mkdtemp(join(tmpdir(), 'critpoint-gate-cmd-'));
    const r = await cli(['gate', SCENARIO, '--base', 'http://127.0.0.1:1', '--head', 'nope', '--max-drop', '15', '--set', 'load.start=-1', '--out', out]);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toContain('error: invalid options (3 problems):');
    expect(r.err).toContain('--max-drop: must be a percentage between 0% and 100% (e.g. 15%) or a fraction (e.g. 0.15), got "15"');
    expect(r.err).toContain('--head: must be an http:// or https:// URL, got "nope"');
    expect(r.err).toContain(`${SCENARIO}: load.start: must be greater than 0, got -1`);
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses a baseline of another scenario, naming the fields (exit 2)', async () => {
    const r = await cli(['gate', SCENARIO, '--baseline', BASELINE, '--head', 'http://127.0.0.1:1', '--set', 'http.path=/fast']);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toContain("error: runs differ in http.path, load.start (http.path: base '/work', head '/fast'; load.start: base 400, head 500)");
  });

  it('refuses a generator-limited baseline (exit 2)', async () => {
    const r = await cli(['gate', SCENARIO, '--baseline', 'test/fixtures/runs/go-6x8ms-generator-limited.summary.json', '--set', 'load.start=400']);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toMatch(/base run .* \(stopReason 'generator-limited'\).*a baseline must have stopped on a confirmed breach/);
  });

  it('unreachable targets: no verdict (exit 12), no load, and every file says why', async () => {
    const out = await mkdtemp(join(tmpdir(), 'critpoint-gate-cmd-'));
    const r = await cli([
      'gate',
      SCENARIO,
      '--base',
      'http://127.0.0.1:1',
      '--head',
      'http://127.0.0.1:2',
      '--out',
      out,
      '--json',
      '--quiet',
      '--junit',
      join(out, 'j.xml'),
    ]);
    expect(r.code).toBe(EXIT.gateError);
    const j = JSON.parse(r.out) as { verdict: string; reason: string; runs: unknown[]; exitCode: number };
    expect(j).toMatchObject({ verdict: 'ERROR', exitCode: 12, runs: [] });
    expect(j.reason).toMatch(
      /^no load sent: base: target http:\/\/127\.0\.0\.1:1\/work is unreachable: .*; head: target http:\/\/127\.0\.0\.1:2\/work is unreachable/,
    );
    const [stamp] = await readdir(join(out, 'gate-e2e', 'gate'));
    expect((await readdir(join(out, 'gate-e2e', 'gate', stamp!))).sort()).toEqual(['gate.json', 'gate.md', 'gate.xml']);
    expect(await readFile(join(out, 'j.xml'), 'utf8')).toContain('errors="1"');
  });
});
