// The k6 engine's setup, which sends nothing: finding the binary, the error
// and exit code when there is none, the CLI's --engine flag and the commands.
import { describe, expect, it } from 'vitest';
import { chmod, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { findK6, parseK6Version, versionAtLeast } from '../../src/engines/k6/k6-binary.js';
import { EXIT, K6NotFoundError } from '../../src/errors.js';
import { k6EngineConfig } from '../../src/engines/k6/k6-config.js';
import { resolveScenario } from '../../src/scenario/load.js';

async function scenarioFile(dir: string): Promise<string> {
  const f = join(dir, 's.yaml');
  await writeFile(
    f,
    `name: k6-cli\ntarget: { url: http://127.0.0.1:9 }\nhttp: { path: /work, headers: { X-Api-Key: literal-key } }\nload: { start: 100, end: 200, stepDuration: 3s, warmup: 1s, baselineWindows: 5 }\ndetect: { minRequests: 50 }\nreport: { dir: ${join(dir, 'results')} }\n`,
  );
  return f;
}

function io(env: NodeJS.ProcessEnv) {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), env } };
}

describe('finding k6', () => {
  it('uses K6_BINARY, else PATH; says what to install when there is none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k6-bin-'));
    const bin = join(dir, 'k6');
    await writeFile(bin, '#!/bin/sh\necho "k6 v0.48.0 (go1.21.4, linux/amd64)"\n');
    await chmod(bin, 0o755);
    expect(findK6({ PATH: `/nonexistent:${dir}` })).toBe(bin);
    expect(findK6({ PATH: '/nonexistent', K6_BINARY: bin })).toBe(bin);
    expect(() => findK6({ PATH: '/nonexistent' })).toThrow(K6NotFoundError);
    expect(() => findK6({ PATH: dir, K6_BINARY: join(dir, 'missing') })).toThrow(/K6_BINARY is ".*missing", which is not an executable file/);
    const err = (() => {
      try {
        findK6({ PATH: '' });
      } catch (e) {
        return e as K6NotFoundError;
      }
    })()!;
    expect(err.exitCode).toBe(EXIT.k6NotFound);
    expect(err.hint).toMatch(/install k6 v0\.48 or newer/);
  });

  it('reads k6 version lines', () => {
    expect(parseK6Version('k6 v0.48.0 (go1.21.4, linux/amd64)')).toBe('0.48.0');
    expect(parseK6Version('k6 v1.2.3 (commit/abc, go1.24)')).toBe('1.2.3');
    expect(parseK6Version('hello')).toBeNull();
    expect(versionAtLeast('0.48.0', '0.45.0')).toBe(true);
    expect(versionAtLeast('0.44.9', '0.45.0')).toBe(false);
    expect(versionAtLeast('1.0.0', '0.45.0')).toBe(true);
  });

  it('passes literal secrets to the local k6 through its environment, not the script', () => {
    const dir = '/';
    const s = resolveScenario({ name: 'x', target: { url: 'http://127.0.0.1:9' }, http: { headers: { 'X-Api-Key': 'literal-key' } } });
    const cfg = k6EngineConfig(s, { PATH: '', K6_BINARY: process.execPath, HOME: dir });
    expect(cfg.env.CRITPOINT_HEADER_X_API_KEY).toBe('literal-key');
    expect(cfg.request.protocol === 'http' && cfg.request.headers['X-Api-Key']).toBe('env("CRITPOINT_HEADER_X_API_KEY")');
  });
});

describe('CLI', () => {
  it('run --engine k6 without k6: clear error, exit code 7, no run folder, nothing sent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k6-cli-'));
    const f = await scenarioFile(dir);
    const { out, io: cli } = io({ PATH: '/nonexistent' });
    const code = await runCli(['run', f, '--engine', 'k6', '--quiet'], cli);
    expect(code).toBe(7);
    expect(out.stderr).toContain('error: k6 not found: no k6 executable on PATH and K6_BINARY is not set');
    expect(out.stderr).toContain('hint: install k6');
    expect(await readdir(dir)).toEqual(['s.yaml']);
  });

  it('rejects an unknown engine like any bad field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k6-cli-'));
    const { out, io: cli } = io({});
    expect(await runCli(['run', await scenarioFile(dir), '--engine', 'k7', '--dry-run'], cli)).toBe(2);
    expect(out.stderr).toContain('load.engine: must be one of "http-open", "http-closed", "grpc", "k6", got "k7"');
  });

  it('export k6 writes the files and prints where; analyze lists unreadable files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'k6-cli-'));
    const f = await scenarioFile(dir);
    const a = io({});
    expect(await runCli(['export', 'k6', f, '--out', join(dir, 'k6'), '--parallelism', '2'], a.io)).toBe(0);
    expect(JSON.parse(a.out.stdout)).toMatchObject({ files: ['script.js', 'testrun.yaml', 'HOWTO.md'], steps: 3 });
    expect(a.out.stderr).toContain('warning: http.headers.X-Api-Key: a literal secret is not written into the script');
    const b = io({});
    expect(await runCli(['export', 'k6', f, '--output', 'kafka'], b.io)).toBe(2);
    expect(b.out.stderr).toContain('--output: must be json or prometheus, got "kafka"');
    const c = io({});
    expect(await runCli(['analyze', join(dir, 'nope-1.json'), join(dir, 'nope-2.json.gz'), '--scenario', f], c.io)).toBe(2);
    expect(c.out.stderr).toContain('nope-1.json: cannot read the file (ENOENT), got nothing');
    expect(c.out.stderr).toContain('nope-2.json.gz: cannot read the file (ENOENT), got nothing');
  });
});
