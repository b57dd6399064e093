// Bad input through the real CLI (runCli, in process): a directory, a binary file, an empty file, a
// missing file, a file over 1 MiB, garbage on stdin. Each is one line on stderr, exit 2, no stack
// trace, nothing on stdout. Plus `-` (stdin) and what `validate` says about ${env:} variables.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT, MAX_LISTED_PROBLEMS } from '../../src/errors.js';
import { MAX_SCENARIO_BYTES, type ScenarioInput } from '../../src/scenario/load.js';

async function cli(argv: string[], opts: { stdin?: ScenarioInput; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env: opts.env ?? {},
    stdin: opts.stdin ?? Readable.from([]),
  });
  return { code, out, err };
}

const SCENARIO = 'name: s\ntarget: { url: http://127.0.0.1:9 }\nload: { end: 1000 }\n';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'critpoint-input-'));
});

/** One refusal: exit 2, exactly one line `error: <source>: <dot.path>: <what>, got <value>`, no stack, nothing on stdout. */
function expectOneLine(r: { code: number; out: string; err: string }, pattern: RegExp): void {
  expect(r.code).toBe(EXIT.invalid);
  expect(r.out).toBe('');
  expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
  expect(r.err).toMatch(/^error: \S.*: \(\w+\): [^\n]+, got [^\n]+\n$/);
  expect(r.err).toMatch(pattern);
  expect(r.err).not.toMatch(/^\s+at /m);
}

describe('bad scenario input: one line, exit 2, for validate and run', () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['a directory', async () => dir, /: \(file\): is a directory; name a scenario file \(YAML or JSON\), got "/],
    ['a missing file', async () => join(dir, 'nope.yaml'), /: \(file\): no such file, got ".*nope\.yaml"/],
    ['an empty file', async () => write('empty.yaml', ''), /: \(file\): is empty, got nothing/],
    ['a file of blank lines', async () => write('blank.yaml', '\n  \n\t\n'), /: \(file\): is empty, got only whitespace/],
    [
      'a file of comments',
      async () => write('comments.yaml', '# nothing here\n---\n'),
      /: \(file\): holds no fields \(only comments, or an empty document\), got nothing/,
    ],
    [
      'a binary file (NUL bytes)',
      async () => write('bin.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x41, 0x3a, 0x0a])),
      /: \(file\): not a text file \(a NUL byte at offset 7; .*\), got binary data/,
    ],
    ['invalid UTF-8', async () => write('latin1.yaml', Buffer.from('name: caf\xe9\n', 'latin1')), /: \(file\): not UTF-8 text .*, got binary data/],
    [
      'UTF-16 text',
      async () => write('utf16.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name: x\n', 'utf16le')])),
      /: \(file\): is UTF-16 text; save the scenario as UTF-8, got a UTF-16 byte-order mark/,
    ],
    [
      'a file over 1 MiB',
      async () => write('huge.yaml', `# ${'x'.repeat(MAX_SCENARIO_BYTES)}\n`),
      new RegExp(`: \\(file\\): scenario is larger than ${MAX_SCENARIO_BYTES} bytes \\(1 MiB\\), got ${MAX_SCENARIO_BYTES + 3} bytes`),
    ],
    [
      'garbage text',
      async () => write('garbage.yaml', 'a: b: c\n: : :\n{{{{\n- - x\n  ]]\n'.repeat(50)),
      /: \(file\): .* \(first of \d+ YAML errors\), got invalid YAML/,
    ],
  ];
  async function write(name: string, content: string | Buffer): Promise<string> {
    const f = join(dir, name);
    await writeFile(f, content);
    return f;
  }
  for (const command of ['validate', 'run']) {
    it.each(cases)(`${command}: %s`, async (_name, file, pattern) => {
      expectOneLine(await cli([command, await file()]), pattern);
    });
  }

  it('many problems: the first 20 listed and the rest counted', async () => {
    const fields = Array.from({ length: 45 }, (_, i) => `  extra${i}: 1`).join('\n');
    const f = join(dir, 'many.yaml');
    await writeFile(f, `${SCENARIO}http:\n${fields}\n`);
    const r = await cli(['validate', f]);
    expect(r.code).toBe(EXIT.invalid);
    const lines = r.err.trimEnd().split('\n');
    expect(lines[0]).toBe(`error: ${f} is invalid (45 problems):`);
    expect(lines.slice(1, -1)).toHaveLength(MAX_LISTED_PROBLEMS);
    expect(lines[1]).toBe('  http.extra0: unknown field, got 1');
    expect(lines.at(-1)).toBe(`  ... and ${45 - MAX_LISTED_PROBLEMS} more`);
  });
});

