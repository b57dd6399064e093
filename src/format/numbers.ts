// Numbers in sentences and tables for people: one way to write a share and a
// measured figure across the detector's reasons, compare and gate.

/** A share as a percentage, `0.123` -> `12.3%`; `-` when there is none (null, NaN, infinite). */
export function percent(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(digits)}%`;
}

/** A change as a signed percentage, `0.05` -> `+5.0%`, `-0.2` -> `-20.0%`; `-` when there is none. */
export function signedPercent(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(digits)}%`;
}

/** A measured figure: whole from 100 up, else `digits` significant digits without trailing zeros (41.2, 0.0375); `-` when there is none. */
export function figure(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(digits)).toString();
}
