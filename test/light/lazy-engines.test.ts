// The engine registry imports an engine's module only when a scenario uses it: an HTTP run does not
// load the gRPC client (grpc-js) or autocannon, which cost tens of MB of memory and most of the
// start-up time. A fresh Node process running the build is the only place where "what has been
// loaded" is a clean question, hence the light project; nothing is sent. (Scenario validation still
// loads @grpc/proto-loader, as src/scenario/grpc-rules.ts checks a proto file synchronously, and
// grpc-js's status codes, one file with no imports.)
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The CommonJS files (path below node_modules/) the child had loaded after running `script` (an ES module body, top-level await). */
function loadedAfter(script: string): Promise<string[]> {
  const body = `import { createRequire } from 'node:module';
${script}
const require = createRequire(import.meta.url);
process.stdout.write(JSON.stringify(Object.keys(require.cache).map((k) => k.split('node_modules/').at(-1))));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', body], { cwd: root, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
  });
}

/** A child that validates `data` (a JS object literal) through the library and builds and closes its engine: no load. */
const buildEngine = (data: string) => `
const { resolveScenario } = await import('./dist/index.js');
const { prepareEngine } = await import('./dist/engines/registry.js');
const engine = await prepareEngine(resolveScenario(${data}), { env: {} });
await engine.close();`;

/** The packages of `files`. */
const packages = (files: string[]) => [
  ...new Set(
    files.map((f) =>
      f
        .split('/')
        .slice(0, f.startsWith('@') ? 2 : 1)
        .join('/'),
    ),
  ),
];
/** What an HTTP run must not load: autocannon, and grpc-js beyond its status codes. */
const heavy = (files: string[]) =>
  files.filter((f) => f.startsWith('autocannon/') || (f.startsWith('@grpc/grpc-js/') && f !== '@grpc/grpc-js/build/src/constants.js'));
beforeAll(() => ensureBuilt(), 120_000);
const load = (extra = '') => `load: { start: 100, end: 200, maxDuration: '5m'${extra} }`;

describe('engine modules load on use', () => {
  it('importing the library and building an http-open engine loads neither grpc-js nor autocannon', async () => {
    const loaded = await loadedAfter(buildEngine(`{ name: 'lazy', target: { url: 'http://127.0.0.1:9' }, ${load()} }`));
    expect(packages(loaded)).toContain('undici'); // the child did build the HTTP engine
    expect(heavy(loaded)).toEqual([]);
  }, 30_000);

  it('a closed-loop scenario loads autocannon and a gRPC one grpc-js: the check above can fail', async () => {
    const closed = await loadedAfter(
      buildEngine(`{ name: 'lazy', target: { url: 'http://127.0.0.1:9' }, ${load(", mode: 'concurrency', start: 4, end: 8")} }`),
    );
    expect(heavy(closed).length).toBeGreaterThan(0);
    expect(packages(closed)).toContain('autocannon');
    const proto = fileURLToPath(new URL('../fixtures/go-target/work.proto', import.meta.url));
    const grpc = await loadedAfter(
      buildEngine(
        `{ name: 'lazy', target: { url: 'grpc://127.0.0.1:9' }, grpc: { proto: ${JSON.stringify(proto)}, service: 'loadtarget.Work', method: 'Do' }, ${load()} }`,
      ),
    );
    expect(grpc).toContain('@grpc/grpc-js/build/src/index.js');
  }, 30_000);
});
