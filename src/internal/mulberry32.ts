/**
 * mulberry32: a tiny seeded pseudo-random generator, the same on every machine. For reproducible
 * randomness (injected faults, backoff jitter in tests), never for anything that must be secret.
 */
export function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
