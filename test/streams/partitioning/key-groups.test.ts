import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_PARALLELISM,
  createHashPartitioner,
  hashKey,
  keyGroupOf,
  keyGroupRange,
  partitionOfKeyGroup,
  canonicalKeyBytes,
  murmur3,
  type PartitionKey,
} from '../../../src/index.js';
import { KeyGroupCache, checkParallelism } from '../../../src/streams/partitioning/key-groups.js';
import { hashPartitioning } from '../../../src/streams/partitioning/partitioner.js';
import { partitionKeyArb } from './arbitraries.js';

describe('keyGroupOf', () => {
  // Pinned: a change here moves keys between partitions and strands their state. Never edit
  // these to make a test pass.
  it.each<[string, PartitionKey, number, number, number]>([
    ['user-42', 'user-42', 0x1c9b1ece, 78, 2],
    ['ada', 'ada', 0x65f5c554, 84, 2],
    ['the empty string', '', 0x889cdcc9, 73, 2],
    ['a non-ASCII string', 'ünïcødé', 0x55069f74, 116, 3],
    ['0', 0, 0x2a0b5022, 34, 1],
    ['-0', -0, 0x2a0b5022, 34, 1],
    ['1', 1, 0x5be216c4, 68, 2],
    ['1.5', 1.5, 0xf8e1e90d, 13, 0],
    ["'1'", '1', 0x2a679291, 17, 0],
    ['true', true, 0x6c27d09f, 31, 0],
    ['null', null, 0x514e28b7, 55, 1],
    ['a bigint', 12345678901234567890n, 0x676b1ae8, 104, 3],
    ['a tuple', ['tenant-7', 3], 0x2e77bb1a, 26, 0],
    ['bytes', new Uint8Array([1, 2, 3]), 0x466ff54f, 79, 2],
  ])('routes %s to its fixed hash, key group (of 128) and partition (of 4)', (_name, key, hash, group, partition) => {
    expect(hashKey(key)).toBe(hash);
    expect(keyGroupOf(key)).toBe(group);
    expect(createHashPartitioner({ partitions: 4, keyOf: (k: PartitionKey) => k }).partitionOf(key)).toBe(partition);
  });

  it('defaults to 128 key groups', () => {
    expect(DEFAULT_MAX_PARALLELISM).toBe(128);
  });

  it('hashes a string to the MurmurHash3 of its canonical bytes, ASCII or not, whatever its length', () => {
    const text = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ minLength: 200, maxLength: 300 }));
    fc.assert(
      fc.property(text, (key) => {
        expect(hashKey(key)).toBe(murmur3(canonicalKeyBytes(key)));
      }),
    );
  });

  it('puts a key in group hash mod maxParallelism, powers of two (masked) or not', () => {
    const maxParallelism = fc.oneof(
      fc.integer({ min: 0, max: 15 }).map((bits) => 2 ** bits),
      fc.integer({ min: 1, max: 32_768 }),
    );
    fc.assert(
      fc.property(partitionKeyArb, maxParallelism, (key, max) => {
        expect(keyGroupOf(key, max)).toBe(murmur3(canonicalKeyBytes(key)) % max);
      }),
    );
  });

  it('lands every key in [0, maxParallelism)', () => {
    fc.assert(
      fc.property(partitionKeyArb, fc.integer({ min: 1, max: 32_768 }), (key, maxParallelism) => {
        const group = keyGroupOf(key, maxParallelism);
        expect(Number.isInteger(group) && group >= 0 && group < maxParallelism).toBe(true);
      }),
    );
  });
});

describe('KeyGroupCache', () => {
  describe('keyGroupOf', () => {
    it('gives the key group keyGroupOf gives, for keys met again and again, short and long', () => {
      fc.assert(
        fc.property(
          fc.array(partitionKeyArb, { minLength: 1, maxLength: 20 }),
          fc.integer({ min: 1, max: 512 }),
          fc.integer({ min: 1, max: 8 }),
          (keys, maxParallelism, bound) => {
            const cache = new KeyGroupCache(maxParallelism, bound);
            for (const key of [...keys, ...keys, 'k'.repeat(40), ...keys]) expect(cache.keyGroupOf(key)).toBe(keyGroupOf(key, maxParallelism));
          },
        ),
      );
    });
  });
});

