// The README is the user's first contact: every `npx critpoint` command in its fenced shell blocks that
// sends no load must work exactly as written in a fresh clone, without any environment the README
// does not set on the same line. The same holds for such commands in docs/. Commands run in process (runCli) from a temporary folder that mirrors
// the repository, so files they write (`> critpoint.schema.json`) never land in the checkout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/program.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DOCS = readdirSync(join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => join('docs', f));

/** Subcommands that put load on a target: never run here unless the line asks for a plan or help only. */
const SENDS_LOAD = new Set(['run', 'demo', 'gate']);
const SENDS_NOTHING_FLAGS = ['--dry-run', '--help', '-h'];

interface ReadmeCommand {
  line: string;
  env: Record<string, string>;
  args: string[];
  stdoutTo?: string;
}

/** Splits a shell line into words: quotes and backslashes as a POSIX shell reads them; `#` starts a comment. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (; j < line.length && line[j] !== '"'; j++) text += line[j] === '\\' && /["\\$`]/.test(line[j + 1] ?? '') ? line[++j] : line[j];
      if (j >= line.length) throw new Error(`unterminated " in: ${line}`);
      word = (word ?? '') + text;
      i = j;
    } else if (c === '\\') {
      word = (word ?? '') + (line[++i] ?? '');
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === '#' && word === null) {
      break;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** The `npx critpoint` commands of README's bash/sh fences (one per `&&`-separated part of a line). */
