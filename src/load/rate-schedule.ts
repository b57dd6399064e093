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

/** One load thread's part of a step's schedule: its requests' intended offsets and their global sequence numbers. */
export interface ThreadPacer extends Pacer {
  /** Global sequence number (0-based, over all threads) of the request next() returned last. */
  readonly index: number;
}

/**
 * Which of `threads` load threads sends request i of a Poisson stream: a seeded hash of i, independent
 * of the arrival times, so each thread's part is a Poisson stream of rate / threads (random thinning).
 */
export function poissonOwner(seed: number, i: number, threads: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ i;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) % threads;
}

/**
 * Thread `thread` of `threads`'s part of the schedule createPacer(kind, rate, seed) makes, cut at the
 * step's budget: uniform arrivals give it requests i = thread, thread + threads, ... (i mod threads);
 * Poisson arrivals, the whole stream thinned by poissonOwner. The parts of all threads together are
 * exactly the single-thread schedule, the same intended times, and hold maxRequests in all (next()
 * returns Infinity once the budget is reached).
 */
export function threadPacer(kind: 'uniform' | 'poisson', rate: number, seed: number, thread: number, threads: number, maxRequests: number): ThreadPacer {
  if (kind === 'uniform') {
    const gapMs = 1000 / rate;
    let i = thread - threads;
    return {
      get index() {
        return i;
      },
      next: () => {
        i += threads;
        return i < maxRequests ? i * gapMs : Infinity;
      },
    };
  }
  const all = poissonPacer(rate, seed);
  let i = -1;
  return {
    get index() {
      return i;
    },
    next: () => {
      for (;;) {
        const t = all.next();
        if (++i >= maxRequests) return Infinity;
        if (threads === 1 || poissonOwner(seed, i, threads) === thread) return t;
      }
    },
  };
}