describe('- reads the scenario from stdin', () => {
  it('validate -: valid, the verdict on stdout, the plan on stderr', async () => {
    const r = await cli(['validate', '-'], { stdin: Readable.from([Buffer.from(SCENARIO)]) });
    expect(r.code).toBe(0);
    expect(r.out).toBe('stdin: valid\n');
    expect(r.err).toMatch(/^plan for s against http:\/\/127\.0\.0\.1:9:/);
  });
  it('run - --dry-run: the plan of the piped scenario, in chunks', async () => {
    const half = Math.floor(SCENARIO.length / 2);
    const r = await cli(['run', '-', '--dry-run'], { stdin: Readable.from([SCENARIO.slice(0, half), SCENARIO.slice(half)]) });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/ramp: .* 1000 req\/s/);
  });
  it('binary and oversized stdin are one line each; a terminal is refused without waiting', async () => {
    expectOneLine(await cli(['validate', '-'], { stdin: Readable.from([Buffer.from([0x00, 0x01])]) }), /^error: stdin: \(file\): not a text file/);
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    expectOneLine(
      await cli(['run', '-'], { stdin: Readable.from(Array.from({ length: 5 }, () => chunk)) }),
      /^error: stdin: \(stdin\): scenario is larger than 1048576 bytes \(1 MiB\), got more than 1048576 bytes/,
    );
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    expectOneLine(await cli(['validate', '-'], { stdin: tty }), /^error: stdin: \(stdin\): is a terminal; pipe a scenario in/);
    expectOneLine(await cli(['validate', '-'], { stdin: Readable.from([]) }), /^error: stdin: \(file\): is empty, got nothing/);
  });
});

describe('validate and ${env:} variables', () => {
  const withEnv = 'name: s\ntarget: { url: http://127.0.0.1:9 }\nhttp: { headers: { Authorization: "Bearer ${env:API_TOKEN}" } }\n';
  it('validate names what run needs at run time, with the line run refuses with; run refuses', async () => {
    const f = join(dir, 'env.yaml');
    await writeFile(f, withEnv);
    const v = await cli(['validate', f]);
    expect(v.code).toBe(0);
    const line = 'http.headers.Authorization: environment variable API_TOKEN is not set, got "Bearer ${env:API_TOKEN}"';
    expect(v.out).toBe(`${f}: valid\nneeded at run time (not set here; run refuses to start without it):\n  ${line}\n`);
    const r = await cli(['run', f, '--dry-run']);
    expect(r.code).toBe(EXIT.invalid);
    expect(r.err).toBe(`error: ${f}: ${line}\n`);
  });
  it('with the variable set: valid, nothing more; run --dry-run agrees', async () => {
    const f = join(dir, 'env-set.yaml');
    await writeFile(f, withEnv);
    const env = { API_TOKEN: 'secret-value' };
    const v = await cli(['validate', f], { env });
    expect(v.out).toBe(`${f}: valid\n`);
    expect((await cli(['run', f, '--dry-run'], { env })).code).toBe(0);
  });
  it('validate --json: stdout holds only the JSON; the verdict goes to stderr', async () => {
    const f = join(dir, 'env-json.yaml');
    await writeFile(f, withEnv);
    const v = await cli(['validate', f, '--json']);
    expect(JSON.parse(v.out)).toMatchObject({ name: 's', http: { headers: { Authorization: 'Bearer ${env:API_TOKEN}' } } });
    expect(v.err).toMatch(/: valid\nneeded at run time/);
  });
  it('the README example scenario is valid, with API_TOKEN named as needed at run time', async () => {
    const v = await cli(['validate', 'scenarios/http-ramp.yaml']);
    expect(v.code).toBe(0);
    expect(v.out).toContain('environment variable API_TOKEN is not set');
    expect(await readFile('scenarios/http-ramp.yaml', 'utf8')).toContain('${env:API_TOKEN}');
  });
});

describe('the plan prints every duration in one style', () => {
  /** Every duration token of a text: Go's form without zero parts, never seconds past a minute. */
  function durations(text: string): string[] {
    return [...text.matchAll(/(?<![\w.])(?:\d+(?:\.\d+)?(?:h|ms|m|s))+(?![\w])/g)].map((m) => m[0]);
  }
  it('run --dry-run: 1m29s and 1m56.5s, not 89s and 116.5s; each token reads back as a duration', async () => {
    const r = await cli(['run', 'scenarios/http-ramp.yaml', '--dry-run'], { env: { API_TOKEN: 't' } });
    expect(r.code).toBe(0);
    expect(r.err).toContain('duration: at least 1m29s before refinement, at most 1m56.5s (cap load.maxDuration 10m)');
    const tokens = durations(r.err);
    expect(tokens.length).toBeGreaterThanOrEqual(8);
    for (const t of tokens) {
      expect(t).toMatch(/^(?:\d+ms|(?:\d+h)?(?:[1-5]?\dm)?(?:[1-5]?\d(?:\.\d+)?s)?)$/);
    }
  });
  it('a long plan: hours and minutes, not 4014.5s or 67m', async () => {
    const f = join(dir, 'long.yaml');
    await writeFile(
      f,
      'name: long\ntarget: { url: http://127.0.0.1:9 }\nload: { start: 100, end: 3000, growth: { step: 100 }, stepDuration: 2m, drain: 500ms, maxDuration: 3h, maxRequests: 100000000 }\n',
    );
    const r = await cli(['validate', f]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('duration: at least 58m57.5s before refinement, at most 1h11m0.5s (cap load.maxDuration 3h)');
    for (const t of durations(r.err)) expect(t).toMatch(/^(?:\d+ms|(?:\d+h)?(?:[1-5]?\dm)?(?:[1-5]?\d(?:\.\d+)?s)?)$/);
  });
});
