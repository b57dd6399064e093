// Seeded, stateless randomness for the request source: every draw is a hash of
// (seed, request sequence number i, salt), so any thread can compute the value
// of send i without a shared generator, and two runs with the same seed send
// the same sequence. Not for anything secret.

/** murmur3's 32-bit finalizer: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of (seed, i, salt); i may exceed 2^32 (its high part is mixed in too). */
export function hash32(seed: number, i: number, salt: number): number {
  const lo = i >>> 0;
  const hi = i > 0xffffffff ? Math.floor(i / 4294967296) >>> 0 : 0;
  let h = fmix32((seed ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ Math.imul(lo, 0xcc9e2d51)) >>> 0);
  h = fmix32((h ^ Math.imul(hi + 0x27d4eb2f, 0x1b873593)) >>> 0);
  return fmix32((h ^ Math.imul(salt + 1, 0x165667b1)) >>> 0);
}

/** A float in [0, 1) from (seed, i, salt). */
export function unit(seed: number, i: number, salt: number): number {
  return hash32(seed, i, salt) / 4294967296;
}

/** Salt of the weighted pick; placeholder slots use their own salts (slot number + SLOT_SALT). */
export const PICK_SALT = 0x5eed;
export const ROW_SALT = 0xda7a;
export const SLOT_SALT = 0x10000;

/**
 * Picks request indexes by weight: pick(i) is a pure function of (seed, i).
 * Cumulative thresholds on the 32-bit hash; one request is index 0 without hashing.
 */
export class WeightedPicker {
  private readonly cumulative: Uint32Array | Float64Array;
  private readonly n: number;

  constructor(
    weights: readonly number[],
    private readonly seed: number,
  ) {
    this.n = weights.length;
    const total = weights.reduce((a, b) => a + b, 0);
    const cum = new Float64Array(weights.length);
    let acc = 0;
    for (let k = 0; k < weights.length; k++) {
      acc += weights[k]!;
      cum[k] = k === weights.length - 1 ? 4294967296 : Math.floor((acc / total) * 4294967296);
    }
    this.cumulative = cum;
  }

  pick(i: number): number {
    if (this.n === 1) return 0;
    const h = hash32(this.seed, i, PICK_SALT);
    const cum = this.cumulative;
    // Few requests in a mix: a linear scan is faster than a search below ~16.
    if (this.n <= 16) {
      for (let k = 0; k < this.n - 1; k++) if (h < cum[k]!) return k;
      return this.n - 1;
    }
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h < cum[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
