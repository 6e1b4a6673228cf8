/**
 * The pipeline DSL: reads left to right and is typed end to end — the record type flows from the
 * source through every operator to the sink. Building a pipeline runs nothing; `run()` does.
 *
 * @example
 * ```ts
 * const counts = toArray<{ key: string; value: number }>();
 * await pipeline(fromFileLines('book.txt'))
 *   .flatMap((line) => line.toLowerCase().split(/[^\p{L}\p{N}]+/u))
 *   .filter((word) => word !== '')
 *   .keyBy((word) => word, { partitions: 4 })
 *   .reduce((count: number) => count + 1, () => 0, { emit: 'final' })
 *   .to(counts)
 *   .run().done;
 * ```
 */
import { InvalidOptionError } from '../errors.js';
import { isFunction, isObject, oneOf, withDefault } from '../internal/validate.js';
import type { EmitMode, LogicalStep } from './internal/logical-plan.js';
import type { PartitionKey } from './partitioning/canonical-key.js';
import { DEFAULT_MAX_PARALLELISM, MAX_MAX_PARALLELISM, checkParallelism } from './partitioning/key-groups.js';
import { createRangePartitioner } from './partitioning/partitioner.js';
import { runPipeline, type PipelineHandle, type RunOptions } from './run/run-pipeline.js';
import type { Sink } from './sinks/sink.js';
import type { Source } from './sources/source.js';

/** Options of `keyBy`: hash partitioning into `partitions`, or range partitioning by `boundaries`. */
export type KeyByOptions =
  | {
      /** How many partition actors the keyed stage runs as. */
      partitions: number;
      /**
       * Key groups: the most partitions the stage can later be scaled to.
       * @defaultValue 128
       */
      maxParallelism?: number | undefined;
    }
  | {
      /**
       * Sorted, distinct upper bounds of key ranges (strings, numbers or bigints): n boundaries
       * make n + 1 partitions, partition i taking the keys below `boundaries[i]`.
       */
      boundaries: readonly (string | number | bigint)[];
    };

/** Options of `rebalance`. */
export interface RebalanceOptions {
  /** How many actors share the stateless work that follows. */
  partitions: number;
  /** A name for metrics. */
  name?: string | undefined;
}

/** Options of keyed aggregations. */
export interface KeyedOutputOptions {
  /**
   * `'every'`: emit the key's updated value after each record (a changelog, for unbounded input);
   * `'final'`: emit each key's value once, when the input has ended.
   * @defaultValue 'every'
   */
  emit?: EmitMode | undefined;
  /** A name for metrics and dead letters. */
  name?: string | undefined;
}

/** What a keyed aggregation emits. */
export interface Keyed<TKey, TValue> {
  readonly key: TKey;
  readonly value: TValue;
}

/** An aggregation in three parts: a fresh accumulator per key, adding a record, reading a result. */
export interface KeyedAggregate<TRecord, TKey, TAcc, TOut> {
  create(key: TKey): TAcc;
  add(accumulator: TAcc, record: TRecord, key: TKey): TAcc;
  result(accumulator: TAcc, key: TKey): TOut;
}

/**
 * Starts a pipeline at `source`.
 * @throws InvalidOptionError when `source` is not a Source.
 */
export function pipeline<TRecord, TOffset>(source: Source<TRecord, TOffset>): Stream<TRecord> {
  const candidate = source as Partial<Source<TRecord, TOffset>> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.read !== 'function') {
    throw new InvalidOptionError('source', 'a Source (fromArray, fromFileLines, …)', source);
  }
  return new Stream<TRecord>(source as Source<unknown, unknown>, []);
}

/** A stream of `TRecord`s under construction. */
export class Stream<TRecord> {
  readonly #source: Source<unknown, unknown>;
  readonly #steps: readonly LogicalStep[];

  /** @internal Use {@link pipeline}. */
  constructor(source: Source<unknown, unknown>, steps: readonly LogicalStep[]) {
    this.#source = source;
    this.#steps = steps;
  }

  /** Transforms each record. */
  map<TOut>(fn: (record: TRecord) => TOut, name = 'map'): Stream<TOut> {
    isFunction('fn', fn);
    return this.#then({ kind: 'map', name, fn: fn as (record: unknown) => unknown });
  }

  /** Keeps the records `predicate` accepts. */
  filter<TKept extends TRecord>(predicate: (record: TRecord) => record is TKept, name?: string): Stream<TKept>;
  filter(predicate: (record: TRecord) => boolean, name?: string): Stream<TRecord>;
  filter(predicate: (record: TRecord) => boolean, name = 'filter'): Stream<TRecord> {
    isFunction('predicate', predicate);
    return this.#then({ kind: 'filter', name, fn: predicate as (record: unknown) => boolean });
  }

  /** Turns each record into any number of records. */
  flatMap<TOut>(fn: (record: TRecord) => Iterable<TOut>, name = 'flatMap'): Stream<TOut> {
    isFunction('fn', fn);
    return this.#then({ kind: 'flatMap', name, fn: fn as (record: unknown) => Iterable<unknown> });
  }

  /** Looks at each record (logging, metrics) and passes it on unchanged. */
  tap(fn: (record: TRecord) => void, name = 'tap'): Stream<TRecord> {
    isFunction('fn', fn);
    return this.#then({ kind: 'tap', name, fn: fn as (record: unknown) => void });
  }

