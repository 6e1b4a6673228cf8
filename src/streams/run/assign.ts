/**
 * How records are assigned to the partitions of the next stage: by key hash (key group ranges), by
 * key range, or round-robin. One assignment per stage, shared by everything that routes into it, so
 * the round-robin turn and the key-group cache are the stage's, not each sender's.
 */
import { InvalidKeyError } from '../../errors.js';
import type { StageStep } from '../internal/logical-plan.js';
import type { PartitionKey } from '../partitioning/canonical-key.js';
import { KeyGroupCache, partitionOfKeyGroup } from '../partitioning/key-groups.js';
import { createRangePartitioner } from '../partitioning/partitioner.js';
import type { KeyedEntry } from './messages.js';
import { stateKeyOf } from './state-key.js';

/** Where one record goes: the partition index, and what travels (the record, or key and record). */
export interface Assigned {
  readonly index: number;
  readonly entry: unknown;
}

export interface Assignment {
  readonly name: string;
  readonly partitions: number;
  /** @throws whatever `keyOf` throws, or InvalidKeyError for a key that cannot be partitioned. */
  assign(record: unknown): Assigned;
  /** The partition that holds `key`'s state (a keyed stage); 0 for round-robin, which holds none. */
  partitionOfKey(key: PartitionKey): number;
}

export function assignmentFor(step: StageStep): Assignment {
  if (step.kind === 'rebalance') {
    let turn = 0;
    return {
      name: step.name,
      partitions: step.partitions,
      assign(record) {
        const index = turn;
        turn = turn + 1 === step.partitions ? 0 : turn + 1;
        return { index, entry: record };
      },
      partitionOfKey: () => 0,
    };
  }
  const { keyOf, boundaries, maxParallelism, partitions } = step;
  if (boundaries !== undefined) {
    const range = createRangePartitioner({ boundaries, keyOf: (key: string | number | bigint) => key });
    const kind = typeof boundaries[0];
    return {
      name: `${step.name}.keyBy`,
      partitions,
      assign(record) {
        const key = keyOf(record);
        // Range boundaries order keys of one type; any other key has no place among them.
        if (typeof key !== kind || (typeof key === 'number' && Number.isNaN(key))) throw new InvalidKeyError(key);
        return { index: range.partitionOf(key as string | number | bigint), entry: { key: stateKeyOf(key as PartitionKey), record } satisfies KeyedEntry };
      },
      partitionOfKey: (key) => range.partitionOf(key as string | number | bigint),
    };
  }
  const groups = new KeyGroupCache(maxParallelism);
  return {
    name: `${step.name}.keyBy`,
    partitions,
    assign(record) {
      const key: PartitionKey = keyOf(record);
      const index = partitionOfKeyGroup(groups.keyGroupOf(key), maxParallelism, partitions);
      return { index, entry: { key: stateKeyOf(key), record } satisfies KeyedEntry };
    },
    partitionOfKey: (key) => partitionOfKeyGroup(groups.keyGroupOf(key), maxParallelism, partitions),
  };
}
