import { describe, expect, it } from 'vitest';
import { decideGate, type GateDecision, type GatePair } from '../../src/compare/gate-decision.js';
import { escapeXml, gateJson, renderGateJUnit, renderGateMarkdown } from '../../src/compare/gate-report.js';

function pairsOf(ratios: number[]): GatePair[] {
  return ratios.map((r, i) => ({ base: 1000, head: 1000 * r, order: i % 2 === 0 ? 'base-first' : 'head-first' }));
}

const decisions: [string, GateDecision][] = [
  ['PASS', decideGate(pairsOf([1.01, 0.99, 1.0, 1.02, 0.98]), 0.15)],
  ['BLOCK', decideGate(pairsOf([0.7, 0.72, 0.68, 0.71, 0.69]), 0.15)],
  ['INCONCLUSIVE', decideGate(pairsOf([0.8, 0.95, 0.85, 0.9, 0.88]), 0.15)],
  ['INCONCLUSIVE with one pair', decideGate(pairsOf([0.9]), 0.15)],
];

/** Checks that tags nest and close, and that text and attributes have no raw '<' or stray '&'. */
function checkXmlish(xml: string): void {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(body); m !== null; m = tag.exec(body)) {
    const text = body.slice(last, m.index);
    expect(text).not.toMatch(/[<>]/);
    last = tag.lastIndex;
    const [, close, name, attrs, selfClose] = m;
    for (const a of (attrs ?? '').matchAll(/="([^"]*)"/g)) {
      expect(a[1]).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    }
    expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    if (selfClose) continue;
    if (close) expect(stack.pop()).toBe(name);
    else stack.push(name ?? '');
  }
  expect(body.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
}

describe('renderGateMarkdown', () => {
  it.each(decisions)('%s: verdict line, interval in %, pairs table', (_name, d) => {
    const md = renderGateMarkdown(d, { unit: 'req/s', baseLabel: 'main', headLabel: 'feature/x' });
    expect(md).toContain(`### critpoint gate: ${d.verdict}`);
    expect(md).toContain(`**Verdict: ${d.verdict}**`);
    expect(md).toContain(d.reason);
    expect(md).toContain('| pair | order | base (req/s) | head (req/s) | head / base |');
    expect(md.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(d.n);
    expect(md).not.toMatch(/\p{Extended_Pictographic}/u);
  });
  it('shows ratio and interval as percentages', () => {
    const d = decideGate(pairsOf([0.7, 0.72, 0.68, 0.71, 0.69]), 0.15);
    const md = renderGateMarkdown(d);
    expect(md).toContain(`head/base ${(d.ratio * 100).toFixed(1)}% (-`);
    expect(md).toContain(`95% interval ${(d.lower * 100).toFixed(1)}% to ${(d.upper * 100).toFixed(1)}%`);
    expect(md).toContain('| 1 | base-first | 1000 | 700 | 70.0% |');
  });
});

describe('renderGateJUnit', () => {
  it.each(decisions)('%s: balanced, escaped XML', (_name, d) => {
    checkXmlish(renderGateJUnit(d, { unit: 'req/s', baseLabel: 'main & <old>', headLabel: `it's "new"` }));
  });
  it('one testsuite critpoint-gate, a testcase per pair plus the verdict', () => {
    const d = decisions[0]![1];
    const xml = renderGateJUnit(d);
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml).toContain('<testsuite name="critpoint-gate" tests="6" failures="0" errors="0" skipped="0">');
    expect(xml.match(/<testcase /g)).toHaveLength(6);
    expect(xml).toContain('name="pair 1 (base-first)"');
    expect(xml).not.toMatch(/<failure|<skipped/);
  });
  it('BLOCK is a failure', () => {
    const xml = renderGateJUnit(decisions[1]![1]);
    expect(xml).toMatch(/<failure message="BLOCK: [^"]+" type="BLOCK">BLOCK: /);
    expect(xml).toContain('failures="1"');
  });
  it('INCONCLUSIVE is skipped with a message', () => {
    const xml = renderGateJUnit(decisions[2]![1]);
    expect(xml).toMatch(/<skipped message="INCONCLUSIVE: [^"]+"\/>/);
    expect(xml).toContain('skipped="1"');
  });
  it('labels with XML specials are escaped', () => {
    const xml = renderGateJUnit(decisions[0]![1], { baseLabel: 'a<b>&"c\'', headLabel: 'x\u0001y' });
    expect(xml).toContain('value="a&lt;b&gt;&amp;&quot;c&apos;"');
    expect(xml).toContain('value="xy"');
  });
});

describe('escapeXml', () => {
  it.each([
    ['ampersand first', 'a & b', 'a &amp; b'],
    ['angle brackets', '<x>', '&lt;x&gt;'],
    ['quotes', `"'`, '&quot;&apos;'],
    ['already escaped text is escaped again', '&amp;', '&amp;amp;'],
    ['control characters dropped, tab and newline kept', 'a\u0000b\tc\nd\u001f', 'ab\tc\nd'],
  ])('%s', (_name, input, expected) => {
    expect(escapeXml(input)).toBe(expected);
  });
});

describe('gateJson', () => {
  it('carries the decision, with per-pair ratios', () => {
    const d = decisions[1]![1];
    const j = gateJson(d, { unit: 'req/s', baseLabel: 'main', headLabel: 'feat' });
    expect(j).toMatchObject({ kind: 'critpoint-gate', schemaVersion: 1, verdict: 'BLOCK', n: 5, unit: 'req/s', base: 'main', head: 'feat', maxDrop: 0.15 });
    expect(j.pairs[0]).toEqual({ index: 1, order: 'base-first', base: 1000, head: 700, ratio: 0.7 });
    expect(j.change).toBeCloseTo(d.ratio - 1, 12);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
  it('undefined numbers are null, not NaN', () => {
    const j = gateJson(decisions[3]![1]);
    expect(j).toMatchObject({ lower: null, upper: null, mde: null, sdLog: null, unit: null });
    expect(j.ratio).toBeCloseTo(0.9, 12);
  });
});

describe('resolution widening in the reports', () => {
  const widened = decideGate(
    [0, 1, 2].map((i) => ({
      base: 977,
      head: 762,
      order: i % 2 === 0 ? ('base-first' as const) : ('head-first' as const),
      baseResolution: 0.034,
      headResolution: 0.025,
    })),
    0.15,
  );
  it('markdown shows the widening factors only when the interval was widened', () => {
    expect(renderGateMarkdown(widened)).toMatch(/\| interval widened for resolution \| x0\.9671 \/ x1\.025 \|/);
    expect(renderGateMarkdown(decisions[0]![1])).not.toMatch(/widened/);
  });
  it("gate.json carries the widening and each pair's resolutions", () => {
    const j = gateJson(widened);
    expect(j.widening.lower).toBeCloseTo(1 / 1.034, 12);
    expect(j.widening.upper).toBeCloseTo(1.025, 12);
    expect(j.pairs[1]).toMatchObject({ index: 2, order: 'head-first', baseResolution: 0.034, headResolution: 0.025 });
    expect(gateJson(decisions[0]![1]).widening).toEqual({ lower: 1, upper: 1 });
  });
});