export function readmeCommands(markdown: string): ReadmeCommand[] {
  const out: ReadmeCommand[] = [];
  const fences = markdown.matchAll(/^```(?:bash|sh|shell)\n([\s\S]*?)^```$/gm);
  for (const fence of fences) {
    const lines = (fence[1] as string).replace(/\\\n/g, ' ').split('\n');
    for (const line of lines) {
      if (!/\bnpx critpoint\b/.test(line)) continue;
      const words = shellWords(line);
      for (const part of split(words, '&&')) {
        const at = part.findIndex((w, k) => w === 'npx' && part[k + 1] === 'critpoint');
        if (at < 0) continue;
        const env: Record<string, string> = {};
        for (const w of part.slice(0, at)) {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(w);
          if (!m) throw new Error(`README: only VAR=value may come before npx critpoint, got "${w}" in: ${line}`);
          env[m[1] as string] = m[2] as string;
        }
        let args = part.slice(at + 2);
        let stdoutTo: string | undefined;
        const redirect = args.indexOf('>');
        if (redirect >= 0) {
          stdoutTo = args[redirect + 1];
          if (!stdoutTo || redirect + 2 !== args.length) throw new Error(`README: "> file" must end the command: ${line}`);
          args = args.slice(0, redirect);
        }
        const shell = args.find((w) => /^(\||;|&|<|2>|\$\(|`)/.test(w));
        if (shell) throw new Error(`README: keep critpoint commands plain (no "${shell}"): ${line}`);
        out.push({ line: line.trim(), env, args, stdoutTo });
      }
    }
  }
  return out;
}

function split(words: string[], sep: string): string[][] {
  const parts: string[][] = [[]];
  for (const w of words) {
    if (w === sep) parts.push([]);
    else (parts[parts.length - 1] as string[]).push(w);
  }
  return parts;
}

/** The rule: a command runs here unless its subcommand sends load and the line asks for more than a plan or help. */
export function sendsLoad(args: string[]): boolean {
  const sub = args.find((a) => !a.startsWith('-'));
  return sub !== undefined && SENDS_LOAD.has(sub) && !args.some((a) => SENDS_NOTHING_FLAGS.includes(a));
}

describe('README commands', () => {
  const commands = readmeCommands(README);
  const runnable = commands.filter((c) => !sendsLoad(c.args));
  const docsRunnable = DOCS.flatMap((page) =>
    readmeCommands(readFileSync(join(ROOT, page), 'utf8'))
      .filter((c) => !sendsLoad(c.args))
      .map((c) => ({ ...c, line: `${page}: ${c.line}` })),
  );
  let dir = '';
  let cwd = '';

  beforeAll(() => {
    // A fresh clone's view of the repository: every top-level entry but what a clone does not have.
    dir = mkdtempSync(join(tmpdir(), 'critpoint-readme-'));
    for (const name of readdirSync(ROOT)) {
      if (['.git', 'node_modules', 'dist', 'results', 'coverage', '.scratch'].includes(name)) continue;
      symlinkSync(join(ROOT, name), join(dir, name));
    }
    cwd = process.cwd();
    process.chdir(dir);
  });
  afterAll(() => {
    if (cwd) process.chdir(cwd);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the commands the guide shows, and runs more than the load-sending ones it skips', () => {
    expect(commands.map((c) => c.args[0])).toContain('demo');
    expect(commands.filter((c) => sendsLoad(c.args)).map((c) => c.args[0])).not.toContain('validate');
    expect(runnable.length).toBeGreaterThanOrEqual(5);
    for (const kind of ['validate', 'schema', '--dry-run', '--help']) expect(runnable.some((c) => c.args.includes(kind))).toBe(true);
  });

  it.each([...runnable, ...docsRunnable].map((c) => [c.line, c] as const))('works as written: %s', async (_line, c) => {
    let stdout = '';
    let stderr = '';
    const env = { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1', ...c.env };
    const code = await runCli(c.args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env });
    expect(code, `exit code of "${c.line}"; stderr:\n${stderr}`).toBe(0);
    if (c.stdoutTo) {
      writeFileSync(join(dir, c.stdoutTo), stdout);
      expect(statSync(join(dir, c.stdoutTo)).size).toBeGreaterThan(0);
    } else {
      expect(`${stdout}${stderr}`.length).toBeGreaterThan(0);
    }
  });

  it('shows examples/minimal.yaml exactly as the file is', () => {
    const file = readFileSync(join(ROOT, 'examples', 'minimal.yaml'), 'utf8');
    expect(README).toContain(`\`\`\`yaml\n${file}\`\`\``);
  });

  it('is a guide of at most 300 lines', () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(300);
  });
});

describe('README command extraction', () => {
  it('reads quotes, comments, env prefixes, && and redirects as a shell does', () => {
    const md = [
      '```bash',
      "API_TOKEN=x npx critpoint run a.yaml --set 'load.growth={step: 250}' --dry-run   # a comment",
      'npm ci && npx critpoint demo',
      'npx critpoint schema > out.json',
      'npx critpoint validate "my file.yaml" \\',
      '  --set load.end=5',
      '```',
      '```yaml',
      'npx critpoint not-a-shell-block',
      '```',
    ].join('\n');
    expect(readmeCommands(md)).toEqual([
      {
        line: "API_TOKEN=x npx critpoint run a.yaml --set 'load.growth={step: 250}' --dry-run   # a comment",
        env: { API_TOKEN: 'x' },
        args: ['run', 'a.yaml', '--set', 'load.growth={step: 250}', '--dry-run'],
        stdoutTo: undefined,
      },
      { line: 'npm ci && npx critpoint demo', env: {}, args: ['demo'], stdoutTo: undefined },
      { line: 'npx critpoint schema > out.json', env: {}, args: ['schema'], stdoutTo: 'out.json' },
      {
        line: 'npx critpoint validate "my file.yaml"    --set load.end=5',
        env: {},
        args: ['validate', 'my file.yaml', '--set', 'load.end=5'],
        stdoutTo: undefined,
      },
    ]);
  });

  it('skips only what sends load', () => {
    expect(sendsLoad(['demo'])).toBe(true);
    expect(sendsLoad(['run', 'a.yaml'])).toBe(true);
    expect(sendsLoad(['gate', 'a.yaml', '--base', 'x'])).toBe(true);
    expect(sendsLoad(['run', 'a.yaml', '--dry-run'])).toBe(false);
    expect(sendsLoad(['demo', '--help'])).toBe(false);
    expect(sendsLoad(['validate', 'a.yaml'])).toBe(false);
    expect(sendsLoad(['--version'])).toBe(false);
  });

  it('refuses shell syntax it cannot run faithfully', () => {
    expect(() => readmeCommands('```bash\nnpx critpoint schema | jq .\n```')).toThrow(/plain/);
  });
});
