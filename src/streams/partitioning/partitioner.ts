/**
 * A partitioner decides which partition of a stage a record goes to. Three kinds: by key hash (the
 * default for keyed stages), by explicit key ranges, and round-robin (for stateless work). The
 * key → partition step of the first two (`hashPartitioning`, `rangePartitioning`) is the one the
 * pipeline runtime routes by too: there is a single record → partition rule in the code.
 */
import { isFunction, isObject, positiveInteger, withDefault } from '../../internal/validate.js';
import { InvalidKeyError, InvalidOptionError } from '../../errors.js';
import type { PartitionKey } from './canonical-key.js';
import { DEFAULT_MAX_PARALLELISM, KeyGroupCache, checkParallelism, keyGroupOf, partitionOfKeyGroup } from './key-groups.js';

/** The partition of a key in a keyed stage, shared by the public partitioners and the runtime. */
export interface KeyPartitioning {
  readonly partitions: number;
  /**
   * The partition that owns `key`.
   * @throws InvalidKeyError when `key` is not a {@link PartitionKey}, or (by range) not of the boundaries' type.
   */
  partitionOfKey(key: PartitionKey): number;
}

/**
 * By hash: key → key group → the partition owning that group's range. Key groups are remembered
 * for repeated long keys, and group → partition is a table, not a division per key.
 * Validated by the caller (`checkParallelism`).
 */
export function hashPartitioning(partitions: number, maxParallelism: number): KeyPartitioning {
  const groups = new KeyGroupCache(maxParallelism);
  const owners = ownersTable(partitions, maxParallelism);
  return {
    partitions,
    partitionOfKey: (key) => owners[groups.keyGroupOf(key)] as number,
  };
}

/**
 * Key group → partition tables by partition count and key groups: made once each and shared by
 * every run, since nothing writes to one after it is made (a test's many short runs make the same
 * few again and again). Bounded: past {@link MAX_OWNER_TABLES} counts, it starts over.
 */
const OWNERS = new Map<string, Int32Array>();
const MAX_OWNER_TABLES = 64;

function ownersTable(partitions: number, maxParallelism: number): Int32Array {
  const key = `${partitions}/${maxParallelism}`;
  let owners = OWNERS.get(key);
  if (owners === undefined) {
    owners = new Int32Array(maxParallelism);
    for (let group = 0; group < maxParallelism; group++) owners[group] = partitionOfKeyGroup(group, maxParallelism, partitions);
    if (OWNERS.size >= MAX_OWNER_TABLES) OWNERS.clear();
    OWNERS.set(key, owners);
  }
  return owners;
}

/** The kinds of key a range partitioning can order. */
const ORDERED_KINDS = new Set(['string', 'number', 'bigint']);

/**
 * By range: partition i takes keys below `boundaries[i]` and at or above the one before.
 * @throws InvalidOptionError naming `boundaries` unless they are sorted, distinct keys of one type.
 */
export function rangePartitioning(boundaries: readonly (string | number | bigint)[]): KeyPartitioning {
  if (!Array.isArray(boundaries)) throw new InvalidOptionError('boundaries', 'an array', boundaries);
  const kind = typeof boundaries[0];
  for (let i = 0; i < boundaries.length; i++) {
    const boundary = boundaries[i];
    const valid =
      typeof boundary === kind &&
      (kind === 'string' || kind === 'bigint' || (kind === 'number' && !Number.isNaN(boundary))) &&
      (i === 0 || (boundaries[i - 1] as string | number | bigint) < (boundary as string | number | bigint));
    if (!valid) throw new InvalidOptionError('boundaries', 'sorted, distinct keys of one type (string, number or bigint)', boundaries);
  }
  const frozen = [...boundaries];
  return {
    partitions: frozen.length + 1,
    partitionOfKey(key) {
      // Boundaries order keys of one type; any other key has no place among them. Without
      // boundaries, one partition takes every key that could be ordered.
      const fits = frozen.length === 0 ? ORDERED_KINDS.has(typeof key) : typeof key === kind;
      if (!fits || (typeof key === 'number' && Number.isNaN(key))) throw new InvalidKeyError(key);
      const ordered = key as string | number | bigint;
      let low = 0;
      let high = frozen.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (ordered < (frozen[mid] as string | number | bigint)) high = mid;
        else low = mid + 1;
      }
      return low;
    },
  };
}

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
  const byKey = hashPartitioning(partitions, maxParallelism);
  return {
    kind: 'hash',
    partitions,
    maxParallelism,
    keyGroupOf: (record) => keyGroupOf(keyOf(record), maxParallelism),
    partitionOf: (record) => byKey.partitionOfKey(keyOf(record)),
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
 * `partitionOf` throws InvalidKeyError for a key of another type than the boundaries.
 * @example
 * ```ts
 * const byAge = createRangePartitioner({ boundaries: [18, 65], keyOf: (p: { age: number }) => p.age });
 * byAge.partitionOf({ age: 40 }); // 1
 * ```
 */
export function createRangePartitioner<TRecord, TKey extends string | number | bigint>(options: RangePartitionerOptions<TRecord, TKey>): Partitioner<TRecord> {
  isObject('options', options);
  isFunction('keyOf', options.keyOf);
  const { keyOf } = options;
  const byKey = rangePartitioning(options.boundaries);
  return {
    kind: 'range',
    partitions: byKey.partitions,
    partitionOf: (record) => byKey.partitionOfKey(keyOf(record)),
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
