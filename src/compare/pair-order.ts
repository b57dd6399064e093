// Run order for the interleaved A/B gate: which run of each pair goes first.
// Pairs are taken in blocks of two with opposite orders (ABBA or BAAB, chosen at random per
// block), so any drift or "second run is warmer" effect hits base and head equally often and
// cancels in the mean of the log ratios. An odd last pair gets a random order.
// The PRNG is seeded so a gate's plan is reproducible (seed it from the commit, say).
import { seededRandom } from '../stats/seeded-random.js';

export type PairOrder = 'base-first' | 'head-first';

/** A 32-bit seed from any string (FNV-1a), e.g. a commit SHA or a CI run id. */
export function seedFromString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Order within each of `n` pairs, balanced in blocks of two (ABBA / BAAB), randomised by `seed`.
 * Over any even prefix, base-first and head-first occur equally often; over an odd one, they
 * differ by one.
 */
export function pairOrders(n: number, seed: number): PairOrder[] {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`pairOrders: n must be a non-negative integer, got ${n}`);
  }
  const rand = seededRandom(seed);
  const orders: PairOrder[] = [];
  while (orders.length < n) {
    const first: PairOrder = rand() < 0.5 ? 'base-first' : 'head-first';
    const second: PairOrder = first === 'base-first' ? 'head-first' : 'base-first';
    orders.push(first);
    if (orders.length < n) orders.push(second);
  }
  return orders;
}

/** The runs in execution order: pair index and which side, e.g. for a progress plan. */
export function runSequence(orders: readonly PairOrder[]): { pair: number; side: 'base' | 'head' }[] {
  return orders.flatMap((order, pair) =>
    order === 'base-first'
      ? [
          { pair, side: 'base' as const },
          { pair, side: 'head' as const },
        ]
      : [
          { pair, side: 'head' as const },
          { pair, side: 'base' as const },
        ],
  );
}
