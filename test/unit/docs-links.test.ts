// Every relative link in README.md and docs/ points at a file that exists, and every #anchor at a
// heading of that file (GitHub's heading ids): moving or renaming a page cannot leave a dead link.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];

/** Markdown without fenced code blocks and inline code (links there are not links). */
function prose(md: string): string {
  return md.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's id for a heading: lower case, punctuation dropped, spaces to dashes. */
export function headingId(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const md = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...md.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => headingId(m[1] as string)));
}

function linksOf(md: string): string[] {
  return [...prose(md).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string).filter((l) => !/^[a-z]+:/i.test(l));
}

describe('links in README.md and docs/', () => {
  it('finds the pages and their links', () => {
    expect(PAGES).toContain(join('docs', 'method.md'));
    expect(linksOf(readFileSync(join(ROOT, 'README.md'), 'utf8')).length).toBeGreaterThan(10);
  });

  it.each(PAGES)('%s: every relative link and anchor resolves', (page) => {
    const file = join(ROOT, page);
    const dead: string[] = [];
    for (const link of linksOf(readFileSync(file, 'utf8'))) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path === '' ? file : join(dirname(file), decodeURIComponent(path));
      if (!existsSync(target)) dead.push(`${link} (no ${relative(ROOT, target)})`);
      else if (anchor && target.endsWith('.md') && !anchorsOf(target).has(anchor)) dead.push(`${link} (no heading #${anchor} in ${relative(ROOT, target)})`);
    }
    expect(dead).toEqual([]);
  });

  it('reads heading ids as GitHub does', () => {
    expect(headingId("The paced engine's generator target")).toBe('the-paced-engines-generator-target');
    expect(headingId('gRPC services (`grpc://` targets)')).toBe('grpc-services-grpc-targets');
    expect(headingId('Exit codes')).toBe('exit-codes');
  });
});
