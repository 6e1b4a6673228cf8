import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidKeyError, InvalidOptionError, createRangePartitioner, createRoundRobinPartitioner } from '../../../src/index.js';

describe('createRangePartitioner', () => {
  it('puts a key in the partition of the first boundary above it, as a linear scan does', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { maxLength: 10 }).map((b) => [...b].sort((x, y) => x - y)),
        fc.array(fc.integer({ min: -1100, max: 1100 }), { maxLength: 50 }),
        (boundaries, keys) => {
          const partitioner = createRangePartitioner({ boundaries, keyOf: (k: number) => k });
          expect(partitioner.partitions).toBe(boundaries.length + 1);
          for (const key of keys) {
            const scan = boundaries.findIndex((boundary) => key < boundary);
            expect(partitioner.partitionOf(key)).toBe(scan === -1 ? boundaries.length : scan);
          }
        },
      ),
    );
  });

  it('refuses a key of another type than its boundaries with InvalidKeyError, and takes every orderable key without boundaries', () => {
    const byAge = createRangePartitioner({ boundaries: [18, 65], keyOf: (k: unknown) => k as number });
    expect(() => byAge.partitionOf('forty')).toThrow(InvalidKeyError);
    expect(() => byAge.partitionOf(Number.NaN)).toThrow(InvalidKeyError);
    const single = createRangePartitioner({ boundaries: [], keyOf: (k: unknown) => k as string });
    expect(['a', 7, 3n].map((k) => single.partitionOf(k))).toEqual([0, 0, 0]);
    expect(() => single.partitionOf({})).toThrow(InvalidKeyError);
  });

  it('orders string keys by JavaScript string order', () => {
    const partitioner = createRangePartitioner({ boundaries: ['g', 'p'], keyOf: (name: string) => name });
    expect(['apple', 'grape', 'orange', 'pear', 'zucchini'].map((k) => partitioner.partitionOf(k))).toEqual([0, 1, 1, 2, 2]);
  });

  it.each([
    ['unsorted', [3, 1]],
    ['repeated', [1, 1]],
    ['mixed types', [1, 'b']],
    ['NaN', [Number.NaN]],
  ])('rejects %s boundaries with InvalidOptionError naming `boundaries`', (_what, boundaries) => {
    expect(() => createRangePartitioner({ boundaries: boundaries as number[], keyOf: (k: number) => k })).toThrow(InvalidOptionError);
    expect(() => createRangePartitioner({ boundaries: boundaries as number[], keyOf: (k: number) => k })).toThrow('`boundaries`');
  });
});

describe('createRoundRobinPartitioner', () => {
  it('deals records to partitions in turn', () => {
    const partitioner = createRoundRobinPartitioner<string>(3);
    expect(Array.from({ length: 7 }, () => partitioner.partitionOf('x'))).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('rejects a partition count that is not a positive integer', () => {
    expect(() => createRoundRobinPartitioner(0)).toThrow('`partitions`');
    expect(() => createRoundRobinPartitioner(2.5)).toThrow('`partitions`');
  });
});