describe('keyGroupRange', () => {
  it('gives each partition a contiguous range, together covering every key group once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4096 }).chain((max) => fc.tuple(fc.constant(max), fc.integer({ min: 1, max }))),
        ([max, partitions]) => {
          let next = 0;
          for (let partition = 0; partition < partitions; partition++) {
            const { start, end } = keyGroupRange(partition, max, partitions);
            expect(start).toBe(next);
            expect(end).toBeGreaterThanOrEqual(start);
            next = end + 1;
          }
          expect(next).toBe(max);
        },
      ),
    );
  });

  it('agrees with partitionOfKeyGroup on every key group', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 512 }).chain((max) => fc.tuple(fc.constant(max), fc.integer({ min: 1, max }))),
        ([max, partitions]) => {
          for (let group = 0; group < max; group++) {
            const { start, end } = keyGroupRange(partitionOfKeyGroup(group, max, partitions), max, partitions);
            expect(group >= start && group <= end).toBe(true);
          }
        },
      ),
    );
  });
});

describe('createHashPartitioner', () => {
  it('routes every key to exactly one partition in [0, partitions), the same for every instance', () => {
    fc.assert(
      fc.property(fc.array(partitionKeyArb, { maxLength: 30 }), fc.integer({ min: 1, max: 128 }), (keys, partitions) => {
        const first = createHashPartitioner({ partitions, keyOf: (k: PartitionKey) => k });
        const second = createHashPartitioner({ partitions, keyOf: (k: PartitionKey) => k });
        for (const key of keys) {
          const partition = first.partitionOf(key);
          expect(Number.isInteger(partition) && partition >= 0 && partition < partitions).toBe(true);
          expect(second.partitionOf(key)).toBe(partition);
        }
      }),
    );
  });

  it('keeps a key in its key group when the partition count changes, so state moves by whole groups', () => {
    fc.assert(
      fc.property(partitionKeyArb, fc.integer({ min: 1, max: 128 }), fc.integer({ min: 1, max: 128 }), (key, from, to) => {
        const before = createHashPartitioner({ partitions: from, keyOf: (k: PartitionKey) => k });
        const after = createHashPartitioner({ partitions: to, keyOf: (k: PartitionKey) => k });
        const group = before.keyGroupOf(key);
        expect(after.keyGroupOf(key)).toBe(group);
        const { start, end } = keyGroupRange(after.partitionOf(key), 128, to);
        expect(group >= start && group <= end).toBe(true);
      }),
    );
  });

  it('spreads many keys over all partitions', () => {
    const partitioner = createHashPartitioner({ partitions: 8, keyOf: (k: string) => k });
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[partitioner.partitionOf(`user-${i}`)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(700);
  });

  it.each([
    [{ partitions: 0 }, '`partitions`'],
    [{ partitions: 1.5 }, '`partitions`'],
    [{ partitions: 129 }, '`partitions`'],
    [{ partitions: 4, maxParallelism: 0 }, '`maxParallelism`'],
    [{ partitions: 4, maxParallelism: 40_000 }, '`maxParallelism`'],
  ])('rejects %j naming %s', (options, name) => {
    expect(() => createHashPartitioner({ ...options, keyOf: (k: string) => k })).toThrow(name);
  });

  it('rejects a missing keyOf', () => {
    expect(() => createHashPartitioner({ partitions: 2 } as never)).toThrow('`keyOf`');
  });
});

describe('checkParallelism', () => {
  it('accepts up to maxParallelism partitions', () => {
    expect(checkParallelism(128, 128)).toEqual({ partitions: 128, maxParallelism: 128 });
  });
});

describe('hashPartitioning', () => {
  it('puts each key in the partition that owns its key group, whatever counts were partitioned before', () => {
    fc.assert(
      fc.property(
        // More distinct counts than the shared tables hold, in any order.
        fc.array(fc.tuple(fc.integer({ min: 1, max: 90 }), fc.constantFrom(90, 128, 1000)), { minLength: 1, maxLength: 80 }),
        fc.array(partitionKeyArb, { minLength: 1, maxLength: 5 }),
        (counts, keys) => {
          for (const [partitions, maxParallelism] of counts) {
            const byKey = hashPartitioning(partitions, maxParallelism);
            for (const key of keys) expect(byKey.partitionOfKey(key)).toBe(partitionOfKeyGroup(keyGroupOf(key, maxParallelism), maxParallelism, partitions));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
