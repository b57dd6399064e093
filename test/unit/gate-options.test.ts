import { describe, expect, it } from 'vitest';
import { parseFraction, parseGateOptions, type RawGateOptions } from '../../src/cli/gate-options.js';
import { seedFromString } from '../../src/compare/pair-order.js';

describe('parseFraction', () => {
  it.each([
    ['15%', 0.15],
    ['0.15', 0.15],
    [' 7.5 % ', 0.075],
    ['.2', 0.2],
    ['99.9%', 0.999],
  ])('%s -> %d', (text, v) => {
    expect(parseFraction(text)).toBeCloseTo(v, 12);
  });
  it.each([
    ['15 (ambiguous: no % sign and >= 1)', '15'],
    ['100%', '100%'],
    ['0%', '0%'],
    ['negative', '-5%'],
    ['words', 'fifteen'],
    ['empty', ''],
  ])('rejects %s', (_name, text) => {
    expect(parseFraction(text)).toBeUndefined();
  });
  it('allows 0 when asked (assumed noise)', () => {
    expect(parseFraction('0%', true)).toBe(0);
  });
});

describe('parseGateOptions: valid', () => {
  it('interleaved with defaults: 15%, 5 pairs, up to 10, 2s cooldown, seed from GITHUB_SHA', () => {
    const r = parseGateOptions({ base: 'http://127.0.0.1:8081', head: 'http://127.0.0.1:8082' }, { GITHUB_SHA: 'abc123' });
    expect(r.problems).toEqual([]);
    expect(r.options).toEqual({
      mode: 'interleaved',
      baseUrl: 'http://127.0.0.1:8081',
      headUrl: 'http://127.0.0.1:8082',
      maxDrop: 0.15,
      pairs: 5,
      maxPairs: 10,
      seed: seedFromString('abc123'),
      seedText: 'abc123',
      cooldownMs: 2000,
    });
  });
  it('interleaved with every option', () => {
    const r = parseGateOptions({ base: 'http://a:1', head: 'https://b:2', maxDrop: '0.1', pairs: '3', maxPairs: '4', seed: 's', cooldown: '500ms' });
    expect(r.options).toMatchObject({ mode: 'interleaved', maxDrop: 0.1, pairs: 3, maxPairs: 4, seed: seedFromString('s'), cooldownMs: 500 });
  });
  it('--pairs above 10 lifts the default --max-pairs to it', () => {
    expect(parseGateOptions({ base: 'http://a', head: 'http://b', pairs: '12' }).options).toMatchObject({ pairs: 12, maxPairs: 12 });
  });
  it('without --seed or GITHUB_SHA the seed is random but recorded', () => {
    const r = parseGateOptions({ base: 'http://a', head: 'http://b' }, {});
    expect(r.options?.mode).toBe('interleaved');
    if (r.options?.mode === 'interleaved') expect(r.options.seed).toBe(seedFromString(r.options.seedText));
  });
  it('baseline: head defaults to the scenario target (null here), noise 5%', () => {
    expect(parseGateOptions({ baseline: 'results/x/summary.json', maxDrop: '20%' }).options).toEqual({
      mode: 'baseline',
      baselineFile: 'results/x/summary.json',
      headUrl: null,
      maxDrop: 0.2,
      noise: 0.05,
      cooldownMs: 2000,
    });
  });
  it('baseline with --head and --noise 0%', () => {
    expect(parseGateOptions({ baseline: 'b.json', head: 'http://127.0.0.1:9', noise: '0%' }).options).toMatchObject({
      headUrl: 'http://127.0.0.1:9',
      noise: 0,
    });
  });
});

describe('parseGateOptions: every problem at once, as `<option>: <what>, got <value>`', () => {
  const cases: [string, RawGateOptions, string[]][] = [
    ['nothing to compare', {}, ['--base, --head: give both (interleaved pairs) or --baseline <summary.json> (one head run against a stored run), got neither']],
    ['base without head', { base: 'http://a' }, ['--head: is required with --base, got nothing']],
    ['head without base', { head: 'http://a' }, ['--base: is required with --head (or use --baseline), got nothing']],
    [
      'bad values everywhere',
      { base: 'ftp://a', head: 'b', maxDrop: '15', pairs: '1', maxPairs: 'x', cooldown: 'soon', noise: '5%' },
      [
        '--max-drop: must be a percentage between 0% and 100% (e.g. 15%) or a fraction (e.g. 0.15), got "15"',
        '--cooldown: must be a duration up to 10m (e.g. 2s, 500ms), got "soon"',
        '--base: must be an http:// or https:// URL, got "ftp://a"',
        '--head: must be an http:// or https:// URL, got "b"',
        '--noise: only applies with --baseline (interleaved gates measure the noise), got "5%"',
        '--pairs: must be a whole number from 2 (a confidence interval needs 2) to 30, got "1"',
        '--max-pairs: must be a whole number up to 30, got "x"',
      ],
    ],
    ['max-pairs below pairs', { base: 'http://a', head: 'http://b', pairs: '6', maxPairs: '5' }, ['--max-pairs: must be at least --pairs (6), got "5"']],
    [
      'too many pairs',
      { base: 'http://a', head: 'http://b', pairs: '31' },
      ['--pairs: must be a whole number from 2 (a confidence interval needs 2) to 30, got "31"'],
    ],
    [
      'baseline with interleaved-only options',
      { baseline: 'b.json', base: 'http://a', pairs: '5', maxPairs: '6', seed: 'x', noise: '200%' },
      [
        '--base: cannot be combined with --baseline (the stored run is the base), got "http://a"',
        '--pairs: only applies to interleaved gates (--base and --head), got "5"',
        '--max-pairs: only applies to interleaved gates (--base and --head), got "6"',
        '--seed: only applies to interleaved gates (--base and --head), got "x"',
        '--noise: must be a percentage between 0% and 100% (e.g. 5%) or a fraction (e.g. 0.05), got "200%"',
      ],
    ],
  ];
  it.each(cases)('%s', (_name, raw, problems) => {
    const r = parseGateOptions(raw);
    expect(r.options).toBeNull();
    expect(r.problems).toEqual(problems);
  });
});
