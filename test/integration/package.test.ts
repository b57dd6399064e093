// The published package as a user gets it: `npm pack` of this repository, installed into an empty
// project, then `import ... from 'critpoint'` (JavaScript and TypeScript), the `critpoint` bin, and
// docs/library.md's example run from there against a real server on 127.0.0.1.
// Offline: the install uses a lockfile holding this repository's locked production dependencies, so
// npm takes every tarball from its cache (filled by `npm ci`) and never asks the registry.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTarget, type DemoTarget } from '../../src/demo/demo-target.js';

const run = promisify(execFile);
const ROOT = resolve('.');
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
};

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  [k: string]: unknown;
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, (await stat(join(e.parentPath, e.name))).mtimeMs);
  }
  return newest;
}

/** `npm pack` ships dist/ as it is (npm test builds it first); build when it is missing or older than src/. */
async function ensureBuilt(): Promise<void> {
  const built = await stat(join(ROOT, 'dist/index.js')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built < (await newestMtime(join(ROOT, 'src')))) await run('npm', ['run', '--silent', 'build'], { cwd: ROOT });
}

/** An empty project whose lockfile pins critpoint to the tarball and its dependencies to this repository's locked versions. */
async function consumerProject(dir: string, tarball: string): Promise<void> {
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { critpoint: spec } },
    'node_modules/critpoint': { version: pkg.version, resolved: spec, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev) continue;
    const { dev: _d, devOptional: _o, ...rest } = entry;
    packages[path] = rest;
  }
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { critpoint: spec } }));
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }));
}

let dir: string;
let packed: string[];
let target: DemoTarget | undefined;

beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'critpoint-package-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
  const info = (JSON.parse(stdout) as { filename: string; files: { path: string }[] }[])[0]!;
  packed = info.files.map((f) => f.path);
  await consumerProject(dir, `./${info.filename}`);
  await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir });
}, 300_000);

afterAll(async () => {
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships the built library, its types, the bin and the scenarios; no sources, tests or source maps', () => {
    expect(packed).toEqual(expect.arrayContaining(['package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'scenarios/demo.yaml']));
    expect(packed.filter((f) => !/^(dist\/|scenarios\/|package\.json$|README\.md$)/.test(f) || f.endsWith('.map'))).toEqual([]);
  });

  it("import { runScenario } from 'critpoint' works from the installed tarball", async () => {
    const code =
      "import * as c from 'critpoint'; console.log(JSON.stringify([typeof c.runScenario, typeof c.resolveScenario, typeof c.loadScenarioFile, typeof c.compareRuns, typeof c.readRunSummary, c.SUMMARY_SCHEMA_VERSION, c.EXIT.breach]));";
    const { stdout } = await run('node', ['--input-type=module', '-e', code], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual(['function', 'function', 'function', 'function', 'function', 1, 0]);
  });

  it('the critpoint bin runs from the installed tarball', async () => {
    const { stdout } = await run(join(dir, 'node_modules/.bin/critpoint'), ['--version'], { cwd: dir });
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('TypeScript finds the types: a consumer typechecks, and a misuse is an error', async () => {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const args = [
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--skipLibCheck',
      '--typeRoots',
      join(ROOT, 'node_modules/@types'),
      '--types',
      'node',
    ];
    await writeFile(
      join(dir, 'ok.ts'),
      [
        "import { runScenario, resolveScenario, type RunResult, type StopReason } from 'critpoint';",
        "const s = resolveScenario({ name: 'x', target: { url: 'http://127.0.0.1:1' } });",
        'export const done: Promise<RunResult> = runScenario(s, { dryWrite: true }).then((o) => o.result);',
        "export const reason: StopReason = 'breach';",
      ].join('\n'),
    );
    await writeFile(join(dir, 'bad.ts'), "import type { StopReason } from 'critpoint';\nexport const reason: StopReason = 'exploded';\n");
    // One compiler run for both files: its only error is the misuse in bad.ts.
    const out = await run('node', [tsc, ...args, 'ok.ts', 'bad.ts'], { cwd: dir }).then(
      () => '',
      (e: { stdout: string }) => e.stdout,
    );
    expect(out.trim().split('\n')).toEqual([expect.stringMatching(/^bad\.ts\(2,14\): error TS2322: Type '"exploded"' is not assignable to type/)]);
  });

  it("docs/library.md's example runs as written and finds the critical point of a real server", async () => {
    const doc = await readFile(join(ROOT, 'docs/library.md'), 'utf8');
    const example = /## Example[\s\S]*?```js\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toContain("from 'critpoint'");
    await writeFile(join(dir, 'critical-point.mjs'), example!);
    target = await startDemoTarget({ workers: 2, serviceMs: 10 });
    const out = await run('node', ['critical-point.mjs'], { cwd: dir, env: { ...process.env, TARGET_URL: target.url }, timeout: 60_000 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^step 0 baseline 100 req\/s: \S+$/m);
    const stop = /^(\S+): /m.exec(out.stdout.split('\n').find((l) => !l.startsWith('step ')) ?? '')?.[1];
    // The exit code is the documented one for the stop reason, and the saved summary says the same.
    expect(out.stdout).toMatch(new RegExp(`^saved library-example/\\S+: \\d+ steps, exit code ${out.code}$`, 'm'));
    // On a machine too busy to send 100 req/s on schedule the run honestly stops generator-limited (exit 5);
    // otherwise it finds the critical point of a target of known capacity 200 req/s, within a wide band
    // (the example's short windows are coarse).
    expect(['breach', 'generator-limited']).toContain(stop);
    if (stop === 'breach') {
      expect(out.code).toBe(0);
      const cp = Number(/^critical point (\d+(?:\.\d+)?) req\/s$/m.exec(out.stdout)?.[1]);
      expect(cp).toBeGreaterThan(0.4 * target.capacity);
      expect(cp).toBeLessThan(1.3 * target.capacity);
    } else {
      expect(out.code).toBe(5);
    }
  }, 90_000);
});
