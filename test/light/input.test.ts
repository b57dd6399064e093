// Bad and hostile input through the built CLI (nothing sent, bounded memory), --dry-run, and plans
// over a cap rejected before any load. No load on the machine: its memory figures are peak RSS of
// child processes, so this file runs in the 'light' project, beside the unit tests (vitest.config.ts).
// The run-time caps, which need real load, are in test/integration/input-and-caps.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXIT } from '../../src/errors.js';
import { MAX_SCENARIO_BYTES } from '../../src/scenario/load.js';
import { startFaultTarget, type FaultTarget } from '../helpers/fault-target.js';
import { CLI_JS, ensureBuilt, spawnCli } from '../helpers/cli.js';

let target: FaultTarget;
let dir: string;
beforeAll(async () => {
  ensureBuilt();
  target = await startFaultTarget({ workers: 4, serviceMs: 5 });
  dir = mkdtempSync(join(tmpdir(), 'critpoint-input-'));
}, 120_000);
afterAll(async () => {
  await target?.stop();
});

const requests = async () => (await target.stats()).requests;

describe('invalid scenario through the CLI', () => {
  it('every problem listed with its dot path, no stack trace, exit 2, not one request', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `name: "bad name"\ntarget: { url: ${target.url} }\nhttp: { method: FETCH, timeout: soon, headers: { X: 5 } }\nload: { start: -5, strat: 3, growth: { factor: 1 }, maxInFlight: 0 }\ndetect: { k: 0, window: 1h, minRequests: 1.5 }\nreport: { formats: [pdf] }\n`,
    );
    const before = await requests();
    const cli = spawnCli(['run', file]);
    const { code } = await cli.exited;
    const err = cli.stderr();
    expect(code).toBe(EXIT.invalid);
    for (const p of [
      'name',
      'http.method',
      'http.timeout',
      'http.headers.X',
      'load.start',
      'load.strat',
      'load.growth.factor',
      'load.maxInFlight',
      'detect.k',
      'detect.minRequests',
      'report.formats.0',
    ]) {
      expect(err).toMatch(new RegExp(`^  ${p.replace(/\./g, '\\.')}: .+, got .+$`, 'm'));
    }
    expect(err).not.toMatch(/^\s+at /m);
    expect(await requests()).toBe(before);
  });
});

