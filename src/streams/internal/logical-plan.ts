/**
 * The logical plan a pipeline builder records: a source, a list of stages, and a sink. Stateless
 * operators are kept as a flat list of steps so the planner can fuse each run of them into one
 * function chain that runs inside one actor (no actor per `map`).
 */
import type { PartitionKey } from '../partitioning/canonical-key.js';
import type { Sink } from '../sinks/sink.js';
import type { Source } from '../sources/source.js';

/** One stateless operator. */
export type StatelessStep =
  | { readonly kind: 'map'; readonly name: string; readonly fn: (record: unknown) => unknown }
  | { readonly kind: 'filter'; readonly name: string; readonly fn: (record: unknown) => boolean }
  | { readonly kind: 'flatMap'; readonly name: string; readonly fn: (record: unknown) => Iterable<unknown> }
  | { readonly kind: 'tap'; readonly name: string; readonly fn: (record: unknown) => void };

/** When a keyed aggregation emits: on every record (a running value), or once per key at the end. */
export type EmitMode = 'every' | 'final';

/** A keyed aggregation: per key, fold records into an accumulator and emit `{ key, value }`. */
export interface KeyedStep {
  readonly kind: 'keyed';
  readonly name: string;
  readonly keyOf: (record: unknown) => PartitionKey;
  readonly partitions: number;
  readonly maxParallelism: number;
  /** Sorted upper bounds for range partitioning; undefined for hash partitioning by key group. */
  readonly boundaries: readonly (string | number | bigint)[] | undefined;
  readonly create: (key: PartitionKey) => unknown;
  readonly add: (accumulator: unknown, record: unknown, key: PartitionKey) => unknown;
  readonly result: (accumulator: unknown, key: PartitionKey) => unknown;
  readonly emit: EmitMode;
}

/** Round-robin repartitioning for stateless work: `partitions` actors share the records evenly. */
export interface RebalanceStep {
  readonly kind: 'rebalance';
  readonly name: string;
  readonly partitions: number;
}

/** A step that starts a new stage of partition actors. */
export type StageStep = KeyedStep | RebalanceStep;

export type LogicalStep = StatelessStep | StageStep;

export interface LogicalPlan {
  readonly source: Source<unknown, unknown>;
  readonly steps: readonly LogicalStep[];
  readonly sink: Sink<unknown>;
}
