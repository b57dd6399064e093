// Secrets end to end through the built CLI: ${env:NAME} in headers is
// resolved at run time (the target really receives it) and its value is in
// no file of the run folder, whatever report formats exist, and in none of
// stdout/stderr, for a run, a dry run, validate, and a run that fails; the
// same for ${env:NAME} in gRPC metadata and in a k6 export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reporters } from '../../src/reporters/registry.js';
import { EXIT } from '../../src/errors.js';
import { BUSY_MACHINE_GENERATOR_YAML, startFaultTarget, type FaultTarget } from '../helpers/fault-target.js';
import { ensureBuilt, filesUnder, onlyRunDir, spawnCli } from '../helpers/cli.js';
import { startGrpcTarget } from '../helpers/grpc-target.js';
import { GO_TARGET_PROTO } from '../helpers/go-target.js';

const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const API_KEY = `key-${randomBytes(12).toString('hex')}`;
const LITERAL_COOKIE = `session=${randomBytes(12).toString('hex')}`;
const SECRETS = [TOKEN, API_KEY, LITERAL_COOKIE.split('=')[1]!];

let target: FaultTarget;
let dir: string;
beforeAll(async () => {
  ensureBuilt();
  target = await startFaultTarget({ serviceMs: 1, expectAuth: `Bearer ${TOKEN}` });
  dir = mkdtempSync(join(tmpdir(), 'critpoint-secrets-'));
}, 120_000);
afterAll(async () => {
  await target?.stop();
});

/** A short run (250 ms windows, 750 ms steps): the claims are about what was sent and written, not about the ramp. */
function scenario(name: string, url: string): string {
  const file = join(dir, `${name}.yaml`);
  // Every report format the registry knows, so formats added later are searched too.
  const formats = Object.keys(reporters);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      `target: { url: ${url} }`,
      'http:',
      '  path: /work',
      '  headers:',
      '    Authorization: "Bearer ${env:CP_TEST_TOKEN}"',
      '    X-Api-Key: "${env:CP_TEST_KEY}"',
      `    Cookie: "${LITERAL_COOKIE}"`,
      'load: { start: 300, end: 420, stepDuration: 750ms, warmup: 250ms, baselineWindows: 5, drain: 100ms }',
      `detect: { window: 250ms, minRequests: 50, ${BUSY_MACHINE_GENERATOR_YAML} }`,
      `report: { dir: ${JSON.stringify(dir)}, formats: [${formats.join(', ')}] }`,
    ].join('\n'),
  );
  return file;
}

/** The exit codes of a run that sent its load, whatever it found. */
const RAN: number[] = [EXIT.completed, EXIT.breach, EXIT.generatorLimited];

const env = () => ({ ...process.env, CP_TEST_TOKEN: TOKEN, CP_TEST_KEY: API_KEY });

function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) {
    if (text.includes(secret)) throw new Error(`secret ${secret.slice(0, 8)}... found in ${where}`);
  }
}

describe('secrets in headers', () => {
  it('a run sends the resolved token, and no output holds any secret', async () => {
    const file = scenario('secret-run', target.url);
    const cli = spawnCli(['run', file, '--json'], { env: env() });
    const { code } = await cli.exited;
    // Whatever the run found (a busy machine may stop it generator-limited): what was sent and written is the claim.
    expect(RAN, cli.stderr()).toContain(code);
    const stats = await target.stats();
    expect(stats.authOk).toBeGreaterThan(200);
    expect(stats.authOther).toBe(0);
    const runDir = onlyRunDir(dir, 'secret-run');
    const files = filesUnder(runDir);
    expect(files).toEqual(expect.arrayContaining(['summary.json', 'windows.csv', 'steps.csv']));
    for (const f of files) expectNoSecret(f, readFileSync(join(runDir, f), 'latin1'));
    expectNoSecret('stdout', cli.stdout());
    expectNoSecret('stderr', cli.stderr());
    // The report keeps the reference text and masks the literal cookie.
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    expect(summary.scenario.http.headers).toEqual({ Authorization: 'Bearer ${env:CP_TEST_TOKEN}', 'X-Api-Key': '${env:CP_TEST_KEY}', Cookie: '[redacted]' });
  });

  it('--dry-run --json, validate --json and a failed run leak nothing either', async () => {
    const file = scenario('secret-dry', target.url);
    for (const args of [
      ['run', file, '--dry-run', '--json'],
      ['validate', file, '--json'],
    ]) {
      const cli = spawnCli(args, { env: env() });
      expect((await cli.exited).code).toBe(0);
      expect(cli.stdout()).toContain('${env:CP_TEST_TOKEN}');
      expectNoSecret(`${args.join(' ')} stdout`, cli.stdout());
      expectNoSecret(`${args.join(' ')} stderr`, cli.stderr());
    }
    const dead = scenario('secret-dead', 'http://127.0.0.1:1');
    const cli = spawnCli(['run', dead, '--json'], { env: env() });
    expect((await cli.exited).code).toBe(EXIT.targetUnreachable);
    expectNoSecret('failed run stdout', cli.stdout());
    expectNoSecret('failed run stderr', cli.stderr());
    const runDir = onlyRunDir(dir, 'secret-dead');
    for (const f of filesUnder(runDir)) expectNoSecret(f, readFileSync(join(runDir, f), 'latin1'));
  });

  it('a missing variable is a problem before any load, naming the variable, not a value', async () => {
    const file = scenario('secret-missing', target.url);
    const before = (await target.stats()).requests;
    const cli = spawnCli(['run', file], { env: { ...process.env, CP_TEST_TOKEN: TOKEN } });
    expect((await cli.exited).code).toBe(EXIT.invalid);
    expect(cli.stderr()).toMatch(/^error: \S+: http\.headers\.X-Api-Key: environment variable CP_TEST_KEY is not set, got "\$\{env:CP_TEST_KEY\}"$/m);
    expectNoSecret('stderr', cli.stderr());
    expect((await target.stats()).requests).toBe(before);
  });
});