/** Runs a small node script against the built loader and reports its peak memory (maxRSS, KiB). */
function probe(mode: 'load' | 'read', file: string): Promise<{ problems?: string[]; maxRssKb: number }> {
  const loader = pathToFileURL(join(CLI_JS, '..', '..', 'scenario', 'load.js')).href;
  const code = `
    const { loadScenarioFile } = await import(${JSON.stringify(loader)});
    const [mode, file] = process.argv.slice(1);
    let out = {};
    try {
      if (mode === 'read') out = { chars: (await (await import('node:fs/promises')).readFile(file, 'utf8')).length };
      else await loadScenarioFile(file);
    } catch (e) { out = { problems: e.problems ?? [String(e)] }; }
    console.log(JSON.stringify({ ...out, maxRssKb: process.resourceUsage().maxRSS }));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', code, mode, file], (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout))));
  });
}

describe('huge or hostile YAML', () => {
  it('a real 50 MB file is refused before it is read: clear error, memory stays flat', async () => {
    const big = join(dir, 'big.yaml');
    const chunk = Buffer.from(`# ${'x'.repeat(1021)}\n`);
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(big);
      out.on('error', reject);
      for (let i = 0; i < 50 * 1024; i++) out.write(chunk);
      out.end(resolve);
    });
    const small = join(dir, 'small.yaml');
    writeFileSync(small, `name: small\ntarget: { url: ${target.url} }\n`);
    const [refused, control, reading] = [await probe('load', big), await probe('load', small), await probe('read', big)];
    console.log(`maxRSS: small scenario ${control.maxRssKb} KiB, 50 MB refused ${refused.maxRssKb} KiB, 50 MB read (control) ${reading.maxRssKb} KiB`);
    expect(refused.problems).toEqual([`(file): scenario is larger than ${MAX_SCENARIO_BYTES} bytes (1 MiB), got ${50 * 1024 * 1024} bytes`]);
    expect(refused.maxRssKb - control.maxRssKb).toBeLessThan(10 * 1024);
    // The measurement can see a read: reading the file costs tens of MB.
    expect(reading.maxRssKb - control.maxRssKb).toBeGreaterThan(40 * 1024);
    const cli = spawnCli(['validate', big]);
    expect((await cli.exited).code).toBe(EXIT.invalid);
    expect(cli.stderr()).toMatch(/^error: \S+big\.yaml: \(file\): scenario is larger than 1048576 bytes \(1 MiB\), got 52428800 bytes\n$/);
  });

  it('an alias bomb ("billion laughs") and a deep nesting are refused with one clear problem each, memory flat', async () => {
    const bomb = join(dir, 'bomb.yaml');
    const lines = ['name: bomb', `target: { url: ${target.url} }`, 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(',')}]`,
      );
    writeFileSync(bomb, `${lines.join('\n')}\n`);
    const deep = join(dir, 'deep.yaml');
    writeFileSync(deep, `name: deep\nx: ${'['.repeat(300_000)}${']'.repeat(300_000)}\n`);
    const control = await probe('load', join(dir, 'small.yaml'));
    for (const [file, pattern] of [
      [bomb, /^\(file\): cannot parse \(Excessive alias count.*\), got invalid YAML$/],
      [deep, /^\(file\): nested deeper than 64 levels, got about 300001 levels$/],
    ] as const) {
      const r = await probe('load', file);
      expect(r.problems).toHaveLength(1);
      expect(r.problems![0]).toMatch(pattern);
      expect(r.maxRssKb - control.maxRssKb).toBeLessThan(20 * 1024);
      const cli = spawnCli(['run', file]);
      expect((await cli.exited).code).toBe(EXIT.invalid);
      expect(cli.stderr()).not.toMatch(/^\s+at /m);
    }
  });
});

describe('--dry-run and plans over the caps', () => {
  it('--dry-run prints steps, durations, total requests and caps, sends nothing, writes nothing', async () => {
    const file = join(dir, 'plan.yaml');
    const out = join(dir, 'dry-results');
    writeFileSync(
      file,
      `name: plan\ntarget: { url: ${target.url} }\nload: { start: 200, end: 1000, maxRate: 1200, maxInFlight: 300, maxDuration: 5m, maxRequests: 500000 }\nreport: { dir: ${JSON.stringify(out)} }\n`,
    );
    const before = await requests();
    const cli = spawnCli(['run', file, '--dry-run', '--json']);
    const { code } = await cli.exited;
    expect(code).toBe(0);
    const err = cli.stderr();
    expect(err).toMatch(/ramp: 300, 450, 675, 1000 req\/s, 5s each/);
    expect(err).toMatch(/baseline: 200 req\/s for 23s/);
    expect(err).toMatch(/requests: up to \d+ before refinement, at most \d+ in all/);
    expect(err).toMatch(/caps: load.maxRate 1200 req\/s, load.maxInFlight 300, load.maxDuration 5m, load.maxRequests 500000/);
    const json = JSON.parse(cli.stdout());
    expect(json.plan.rampLoads).toEqual([300, 450, 675, 1000]);
    expect(json.plan.coarseRequests).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(await requests()).toBe(before);
    expect(existsSync(out)).toBe(false);
  });

  it('a plan over load.maxRate, load.maxDuration and load.maxRequests is rejected with all three, before any request', async () => {
    const file = join(dir, 'over.yaml');
    writeFileSync(file, `name: over\ntarget: { url: ${target.url} }\n`);
    const before = await requests();
    const cli = spawnCli([
      'run',
      file,
      '--set',
      'load.end=5000',
      '--set',
      'load.maxRate=4000',
      '--set',
      'load.maxDuration=30s',
      '--set',
      'load.maxRequests=1000',
    ]);
    const { code } = await cli.exited;
    expect(code).toBe(EXIT.invalid);
    const err = cli.stderr();
    expect(err).toMatch(/^ {2}load\.end: exceeds the cap load\.maxRate \(4000\), got 5000$/m);
    expect(err).toMatch(/^ {2}load\.maxDuration: the plan needs at least .+, got 30s$/m);
    expect(err).toMatch(/^ {2}load\.maxRequests: the plan would send up to \d+ requests, got 1000$/m);
    expect(await requests()).toBe(before);
  });
});
