// Pure: when each request of a rate step is meant to leave. Open loop: the
// schedule never waits for responses. Times are ms offsets from the step start.

export interface Pacer {
  /** Intended send offset (ms from step start) of the next request. */
  next(): number;
}

/** Uniform spacing: request i leaves at i * 1000 / rate. */
export function uniformPacer(rate: number): Pacer {
  const gapMs = 1000 / rate;
  let i = 0;
  return { next: () => i++ * gapMs };
}

/** mulberry32: small seeded PRNG, enough for arrival jitter. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Poisson arrivals: exponential gaps with mean 1000 / rate ms, seeded. */
export function poissonPacer(rate: number, seed: number): Pacer {
  const random = seededRandom(seed);
  const meanGap = 1000 / rate;
  let t = 0;
  let first = true;
  return {
    next: () => {
      if (first) {
        first = false;
        return 0;
      }
      t += -Math.log(1 - random()) * meanGap;
      return t;
    },
  };
}

export function createPacer(kind: 'uniform' | 'poisson', rate: number, seed: number): Pacer {
  return kind === 'poisson' ? poissonPacer(rate, seed) : uniformPacer(rate);
}
