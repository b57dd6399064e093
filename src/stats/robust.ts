// Robust location and spread (docs/method.md section 3).
import { mean, median, medianAbsoluteDeviation } from 'simple-statistics';

/** 1 / Phi^-1(3/4): scales a raw MAD to a normal sigma. simple-statistics' `mad` is raw. */
export const MAD_SCALE = 1.4826;
/** sqrt(pi/2): scales a mean absolute deviation to a normal sigma. */
export const MEAN_ABS_DEV_SCALE = 1.2533;

export function meanAbsoluteDeviation(values: number[]): number {
  const m = mean(values);
  return mean(values.map((v) => Math.abs(v - m)));
}

export interface RobustSpread {
  median: number;
  sigma: number;
  mad: number;
  meanAbsDev: number;
}

/** sigma = max(1.4826 x MAD, 1.2533 x mean abs dev, floor). The mean-abs-dev term keeps sigma honest when over half the values tie (MAD = 0). */
export function robustSpread(values: number[], floor: number): RobustSpread {
  if (values.length === 0) throw new Error('robustSpread needs at least one value');
  const mad = medianAbsoluteDeviation(values);
  const meanAbsDev = meanAbsoluteDeviation(values);
  return { median: median(values), mad, meanAbsDev, sigma: Math.max(MAD_SCALE * mad, MEAN_ABS_DEV_SCALE * meanAbsDev, floor) };
}
