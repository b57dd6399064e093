// Student t quantiles from an embedded table, and the t confidence interval of a mean.
// simple-statistics has no t distribution, so the quantiles the gate needs are embedded here
// (three decimals, the usual printed tables; checked against scipy.stats.t.ppf).
// Between table rows, quantiles are interpolated linearly in 1/df: t(df) is very nearly linear
// in 1/df for df >= 30, which is why printed tables jump 30 -> 40 -> 60 -> 120 -> inf.
import { mean as ssMean, sampleStandardDeviation } from 'simple-statistics';

/** One table: degrees of freedom (Infinity last) and the quantile at each. */
interface QuantileTable {
  readonly df: readonly number[];
  readonly q: readonly number[];
}

const DF_ROWS: readonly number[] = [
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  12,
  13,
  14,
  15,
  16,
  17,
  18,
  19,
  20,
  21,
  22,
  23,
  24,
  25,
  26,
  27,
  28,
  29,
  30,
  40,
  60,
  120,
  Infinity,
];

/** 0.975 quantile (two-sided 95%). */
const T975: QuantileTable = {
  df: DF_ROWS,
  q: [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074,
    2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042, 2.021, 2.0, 1.98, 1.96,
  ],
};

/** 0.80 quantile (one-sided, 80% power): used for minimal detectable effects. */
const T80: QuantileTable = {
  df: DF_ROWS,
  q: [
    1.376, 1.061, 0.978, 0.941, 0.92, 0.906, 0.896, 0.889, 0.883, 0.879, 0.876, 0.873, 0.87, 0.868, 0.866, 0.865, 0.863, 0.862, 0.861, 0.86, 0.859, 0.858,
    0.858, 0.857, 0.856, 0.856, 0.855, 0.855, 0.854, 0.854, 0.851, 0.848, 0.845, 0.842,
  ],
};

function lookup(table: QuantileTable, df: number, name: string): number {
  if (Number.isNaN(df) || df < 1) {
    throw new RangeError(`${name}: degrees of freedom must be >= 1, got ${df}`);
  }
  const rows = table.df;
  for (let i = 0; i < rows.length; i++) {
    const hi = rows[i] as number;
    if (df === hi) return table.q[i] as number;
    if (df < hi) {
      // i >= 1 here, since df >= 1 = rows[0].
      const lo = rows[i - 1] as number;
      const qLo = table.q[i - 1] as number;
      const qHi = table.q[i] as number;
      const xLo = 1 / lo;
      const xHi = hi === Infinity ? 0 : 1 / hi;
      const w = (1 / df - xLo) / (xHi - xLo);
      return qLo + w * (qHi - qLo);
    }
  }
  // Unreachable: the last row is Infinity and df === Infinity returns above.
  return table.q[table.q.length - 1] as number;
}

/** 0.975 quantile of Student's t with `df` degrees of freedom (df >= 1; Infinity gives 1.960). */
export function tQuantile975(df: number): number {
  return lookup(T975, df, 'tQuantile975');
}

/** 0.80 quantile of Student's t with `df` degrees of freedom (df >= 1; Infinity gives 0.842). */
export function tQuantile80(df: number): number {
  return lookup(T80, df, 'tQuantile80');
}

export interface MeanInterval {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 denominator). */
  sd: number;
  /** Standard error of the mean: sd / sqrt(n). */
  se: number;
  lower: number;
  upper: number;
  /** Degrees of freedom: n - 1. */
  df: number;
}

/**
 * Two-sided Student t confidence interval of the mean: mean +- t(0.975, n - 1) * sd / sqrt(n).
 * Only level 0.95 is supported (the table holds the 0.975 quantile); other levels throw.
 * Needs at least 2 finite values.
 */
export function meanConfidenceInterval(values: readonly number[], level = 0.95): MeanInterval {
  if (level !== 0.95) {
    throw new RangeError(`meanConfidenceInterval: only level 0.95 is supported, got ${level}`);
  }
  const n = values.length;
  if (n < 2) {
    throw new RangeError(`meanConfidenceInterval: needs at least 2 values, got ${n}`);
  }
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) {
    throw new RangeError(`meanConfidenceInterval: values must be finite numbers, got ${bad}`);
  }
  const xs = [...values];
  const m = ssMean(xs);
  const sd = sampleStandardDeviation(xs);
  const se = sd / Math.sqrt(n);
  const df = n - 1;
  const half = tQuantile975(df) * se;
  return { n, mean: m, sd, se, lower: m - half, upper: m + half, df };
}
