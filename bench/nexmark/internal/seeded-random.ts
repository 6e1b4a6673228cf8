/**
 * A seedable pseudo-random generator that can be re-seeded in place: the generator seeds it once
 * per event, from the event number, so any event can be made again on its own and making one
 * allocates nothing for randomness. The algorithm is mulberry32, the same as
 * src/internal/mulberry32.ts (whose closure cannot be re-seeded).
 */

/** mulberry32 with a settable state, and the draws the generator needs. */
export class SeededRandom {
  #state = 0;

  constructor(seed = 0) {
    this.reseed(seed);
  }

  /** Starts the sequence of `seed` (a 32-bit integer; other numbers are truncated to one). */
  reseed(seed: number): void {
    this.#state = seed | 0;
  }

  /** The next number in [0, 1), with 32 bits of randomness. */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.#state ^ (this.#state >>> 15), 1 | this.#state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, bound), for 1 ≤ bound ≤ 2^32 (the bias is below bound / 2^32). */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** One of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/**
 * The seed of event `eventNumber` in a stream seeded `seed`. Consecutive event numbers give
 * consecutive states, which mulberry32's output function mixes well; the high half of a large
 * event number is folded in so that numbers 2^32 apart do not share a sequence. (Two events whose
 * numbers differ by a multiple of mulberry32's increment, mod 2^32, share draws shifted by that
 * multiple; the nearest such pair is about 64 million events apart, 7 draws shifted: harmless for
 * a benchmark's data.)
 */
export function eventSeed(eventNumber: number, seed: number): number {
  const high = Math.floor(eventNumber / 4294967296);
  return (eventNumber ^ Math.imul(high, 0x85ebca6b) ^ Math.imul(seed, 0x9e3779b9)) | 0;
}
