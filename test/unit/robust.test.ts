import { describe, expect, it } from 'vitest';
import { mad, medianAbsoluteDeviation } from 'simple-statistics';
import { MAD_SCALE, MEAN_ABS_DEV_SCALE, robustSpread } from '../../src/stats/robust.js';

describe('simple-statistics raw MAD (pinned)', () => {
  it('mad has no 1.4826 factor: mad([1,1,2,2,4,6,9]) === 1', () => {
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
    expect(medianAbsoluteDeviation([1, 1, 2, 2, 4, 6, 9])).toBe(1);
  });
});

describe('robustSpread', () => {
  const cases: { name: string; values: number[]; floor: number; sigma: number }[] = [
    // |x - 5| = 4,3,2,1,0,1,2,3,4: MAD 2 -> 2.9652; mean abs dev 20/9 -> 2.785
    { name: 'scaled MAD wins on evenly spread data', values: [1, 2, 3, 4, 5, 6, 7, 8, 9], floor: 0, sigma: MAD_SCALE * 2 },
    // mean 25/7, mean abs dev 116/49 -> 2.967 beats 1.4826 x MAD (1)
    { name: 'mean abs dev wins on a skewed tail', values: [1, 1, 2, 2, 4, 6, 9], floor: 0, sigma: MEAN_ABS_DEV_SCALE * (116 / 49) },
    { name: 'constant values fall to the floor', values: [5, 5, 5, 5], floor: 0.02, sigma: 0.02 },
    // MAD is 0 (six of seven tie); mean 16/7, mean abs dev 108/49
    { name: 'mean abs dev keeps sigma honest when MAD is 0', values: [1, 1, 1, 1, 1, 1, 10], floor: 0.02, sigma: MEAN_ABS_DEV_SCALE * (108 / 49) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(robustSpread(c.values, c.floor).sigma).toBeCloseTo(c.sigma, 10);
    });
  }
  it('median is the median', () => {
    expect(robustSpread([3, 1, 2], 0).median).toBe(2);
  });
});
