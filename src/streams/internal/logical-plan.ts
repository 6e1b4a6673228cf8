/**
 * The logical plan a pipeline builder records: a source, a list of stages, and a sink. Stateless
 * operators are kept as a flat list of steps so the planner can fuse each run of them into one
 * function chain that runs inside one actor (no actor per `map`).
 */
import type { PartitionKey } from '../partitioning/canonical-key.js';
import type { Sink } from '../sinks/sink.js';
import type { Source } from '../sources/source.js';
import type { TimeWindow, WindowAssigner } from '../time/windows.js';
import type { ProcessFunction } from '../process-function.js';
import type { StageStateVersioning } from '../stage-state.js';

/** One stateless operator. */
export type StatelessStep =
  | { readonly kind: 'map'; readonly name: string; readonly fn: (record: unknown) => unknown }
  | { readonly kind: 'filter'; readonly name: string; readonly fn: (record: unknown) => boolean }
  | { readonly kind: 'flatMap'; readonly name: string; readonly fn: (record: unknown) => Iterable<unknown> }
  | { readonly kind: 'tap'; readonly name: string; readonly fn: (record: unknown) => void };

/**
 * Gives each record an event time and makes the stream timed from here on: the actor that runs
 * it also generates watermarks (bounded out-of-orderness, idle after a silence).
 */
export interface TimestampStep {
  readonly kind: 'timestamps';
  readonly name: string;
  readonly timestampOf: (record: unknown) => number;
  readonly maxOutOfOrdernessMs: number;
  readonly idleTimeoutMs: number;
}

/** A step that runs inside whichever actor holds the records at that point. */
export type ChainStep = StatelessStep | TimestampStep;

/** When a keyed aggregation emits: on every record (a running value), or once per key at the end. */
export type EmitMode = 'every' | 'final';

/** Per key, fold records into an accumulator and emit `{ key, value }`. */
export interface AggregateOperator {
  readonly kind: 'aggregate';
  readonly create: (key: PartitionKey) => unknown;
  readonly add: (accumulator: unknown, record: unknown, key: PartitionKey) => unknown;
  readonly result: (accumulator: unknown, key: PartitionKey) => unknown;
  readonly emit: EmitMode;
}

/** Per key and event-time window, fold records and emit `{ key, window, value, late }` when it fires. */
export interface WindowOperator {
  readonly kind: 'window';
  readonly assigner: WindowAssigner;
  readonly allowedLatenessMs: number;
  readonly create: (key: PartitionKey) => unknown;
  readonly add: (accumulator: unknown, record: unknown, key: PartitionKey) => unknown;
  readonly merge: ((a: unknown, b: unknown, key: PartitionKey) => unknown) | undefined;
  readonly result: (accumulator: unknown, key: PartitionKey, window: TimeWindow) => unknown;
  /** Where records too late for every window go; undefined: the dead-letter output. */
  readonly lateRecords: Sink<unknown> | undefined;
}

/** A user function with per-key state and timers that emits whatever it likes. */
export interface ProcessOperator {
  readonly kind: 'process';
  readonly fn: ProcessFunction<unknown, PartitionKey, unknown, unknown>;
}

export type KeyedOperator = AggregateOperator | WindowOperator | ProcessOperator;

/**
 * How a stage's input records cross to another thread when they are not plain data: `encode`
 * makes plain data of a record before it crosses, `decode` the record again on the other side.
 */
export interface RecordCodec<TRecord = unknown> {
  encode(record: TRecord): unknown;
  decode(data: unknown): TRecord;
}

/** A keyed stage: records partitioned by key, each partition an actor holding its keys' state. */
export interface KeyedStep {
  readonly kind: 'keyed';
  readonly name: string;
  readonly keyOf: (record: unknown) => PartitionKey;
  readonly partitions: number;
  readonly maxParallelism: number;
  /** Sorted upper bounds for range partitioning; undefined for hash partitioning by key group. */
  readonly boundaries: readonly (string | number | bigint)[] | undefined;
  /** How the stage's input records cross threads; undefined: as they are (plain data). */
  readonly codec?: RecordCodec | undefined;
  /** The stage's id in checkpoints (when given), its state's version, and the migration from older ones. */
  readonly state: StageStateVersioning;
  readonly operator: KeyedOperator;
}

/** Round-robin repartitioning for stateless work: `partitions` actors share the records evenly. */
export interface RebalanceStep {
  readonly kind: 'rebalance';
  readonly name: string;
  readonly partitions: number;
  /** How the stage's input records cross threads; undefined: as they are (plain data). */
  readonly codec?: RecordCodec | undefined;
}

/** A step that starts a new stage of partition actors. */
export type StageStep = KeyedStep | RebalanceStep;

export type LogicalStep = ChainStep | StageStep;

/** A complete pipeline as built. */
export interface LogicalPlan {
  readonly source: Source<unknown, unknown>;
  readonly steps: readonly LogicalStep[];
  readonly sink: Sink<unknown>;
}

/** A stream under construction: where it starts, its steps so far, and whether it carries event time. */
export interface StreamSoFar {
  readonly source: Source<unknown, unknown>;
  readonly steps: readonly LogicalStep[];
  readonly timed: boolean;
}

/** `so far` with one more step; `timed` when the step gives records event times. */
export function withStep(soFar: StreamSoFar, step: LogicalStep, timed = soFar.timed): StreamSoFar {
  return { source: soFar.source, steps: [...soFar.steps, step], timed };
}
