// Universal Scalability Law (Gunther): throughput vs concurrency,
//   X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1)),
// fitted by Levenberg-Marquardt (ml-levenberg-marquardt) with the analytic
// Jacobian, started from the linearized estimate and a few kappa guesses.
// Pure. A diagnostic: it describes the curve, it never decides a run.
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import type { UslDiagnostic, UslFit } from '../types.js';

export interface UslPoint {
  concurrency: number;
  throughput: number;
}

/** Fewest distinct concurrencies a fit of three parameters needs. */
export const USL_MIN_POINTS = 4;

export function uslThroughput(n: number, p: { lambda: number; sigma: number; kappa: number }): number {
  return (p.lambda * n) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

/** N* = floor(sqrt((1 - sigma) / kappa)); null without coherency cost (no peak). */
export function uslPeak(sigma: number, kappa: number): number | null {
  if (!(kappa > 1e-12) || sigma >= 1) return null;
  return Math.max(1, Math.floor(Math.sqrt((1 - sigma) / kappa)));
}

/** Least squares of y = sigma a + kappa b (no intercept), clamped to >= 0: Gunther's linearization. */
function linearizedStart(points: UslPoint[], lambda: number): { sigma: number; kappa: number } {
  let saa = 0,
    sab = 0,
    sbb = 0,
    say = 0,
    sby = 0;
  for (const { concurrency: n, throughput: x } of points) {
    const y = (n * lambda) / x - 1;
    const a = n - 1;
    const b = n * (n - 1);
    saa += a * a;
    sab += a * b;
    sbb += b * b;
    say += a * y;
    sby += b * y;
  }
  const det = saa * sbb - sab * sab;
  if (!(Math.abs(det) > 1e-12)) return { sigma: 0.05, kappa: 1e-3 };
  const sigma = (say * sbb - sby * sab) / det;
  const kappa = (sby * saa - say * sab) / det;
  return { sigma: Math.min(0.99, Math.max(0, sigma)), kappa: Math.max(0, kappa) };
}

function sse(points: UslPoint[], p: { lambda: number; sigma: number; kappa: number }): number {
  return points.reduce((a, { concurrency, throughput }) => a + (uslThroughput(concurrency, p) - throughput) ** 2, 0);
}

/** Fits the three parameters; null when the optimizer yields nothing finite. */
export function fitUsl(points: UslPoint[]): UslFit | null {
  const sorted = [...points].sort((a, b) => a.concurrency - b.concurrency);
  const first = sorted[0];
  if (!first) return null;
  // Work in units of the highest throughput so residuals are O(1).
  const scale = Math.max(...sorted.map((p) => p.throughput));
  const x = sorted.map((p) => p.concurrency);
  const y = sorted.map((p) => p.throughput / scale);
  const lambda0 = first.throughput / first.concurrency / scale;
  const lin = linearizedStart(sorted, first.throughput / first.concurrency);
  const model =
    ([l, s, k]: number[]) =>
    (n: number) =>
      (l! * n) / (1 + s! * (n - 1) + k! * n * (n - 1));
  const jacobian =
    ([l, s, k]: number[]) =>
    (n: number) => {
      const d = 1 + s! * (n - 1) + k! * n * (n - 1);
      return [n / d, (-l! * n * (n - 1)) / (d * d), (-l! * n * n * (n - 1)) / (d * d)];
    };
  let best: { lambda: number; sigma: number; kappa: number; err: number } | null = null;
  for (const kappa0 of [lin.kappa, 1e-4, 1e-3, 1e-2, 1e-1]) {
    for (const sigma0 of [lin.sigma, 0.05]) {
      const r = levenbergMarquardt({ x, y }, model, {
        initialValues: [lambda0, sigma0, kappa0],
        minValues: [1e-12, 0, 0],
        maxValues: [lambda0 * 100, 1, 1],
        jacobianFunction: jacobian,
        maxIterations: 300,
        errorTolerance: 1e-12,
      });
      const [l, s, k] = r.parameterValues;
      if (![l, s, k].every((v) => Number.isFinite(v))) continue;
      const p = { lambda: l! * scale, sigma: s!, kappa: k! };
      const err = sse(sorted, p);
      if (!best || err < best.err) best = { ...p, err };
    }
  }
  if (!best) return null;
  const mean = sorted.reduce((a, p) => a + p.throughput, 0) / sorted.length;
  const sst = sorted.reduce((a, p) => a + (p.throughput - mean) ** 2, 0);
  const peak = uslPeak(best.sigma, best.kappa);
  return {
    lambda: best.lambda,
    sigma: best.sigma,
    kappa: best.kappa,
    peakConcurrency: peak,
    peakThroughput: peak === null ? null : uslThroughput(peak, best),
    r2: sst > 0 ? 1 - best.err / sst : 1,
    points: sorted.length,
  };
}

const f = (v: number, d: number) => Number(v.toPrecision(d)).toString();

/** The USL diagnostic of a closed-loop run: fitted only when the points pass the throughput peak. */
export function uslDiagnostic(points: UslPoint[], unit = 'connections'): UslDiagnostic {
  const usable = points.filter((p) => p.concurrency > 0 && Number.isFinite(p.throughput) && p.throughput > 0).sort((a, b) => a.concurrency - b.concurrency);
  const distinct = new Set(usable.map((p) => p.concurrency)).size;
  if (distinct < USL_MIN_POINTS) {
    return {
      status: 'too-few-points',
      detail: `USL not fitted: ${distinct} distinct concurrencies measured, at least ${USL_MIN_POINTS} needed`,
      fit: null,
      points: usable,
    };
  }
  let top = 0;
  usable.forEach((p, i) => {
    if (p.throughput > (usable[top] as UslPoint).throughput) top = i;
  });
  const peakPoint = usable[top] as UslPoint;
  const highest = (usable[usable.length - 1] as UslPoint).concurrency;
  if (peakPoint.concurrency >= highest) {
    return {
      status: 'peak-not-passed',
      detail: `USL not fitted: throughput was still highest at the highest concurrency measured (${highest} ${unit}), so the points do not pass the peak`,
      fit: null,
      points: usable,
    };
  }
  const fit = fitUsl(usable);
  if (!fit) return { status: 'fit-failed', detail: 'USL fit failed: the optimizer produced no finite parameters', fit: null, points: usable };
  const peak =
    fit.peakConcurrency === null ? 'no predicted peak (kappa 0)' : `predicted peak N* = ${fit.peakConcurrency} ${unit} at ${f(fit.peakThroughput ?? NaN, 4)}/s`;
  return {
    status: 'fitted',
    detail: `USL fit sigma ${f(fit.sigma, 3)}, kappa ${f(fit.kappa, 3)}, lambda ${f(fit.lambda, 4)}/s: ${peak} (R² ${fit.r2.toFixed(3)}, ${fit.points} points; measured peak ${f(peakPoint.throughput, 4)}/s at ${peakPoint.concurrency} ${unit})`,
    fit,
    points: usable,
  };
}
