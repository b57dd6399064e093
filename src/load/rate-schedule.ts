// Pure: when each request of a rate step is meant to leave. Open loop: the
// schedule never waits for responses. Times are ms offsets from the step start.
import { seededRandom } from '../stats/seeded-random.js';

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
