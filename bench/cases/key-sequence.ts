/**
 * A fixed pseudo-random sequence of key indexes for the keyed benchmarks: a 32-bit LCG (Numerical
 * Recipes constants), deterministic across runs and machines, precomputed so no timed loop pays
 * for generating it.
 */
export function keySequence(keys: number, count: number): Uint32Array {
  const sequence = new Uint32Array(count);
  let seed = 0x2545f491;
  for (let i = 0; i < count; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    sequence[i] = seed % keys;
  }
  return sequence;
}

/**
 * A fixed Zipf-like sequence (exponent 1) of key indexes: rank r is drawn with weight 1/r, the way
 * words, users and products are in real traffic, and ranks are scattered over [0, keys) by a fixed
 * odd multiplier so that hot keys are not simply the first ones inserted.
 */
export function zipfKeySequence(keys: number, count: number): Uint32Array {
  const cumulative = new Float64Array(keys);
  let total = 0;
  for (let rank = 0; rank < keys; rank++) cumulative[rank] = total += 1 / (rank + 1);
  const uniform = keySequence(0x7fffffff, count);
  const sequence = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const target = ((uniform[i] as number) / 0x7fffffff) * total;
    let low = 0;
    let high = keys - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((cumulative[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    sequence[i] = Number((BigInt(low) * 2654435761n) % BigInt(keys));
  }
  return sequence;
}

/** Keys 0 … keys − 1, each with the value 0: the initial state of the keyed cases. */
export function filledKeys(keys: number): (readonly [number, number])[] {
  return Array.from({ length: keys }, (_, k) => [k, 0] as const);
}

/**
 * The plain-Map floor of the keyed cases: increments the value of each key in `sequence` and
 * returns the sum of the new values. Only ever given Maps: a loop shared with KeyedState would turn
 * polymorphic and slow both sides of the comparison, so KeyedState keeps a loop of its own.
 */
export function incrementInMap(map: Map<number, number>, sequence: Uint32Array): number {
  let sum = 0;
  for (let i = 0; i < sequence.length; i++) {
    const key = sequence[i] as number;
    const value = (map.get(key) as number) + 1;
    map.set(key, value);
    sum += value;
  }
  return sum;
}
