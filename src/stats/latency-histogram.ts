// HDR histogram wrapper: values recorded in microseconds, read in ms.
// One histogram per window, merged into one per step; never per-request arrays.
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** 1 µs .. 10 min at 3 significant digits. */
export function createHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 32, autoResize: true });
}

export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentiles(h: Histogram): Percentiles {
  const count = h.totalCount;
  if (count === 0) return { count, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  return {
    count,
    p50: h.getValueAtPercentile(50) / 1000,
    p90: h.getValueAtPercentile(90) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    max: h.maxValue / 1000,
    mean: h.mean / 1000,
  };
}

export function p99Ms(h: Histogram): number {
  return h.totalCount === 0 ? 0 : h.getValueAtPercentile(99) / 1000;
}

/** A histogram as another thread receives it: HdrHistogram's compressed encoding, and its exact largest value (the encoding keeps only the bucket). */
export interface EncodedHistogram {
  data: string;
  max: number;
}

/** Encodes a histogram to send to another thread (cheap compression: it is sent, not stored). */
export function encodeHistogram(h: Histogram): EncodedHistogram {
  return { data: hdr.encodeIntoCompressedBase64(h, 1), max: h.maxValue };
}

/** The histogram encodeHistogram() sent, in createHistogram()'s layout, so it adds exactly into one (the same buckets, counts and max). */
export function decodeHistogram(e: EncodedHistogram): Histogram {
  const h = hdr.decodeFromCompressedBase64(e.data, 32, false);
  if (h.totalCount > 0) (h as unknown as { maxValue: number }).maxValue = e.max;
  return h;
}
