// Durations: Go's compound form in (what k6, vegeta, hey and ghz users write), one style out.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { duration, formatDuration, parseDuration } from '../../src/scenario/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['1.5s', 1_500],
    ['.5s', 500],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m', 3_720_000],
    ['1h2m3s', 3_723_000],
    ['2m27.5s', 147_500],
    ['1h0m0s', 3_600_000],
    ['1m 30s', 90_000],
    [' 10 m ', 600_000],
    ['1s500ms', 1_500],
    ['1.5h', 5_400_000],
    ['250us', 0.25],
    ['250µs', 0.25],
    ['1000000ns', 1],
    [0, 0],
    [1500, 1_500],
  ])('%j -> %d ms', (input, ms) => {
    expect(parseDuration(input)).toBeCloseTo(ms, 9);
  });

  it.each([
    ['soon'],
    [''],
    ['  '],
    ['5'],
    ['-5s'],
    ['5x'],
    ['1m30'],
    ['m'],
    ['1..5s'],
    ['1e3ms'],
    ['5s,'],
    ['1h-2m'],
    ['NaN'],
    [-1],
    [Infinity],
    [NaN],
    [null],
    [true],
    [{}],
  ])('%j is not a duration', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });

  it('the zod type reads Go durations and names the form in its problem', () => {
    expect(duration.parse('1m30s')).toBe(90_000);
    const r = duration.safeParse('90 seconds');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('not a duration (use e.g. 500ms, 5s, 1m30s, 1h or a number of ms)');
  });
});

describe('formatDuration: one style, no zero parts', () => {
  it.each([
    [0, '0ms'],
    [0.25, '0.25ms'],
    [500, '500ms'],
    [999, '999ms'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [23_000, '23s'],
    [59_999, '59.999s'],
    [60_000, '1m'],
    [120_000, '2m'],
    [147_500, '2m27.5s'],
    [600_000, '10m'],
    [3_600_000, '1h'],
    [4_014_500, '1h6m54.5s'],
    [4_020_000, '1h7m'],
    [3_600_500, '1h0.5s'],
    [119_999.9996, '2m'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('parseDuration reads back what formatDuration writes (whole ms up to 100 h)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 360_000_000 }), (ms) => parseDuration(formatDuration(ms)) === ms),
      { numRuns: 5_000, seed: 18 },
    );
  });

  it('random Go-style compound strings parse to the sum of their parts', () => {
    const UNIT = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
    const part = fc.tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom(...(Object.keys(UNIT) as (keyof typeof UNIT)[])));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.map(([n, u]) => `${n}${u}`).join('');
        return parseDuration(text) === parts.reduce((a, [n, u]) => a + n * UNIT[u], 0);
      }),
      { numRuns: 2_000, seed: 30 },
    );
  });
});
