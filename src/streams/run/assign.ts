/**
 * How records are assigned to the partitions of the next stage: by key hash (key group ranges), by
 * key range (the partitioning module's key → partition rules, the public partitioners' too), or
 * round-robin. One assignment per stage, shared by everything that routes into it, so
 * the round-robin turn and the key-group cache are the stage's, not each sender's. Assigning
 * allocates nothing: the partition is returned and the record's state key left in `key`, which
 * travels beside the record in its batch.
 */
import type { StageStep } from '../internal/logical-plan.js';
import type { PartitionKey } from '../partitioning/canonical-key.js';
import { createRoundRobinPartitioner, hashPartitioning, rangePartitioning } from '../partitioning/partitioner.js';
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
    const turns = createRoundRobinPartitioner<unknown>(step.partitions);
    return {
      name: step.name,
      partitions: step.partitions,
      keyed: false,
      key: null,
      assign: (record) => turns.partitionOf(record),
      partitionOfKey: () => 0,
    };
  }
  const { keyOf, boundaries, maxParallelism, partitions } = step;
  const byKey = boundaries === undefined ? hashPartitioning(partitions, maxParallelism) : rangePartitioning(boundaries);
  return {
    name: `${step.name}.keyBy`,
    partitions,
    keyed: true,
    key: null,
    assign(record) {
      const key: PartitionKey = keyOf(record);
      const index = byKey.partitionOfKey(key);
      this.key = stateKeyOf(key);
      return index;
    },
    partitionOfKey: (key) => byKey.partitionOfKey(key),
  };
}
