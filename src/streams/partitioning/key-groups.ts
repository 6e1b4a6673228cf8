/**
 * Key groups: the unit of keyed state. A key's hash picks one of `maxParallelism` key groups, and
 * key groups map to partitions in contiguous ranges. A key's group never depends on the partition
 * count, so changing the count moves whole key groups — state can be redistributed by key group.
 */
import { InvalidOptionError } from '../../errors.js';
import { positiveInteger } from '../../internal/validate.js';
import { hashCanonical, hashCanonical32, type PartitionKey } from './canonical-key.js';

/** Default number of key groups: the most partitions a keyed stage can ever be scaled to. */
export const DEFAULT_MAX_PARALLELISM = 128;

/** The largest `maxParallelism` accepted. */
export const MAX_MAX_PARALLELISM = 32_768;

/** The stable 32-bit hash of a key: MurmurHash3 (seed 0) of its canonical bytes. */
export function hashKey(key: PartitionKey): number {
  return hashCanonical(key);
}

/**
 * The key group of `key`, in [0, maxParallelism).
 *
 * @example
 * ```ts
 * keyGroupOf('user-42', 128); // the same number in every run and on every machine
 * ```
 */
export function keyGroupOf(key: PartitionKey, maxParallelism: number = DEFAULT_MAX_PARALLELISM): number {
  const hash = hashCanonical32(key);
  // The same number either way; a mask spares the power-of-two counts (the default) a division.
  return (maxParallelism & (maxParallelism - 1)) === 0 ? hash & (maxParallelism - 1) : (hash >>> 0) % maxParallelism;
}

/**
 * The partition that owns `keyGroup` when `maxParallelism` groups are spread over `partitions`:
 * `floor(keyGroup × partitions / maxParallelism)`, so each partition owns one contiguous range.
 */
export function partitionOfKeyGroup(keyGroup: number, maxParallelism: number, partitions: number): number {
  return Math.floor((keyGroup * partitions) / maxParallelism);
}

/** An inclusive range of key groups. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

/** The key groups `partition` owns: exactly those for which `partitionOfKeyGroup` gives it. */
export function keyGroupRange(partition: number, maxParallelism: number, partitions: number): KeyGroupRange {
  return {
    start: Math.ceil((partition * maxParallelism) / partitions),
    end: Math.ceil(((partition + 1) * maxParallelism) / partitions) - 1,
  };
}

/**
 * Validates a partition count against `maxParallelism`, naming the options.
 * @throws InvalidOptionError unless 1 ≤ partitions ≤ maxParallelism ≤ 32768.
 */
export function checkParallelism(partitions: unknown, maxParallelism: unknown): { partitions: number; maxParallelism: number } {
  const max = positiveInteger('maxParallelism', maxParallelism);
  if (max > MAX_MAX_PARALLELISM) {
    throw new InvalidOptionError('maxParallelism', `an integer from 1 to ${MAX_MAX_PARALLELISM}`, maxParallelism);
  }
  const count = positiveInteger('partitions', partitions);
  if (count > max) throw new InvalidOptionError('partitions', `an integer from 1 to maxParallelism (${max})`, partitions);
  return { partitions: count, maxParallelism: max };
}

/** Strings this long or shorter hash faster from their characters than a Map finds them. */
const SHORT_STRING = 32;

/**
 * A key → key group lookup that remembers long string and number keys (real key sets repeat), up
 * to a bound after which it starts afresh; short strings, which hash faster than a Map finds them,
 * and other keys are hashed each time. Same answers as `keyGroupOf`.
 */
export class KeyGroupCache {
  readonly #maxParallelism: number;
  readonly #groups = new Map<string | number, number>();
  readonly #bound: number;

  constructor(maxParallelism: number, bound = 65_536) {
    this.#maxParallelism = maxParallelism;
    this.#bound = bound;
  }

  keyGroupOf(key: PartitionKey): number {
    if (!this.#remembers(key)) return keyGroupOf(key, this.#maxParallelism);
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = keyGroupOf(key, this.#maxParallelism);
      if (this.#groups.size >= this.#bound) this.#groups.clear();
      this.#groups.set(key, group);
    }
    return group;
  }

  #remembers(key: PartitionKey): key is string | number {
    return typeof key === 'string' ? key.length > SHORT_STRING : typeof key === 'number';
  }
}