describe('secrets in gRPC metadata and k6 exports', () => {
  it('a gRPC run sends the resolved token in its metadata, and no output or export holds it', async () => {
    // The server answers UNAUTHENTICATED without exactly this token: a run with no such error proves it was sent.
    const grpcTarget = await startGrpcTarget({ workers: 64, serviceMs: 1, token: TOKEN });
    try {
      const file = join(dir, 'secret-grpc.yaml');
      const formats = Object.keys(reporters);
      writeFileSync(
        file,
        [
          'name: secret-grpc',
          `target: { url: grpc://${grpcTarget.address} }`,
          `grpc: { proto: ${JSON.stringify(GO_TARGET_PROTO)}, service: loadtarget.Work, method: Do, request: { payload: abc }, metadata: { authorization: "Bearer \${env:CP_TEST_TOKEN}", x-api-key: "\${env:CP_TEST_KEY}" }, deadline: 2s, channels: 2 }`,
          'load: { start: 300, end: 420, stepDuration: 750ms, warmup: 250ms, baselineWindows: 5, drain: 100ms }',
          `detect: { window: 250ms, minRequests: 50, ${BUSY_MACHINE_GENERATOR_YAML} }`,
          `report: { dir: ${JSON.stringify(dir)}, formats: [${formats.join(', ')}] }`,
        ].join('\n'),
      );
      const cli = spawnCli(['run', file, '--json'], { env: env() });
      const { code } = await cli.exited;
      expect(RAN, cli.stderr()).toContain(code);
      expect(grpcTarget.received()).toBeGreaterThan(200);
      const runDir = onlyRunDir(dir, 'secret-grpc');
      for (const f of filesUnder(runDir)) expectNoSecret(f, readFileSync(join(runDir, f), 'latin1'));
      expectNoSecret('stdout', cli.stdout());
      expectNoSecret('stderr', cli.stderr());
      const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as {
        scenario: { grpc: { metadata: unknown } };
        steps: { stats: { completed: number; errors: Record<string, number> } }[];
      };
      expect(summary.scenario.grpc.metadata).toEqual({ authorization: 'Bearer ${env:CP_TEST_TOKEN}', 'x-api-key': '${env:CP_TEST_KEY}' });
      expect(summary.steps.reduce((n, st) => n + st.stats.completed, 0)).toBeGreaterThan(0);
      expect(summary.steps.map((st) => st.stats.errors['grpc-UNAUTHENTICATED'] ?? 0)).toEqual(summary.steps.map(() => 0));

      // The k6 export of the same scenario reads the token from __ENV, never inlines it.
      const out = mkdtempSync(join(tmpdir(), 'critpoint-secret-k6-'));
      const exp = spawnCli(['export', 'k6', file, '--out', out, '--parallelism', '2'], { env: env() });
      expect((await exp.exited).code, exp.stderr()).toBe(0);
      const exported = filesUnder(out);
      expect(exported.length).toBeGreaterThan(0);
      for (const f of exported) expectNoSecret(`k6 export ${f}`, readFileSync(join(out, f), 'latin1'));
      expect(exported.map((f) => readFileSync(join(out, f), 'utf8')).join('\n')).toMatch(/env\("CP_TEST_TOKEN"\)|__ENV\.CP_TEST_TOKEN/);
      expectNoSecret('export stdout', exp.stdout());
      expectNoSecret('export stderr', exp.stderr());
    } finally {
      await grpcTarget.close();
    }
  });
});
