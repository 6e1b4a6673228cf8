/**
 * A partitioner decides which partition of a stage a record goes to. Three kinds: by key hash (the
 * default for keyed stages), by explicit key ranges, and round-robin (for stateless work).
 */
import { isFunction, isObject, positiveInteger, withDefault } from '../../internal/validate.js';
import { InvalidOptionError } from '../../errors.js';
import type { PartitionKey } from './canonical-key.js';
import { DEFAULT_MAX_PARALLELISM, checkParallelism, keyGroupOf, partitionOfKeyGroup } from './key-groups.js';

/** Routes records of type `TRecord` to partitions in [0, partitions). */
export interface Partitioner<TRecord> {
  readonly kind: 'hash' | 'range' | 'round-robin';
  readonly partitions: number;
  /**
   * The partition for `record`.
   * @throws InvalidKeyError when the record's key is not a {@link PartitionKey}.
   */
  partitionOf(record: TRecord): number;
}

/** Options of {@link createHashPartitioner}. */
export interface HashPartitionerOptions<TRecord> {
  /** How many partitions; at most `maxParallelism`. */
  partitions: number;
  /** The record's key. */
  keyOf: (record: TRecord) => PartitionKey;
  /**
   * Key groups: the most partitions this stage can be rescaled to without re-keying.
   * @defaultValue 128
   */
  maxParallelism?: number | undefined;
}

/**
 * Routes by key: hash → key group → the partition owning that group's range.
 *
 * @throws InvalidOptionError for a partition count outside [1, maxParallelism] or a missing `keyOf`.
 * @example
 * ```ts
 * const byUser = createHashPartitioner({ partitions: 4, keyOf: (event: { user: string }) => event.user });
 * byUser.partitionOf({ user: 'ada' }); // the same partition in every run
 * ```
 */
export function createHashPartitioner<TRecord>(options: HashPartitionerOptions<TRecord>): Partitioner<TRecord> & {
  readonly maxParallelism: number;
  keyGroupOf(record: TRecord): number;
} {
  isObject('options', options);
  isFunction('keyOf', options.keyOf);
  const { partitions, maxParallelism } = checkParallelism(
    options.partitions,
    withDefault(options.maxParallelism, DEFAULT_MAX_PARALLELISM, (v) => v),
  );
  const { keyOf } = options;
  return {
    kind: 'hash',
    partitions,
    maxParallelism,
    keyGroupOf: (record) => keyGroupOf(keyOf(record), maxParallelism),
    partitionOf: (record) => partitionOfKeyGroup(keyGroupOf(keyOf(record), maxParallelism), maxParallelism, partitions),
  };
}

/** Options of {@link createRangePartitioner}. */
export interface RangePartitionerOptions<TRecord, TKey extends string | number | bigint> {
  /**
   * Sorted, distinct upper bounds: partition i takes keys below `boundaries[i]` (and at or above
   * the one before); the last partition takes the rest. n boundaries make n + 1 partitions.
   */
  boundaries: readonly TKey[];
  keyOf: (record: TRecord) => TKey;
}

/**
 * Routes by explicit key ranges, for keys with a natural order (time buckets, id ranges).
 *
 * @throws InvalidOptionError when `boundaries` is not sorted and distinct, or mixes types.
 * @example
 * ```ts
 * const byAge = createRangePartitioner({ boundaries: [18, 65], keyOf: (p: { age: number }) => p.age });
 * byAge.partitionOf({ age: 40 }); // 1
 * ```
 */
export function createRangePartitioner<TRecord, TKey extends string | number | bigint>(
  options: RangePartitionerOptions<TRecord, TKey>,
): Partitioner<TRecord> {
  isObject('options', options);
  isFunction('keyOf', options.keyOf);
  const { boundaries, keyOf } = options;
  if (!Array.isArray(boundaries)) throw new InvalidOptionError('boundaries', 'an array', boundaries);
  const kind = typeof boundaries[0];
  for (let i = 0; i < boundaries.length; i++) {
    const boundary = boundaries[i] as TKey;
    const valid =
      typeof boundary === kind &&
      (kind === 'string' || kind === 'bigint' || (kind === 'number' && !Number.isNaN(boundary))) &&
      (i === 0 || (boundaries[i - 1] as TKey) < boundary);
    if (!valid) throw new InvalidOptionError('boundaries', 'sorted, distinct keys of one type (string, number or bigint)', boundaries);
  }
  const frozen = [...boundaries];
  return {
    kind: 'range',
    partitions: frozen.length + 1,
    partitionOf(record) {
      const key = keyOf(record);
      let low = 0;
      let high = frozen.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (key < (frozen[mid] as TKey)) high = mid;
        else low = mid + 1;
      }
      return low;
    },
  };
}

/**
 * Spreads records evenly over `partitions` in turn, whatever they hold: for stateless stages.
 *
 * @throws InvalidOptionError unless `partitions` is a positive integer.
 */
export function createRoundRobinPartitioner<TRecord>(partitions: number): Partitioner<TRecord> {
  const count = positiveInteger('partitions', partitions);
  let next = 0;
  return {
    kind: 'round-robin',
    partitions: count,
    partitionOf() {
      const partition = next;
      next = next + 1 === count ? 0 : next + 1;
      return partition;
    },
  };
}