  /**
   * Partitions the stream by key: records with equal keys go to the same partition actor, which
   * holds that key's state.
   * @throws InvalidOptionError for partitions outside [1, maxParallelism].
   */
  keyBy<TKey extends PartitionKey>(keyOf: (record: TRecord) => TKey, options: KeyByOptions): KeyedStream<TRecord, TKey> {
    isFunction('keyOf', keyOf);
    isObject('options', options);
    const key = keyOf as (record: unknown) => PartitionKey;
    if ('boundaries' in options) {
      const partitions = createRangePartitioner({ boundaries: options.boundaries, keyOf: (k: string) => k }).partitions;
      return new KeyedStream(this.#source, this.#steps, key, partitions, partitions, [...options.boundaries]);
    }
    const { partitions, maxParallelism } = checkParallelism(
      options.partitions,
      withDefault(options.maxParallelism, DEFAULT_MAX_PARALLELISM, (v) => v),
    );
    return new KeyedStream(this.#source, this.#steps, key, partitions, maxParallelism, undefined);
  }

  /**
   * Spreads the records round-robin over `partitions` actors, which run the stateless operators
   * that follow in parallel: for expensive per-record work with no key.
   * @throws InvalidOptionError unless `partitions` is a positive integer.
   */
  rebalance(options: RebalanceOptions): Stream<TRecord> {
    isObject('options', options);
    const partitions = checkParallelism(options.partitions, MAX_MAX_PARALLELISM).partitions;
    return this.#then({ kind: 'rebalance', name: options.name ?? 'rebalance', partitions });
  }

  /** Ends the pipeline at `sink`. */
  to(sink: Sink<TRecord>): Pipeline {
    const candidate = sink as Partial<Sink<TRecord>> | null;
    if (typeof candidate !== 'object' || candidate === null || typeof candidate.write !== 'function') {
      throw new InvalidOptionError('sink', 'a Sink (toArray, toCallback, …)', sink);
    }
    return new Pipeline(this.#source, this.#steps, sink as Sink<unknown>);
  }

  #then<TOut>(step: LogicalStep): Stream<TOut> {
    return new Stream<TOut>(this.#source, [...this.#steps, step]);
  }
}

/** A stream partitioned by `TKey`, ready for a keyed operator. */
export class KeyedStream<TRecord, TKey extends PartitionKey> {
  readonly #source: Source<unknown, unknown>;
  readonly #steps: readonly LogicalStep[];
  readonly #keyOf: (record: unknown) => PartitionKey;
  readonly #partitions: number;
  readonly #maxParallelism: number;
  readonly #boundaries: readonly (string | number | bigint)[] | undefined;

  /** @internal Use {@link Stream.keyBy}. */
  constructor(
    source: Source<unknown, unknown>,
    steps: readonly LogicalStep[],
    keyOf: (record: unknown) => PartitionKey,
    partitions: number,
    maxParallelism: number,
    boundaries: readonly (string | number | bigint)[] | undefined,
  ) {
    this.#source = source;
    this.#steps = steps;
    this.#keyOf = keyOf;
    this.#partitions = partitions;
    this.#maxParallelism = maxParallelism;
    this.#boundaries = boundaries;
  }

  /**
   * Folds each key's records into a value: `reduce(add, initial)` starts each key at `initial(key)`.
   * Emits `{ key, value }` per `options.emit`.
   */
  reduce<TValue>(
    add: (value: TValue, record: TRecord, key: TKey) => TValue,
    initial: (key: TKey) => TValue,
    options: KeyedOutputOptions = {},
  ): Stream<Keyed<TKey, TValue>> {
    isFunction('add', add);
    isFunction('initial', initial);
    return this.aggregate({ create: initial, add, result: (value) => value }, { name: 'reduce', ...options });
  }

  /** Folds each key's records with an accumulator and emits `result(accumulator)` as `{ key, value }`. */
  aggregate<TAcc, TOut>(
    aggregate: KeyedAggregate<TRecord, TKey, TAcc, TOut>,
    options: KeyedOutputOptions = {},
  ): Stream<Keyed<TKey, TOut>> {
    isObject('aggregate', aggregate);
    for (const part of ['create', 'add', 'result'] as const) isFunction(`aggregate.${part}`, aggregate[part]);
    isObject('options', options);
    const emit = withDefault<EmitMode>(options.emit, 'every', (v) => oneOf('emit', v, ['every', 'final'] as const));
    const step: LogicalStep = {
      kind: 'keyed',
      name: options.name ?? 'aggregate',
      keyOf: this.#keyOf,
      partitions: this.#partitions,
      maxParallelism: this.#maxParallelism,
      boundaries: this.#boundaries,
      create: aggregate.create as (key: PartitionKey) => unknown,
      add: aggregate.add as (accumulator: unknown, record: unknown, key: PartitionKey) => unknown,
      result: aggregate.result as (accumulator: unknown, key: PartitionKey) => unknown,
      emit,
    };
    return new Stream(this.#source, [...this.#steps, step]);
  }
}

/** A complete pipeline: source, operators, sink. Run it any number of times. */
export class Pipeline {
  readonly #source: Source<unknown, unknown>;
  readonly #steps: readonly LogicalStep[];
  readonly #sink: Sink<unknown>;

  /** @internal Use {@link Stream.to}. */
  constructor(source: Source<unknown, unknown>, steps: readonly LogicalStep[], sink: Sink<unknown>) {
    this.#source = source;
    this.#steps = steps;
    this.#sink = sink;
  }

  /**
   * Starts the pipeline. The handle's `done` resolves when the source has ended and everything has
   * drained into the sink, or rejects with the failure.
   * @throws InvalidOptionError for invalid run options.
   */
  run(options: RunOptions = {}): PipelineHandle {
    return runPipeline({ source: this.#source, steps: this.#steps, sink: this.#sink }, options);
  }
}
