/**
 * How records are assigned to the partitions of the next stage: by key hash (key group ranges), by
 * key range, or round-robin. One assignment per stage, shared by everything that routes into it, so
 * the round-robin turn and the key-group cache are the stage's, not each sender's. Assigning
 * allocates nothing: the partition is returned and the record's state key left in `key`, which
 * travels beside the record in its batch.
 */
import { InvalidKeyError } from '../../errors.js';
import type { StageStep } from '../internal/logical-plan.js';
import type { PartitionKey } from '../partitioning/canonical-key.js';
import { KeyGroupCache, partitionOfKeyGroup } from '../partitioning/key-groups.js';
import { createRangePartitioner } from '../partitioning/partitioner.js';
import { stateKeyOf, type StateKey } from './state-key.js';

export interface Assignment {
  readonly name: string;
  readonly partitions: number;
  /** Whether records travel with a key (a keyed stage) or alone (round-robin). */
  readonly keyed: boolean;
  /**
   * The partition `record` goes to; for a keyed stage, its state key is then in `key`.
   * @throws whatever `keyOf` throws, or InvalidKeyError for a key that cannot be partitioned.
   */
  assign(record: unknown): number;
  /** The state key of the record last assigned (keyed stages); written by `assign`. */
  key: StateKey;
  /** The partition that holds `key`'s state (a keyed stage); 0 for round-robin, which holds none. */
  partitionOfKey(key: PartitionKey): number;
}

export function assignmentFor(step: StageStep): Assignment {
  if (step.kind === 'rebalance') {
    let turn = 0;
    return {
      name: step.name,
      partitions: step.partitions,
      keyed: false,
      key: null,
      assign() {
        const index = turn;
        turn = turn + 1 === step.partitions ? 0 : turn + 1;
        return index;
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
      keyed: true,
      key: null,
      assign(record) {
        const key = keyOf(record);
        // Range boundaries order keys of one type; any other key has no place among them.
        if (typeof key !== kind || (typeof key === 'number' && Number.isNaN(key))) throw new InvalidKeyError(key);
        this.key = stateKeyOf(key);
        return range.partitionOf(key as string | number | bigint);
      },
      partitionOfKey: (key) => range.partitionOf(key as string | number | bigint),
    };
  }
  const groups = new KeyGroupCache(maxParallelism);
  // Key group → partition, worked out once rather than with a division per record.
  const owners = Int32Array.from({ length: maxParallelism }, (_, group) => partitionOfKeyGroup(group, maxParallelism, partitions));
  return {
    name: `${step.name}.keyBy`,
    partitions,
    keyed: true,
    key: null,
    assign(record) {
      const key: PartitionKey = keyOf(record);
      const index = owners[groups.keyGroupOf(key)] as number;
      this.key = stateKeyOf(key);
      return index;
    },
    partitionOfKey: (key) => owners[groups.keyGroupOf(key)] as number,
  };
}
