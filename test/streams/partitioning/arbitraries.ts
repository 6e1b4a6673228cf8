/** fast-check arbitraries shared by the partitioning tests. */
import fc from 'fast-check';
import type { PartitionKey } from '../../../src/index.js';

/** Keys of every supported shape, tuples nested a few levels. */
export const partitionKeyArb: fc.Arbitrary<PartitionKey> = fc.letrec<{ key: PartitionKey }>((tie) => ({
  key: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string(),
    fc.double(),
    fc.bigInt(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 8 }),
    fc.array(tie('key'), { maxLength: 3 }),
  ),
})).key;
