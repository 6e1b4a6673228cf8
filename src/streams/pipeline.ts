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
import { isFunction, isObject, nonNegativeNumber, positiveNumberOrInfinity, withDefault } from '../internal/validate.js';
import { withStep, type LogicalPlan, type LogicalStep, type RecordCodec, type StreamSoFar, type TimestampStep } from './internal/logical-plan.js';
import { KeyedStream, type StreamOf } from './keyed-stream.js';
import type { PartitionKey } from './partitioning/canonical-key.js';
import { DEFAULT_MAX_PARALLELISM, MAX_MAX_PARALLELISM, checkParallelism } from './partitioning/key-groups.js';
import { rangePartitioning } from './partitioning/partitioner.js';
import type { PipelineHandle } from './pipeline-handle.js';
import type { RunOptions } from './run-options.js';
import { runPipeline } from './job/run-pipeline.js';
import type { Sink } from './sinks/sink.js';
import type { Source } from './sources/source.js';

/** Options of `keyBy` and `rebalance` for a job on worker threads. */
export interface CrossingOptions<TRecord> {
  /**
   * How the records going into this stage cross to another thread, when they are not plain data
   * (class instances, say): `encode` before they cross, `decode` after. Used only where a record
   * does cross; on one thread records go as they are.
   */
  codec?: RecordCodec<TRecord> | undefined;
}

/** Options of `keyBy`: hash partitioning into `partitions`, or range partitioning by `boundaries`. */
export type KeyByOptions<TRecord = unknown> = CrossingOptions<TRecord> &
  (
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
      }
  );

/** Options of `withTimestamps`. */
export interface TimestampOptions {
  /**
   * How far, in event-time milliseconds, a record may arrive behind the largest time seen and
   * still be on time: the watermark trails that time by this much.
   * @defaultValue 0 (times arrive in order)
   */
  maxOutOfOrdernessMs?: number | undefined;
  /**
   * Processing-time milliseconds without a record after which this input counts as idle, so the
   * partitions downstream stop waiting for its watermark.
   * @defaultValue Infinity (never idle)
   */
  idleTimeoutMs?: number | undefined;
  /** A name for metrics and dead letters. @defaultValue 'withTimestamps' */
  name?: string | undefined;
}

/** Options of `rebalance`. */
export interface RebalanceOptions<TRecord = unknown> extends CrossingOptions<TRecord> {
  /** How many actors share the stateless work that follows. */
  partitions: number;
  /** A name for metrics. */
  name?: string | undefined;
}

/**
 * Starts a pipeline at `source`.
 * @throws InvalidOptionError when `source` is not a Source.
 */
export function pipeline<TRecord, TOffset>(source: Source<TRecord, TOffset>): Stream<TRecord, false> {
  const candidate = source as Partial<Source<TRecord, TOffset>> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.read !== 'function') {
    throw new InvalidOptionError('source', 'a Source (fromArray, fromFileLines, …)', source);
  }
  return new Stream<TRecord, false>({ source: source as Source<unknown, unknown>, steps: [], timed: false });
}

/**
 * A stream of `TRecord`s under construction. `TTimed` is true once a `withTimestamps` gave the
 * records event times (then a process function's `ctx.timestamp` is a number), false before.
 */
export class Stream<TRecord, TTimed extends boolean = boolean> {
  readonly #soFar: StreamSoFar;

  /** @internal Use {@link pipeline}. */
  constructor(soFar: StreamSoFar) {
    this.#soFar = soFar;
  }

  /** Whether the records carry event times (a `withTimestamps` came before). */
  get timed(): boolean {
    return this.#soFar.timed;
  }

  /** Transforms each record. */
  map<TOut>(fn: (record: TRecord) => TOut, name = 'map'): Stream<TOut, TTimed> {
    isFunction('fn', fn);
    return this.#then({ kind: 'map', name, fn: fn as (record: unknown) => unknown });
  }

  /** Keeps the records `predicate` accepts. */
  filter<TKept extends TRecord>(predicate: (record: TRecord) => record is TKept, name?: string): Stream<TKept, TTimed>;
  filter(predicate: (record: TRecord) => boolean, name?: string): Stream<TRecord, TTimed>;
  filter(predicate: (record: TRecord) => boolean, name = 'filter'): Stream<TRecord, TTimed> {
    isFunction('predicate', predicate);
    return this.#then({ kind: 'filter', name, fn: predicate as (record: unknown) => boolean });
  }

  /** Turns each record into any number of records. */
  flatMap<TOut>(fn: (record: TRecord) => Iterable<TOut>, name = 'flatMap'): Stream<TOut, TTimed> {
    isFunction('fn', fn);
    return this.#then({ kind: 'flatMap', name, fn: fn as (record: unknown) => Iterable<unknown> });
  }

  /** Looks at each record (logging, metrics) and passes it on unchanged. */
  tap(fn: (record: TRecord) => void, name = 'tap'): Stream<TRecord, TTimed> {
    isFunction('fn', fn);
    return this.#then({ kind: 'tap', name, fn: fn as (record: unknown) => void });
  }

  /**
   * Partitions the stream by key: records with equal keys go to the same partition actor, which
   * holds that key's state.
   * @throws InvalidOptionError for partitions outside [1, maxParallelism].
   */
  keyBy<TKey extends PartitionKey>(keyOf: (record: TRecord) => TKey, options: KeyByOptions<TRecord>): KeyedStream<TRecord, TKey, TTimed> {
    isFunction('keyOf', keyOf);
    isObject('options', options);
    const key = keyOf as (record: unknown) => PartitionKey;
    const codec = checkCodec(options.codec);
    if ('boundaries' in options) {
      const partitions = rangePartitioning(options.boundaries).partitions;
      return new KeyedStream(this.#soFar, { keyOf: key, partitions, maxParallelism: partitions, boundaries: [...options.boundaries], codec }, streamOf);
    }
    const { partitions, maxParallelism } = checkParallelism(
      options.partitions,
      withDefault(options.maxParallelism, DEFAULT_MAX_PARALLELISM, (v) => v),
    );
    return new KeyedStream(this.#soFar, { keyOf: key, partitions, maxParallelism, boundaries: undefined, codec }, streamOf);
  }

  /**
   * Spreads the records round-robin over `partitions` actors, which run the stateless operators
   * that follow in parallel: for expensive per-record work with no key.
   * @throws InvalidOptionError unless `partitions` is a positive integer.
   */
  rebalance(options: RebalanceOptions<TRecord>): Stream<TRecord, TTimed> {
    isObject('options', options);
    const partitions = checkParallelism(options.partitions, MAX_MAX_PARALLELISM).partitions;
    return this.#then({ kind: 'rebalance', name: options.name ?? 'rebalance', partitions, codec: checkCodec(options.codec) });
  }

  /** Ends the pipeline at `sink`. */
  to(sink: Sink<TRecord>): Pipeline {
    const candidate = sink as Partial<Sink<TRecord>> | null;
    if (typeof candidate !== 'object' || candidate === null || typeof candidate.write !== 'function') {
      throw new InvalidOptionError('sink', 'a Sink (toArray, toCallback, …)', sink);
    }
    return new Pipeline(this.#soFar, sink as Sink<unknown>);
  }

  /**
   * Gives each record an event time, `timestampOf(record)` (milliseconds), and generates
   * watermarks from them: from here on the stream is timed, and windows and event-time timers work
   * on it. Records may arrive up to `maxOutOfOrdernessMs` behind the largest time seen and still be
   * on time. A later `withTimestamps` replaces an earlier one's times.
   * @throws InvalidOptionError naming the option when `timestampOf` is not a function or a bound is invalid.
   * @example
   * ```ts
   * pipeline(fromArray(clicks)).withTimestamps((click) => click.at, { maxOutOfOrdernessMs: 5_000 });
   * ```
   */
  withTimestamps(timestampOf: (record: TRecord) => number, options: TimestampOptions = {}): Stream<TRecord, true> {
    isFunction('timestampOf', timestampOf);
    isObject('options', options);
    const step: TimestampStep = {
      kind: 'timestamps',
      name: options.name ?? 'withTimestamps',
      timestampOf: timestampOf as (record: unknown) => number,
      maxOutOfOrdernessMs: withDefault(options.maxOutOfOrdernessMs, 0, (v) => nonNegativeNumber('maxOutOfOrdernessMs', v)),
      idleTimeoutMs: withDefault(options.idleTimeoutMs, Infinity, (v) => positiveNumberOrInfinity('idleTimeoutMs', v)),
    };
    return new Stream<TRecord, true>(withStep(this.#soFar, step, true));
  }

  #then<TOut>(step: LogicalStep): Stream<TOut, TTimed> {
    return new Stream<TOut, TTimed>(withStep(this.#soFar, step));
  }
}

/** What a keyed stream continues with after its operator. */
const streamOf: StreamOf = <TRecord, TTimed extends boolean>(soFar: StreamSoFar) => new Stream<TRecord, TTimed>(soFar);

/**
 * `codec` when it is one: an object with `encode` and `decode` functions.
 * @throws InvalidOptionError naming `codec`.
 */
function checkCodec<TRecord>(codec: RecordCodec<TRecord> | undefined): RecordCodec | undefined {
  if (codec === undefined) return undefined;
  if (typeof codec !== 'object' || codec === null || typeof codec.encode !== 'function' || typeof codec.decode !== 'function') {
    throw new InvalidOptionError('codec', 'an object with encode(record) and decode(data) functions', codec);
  }
  return codec as RecordCodec;
}

/** The logical plan a pipeline was built to (for job modules, which run it elsewhere too). */
export let logicalPlanOf: (pipeline: Pipeline) => LogicalPlan;

/** A complete pipeline: source, operators, sink. Run it any number of times. */
export class Pipeline {
  readonly #soFar: StreamSoFar;
  readonly #sink: Sink<unknown>;

  static {
    logicalPlanOf = (pipeline) => pipeline.#plan();
  }

  /** @internal Use {@link Stream.to}. */
  constructor(soFar: StreamSoFar, sink: Sink<unknown>) {
    this.#soFar = soFar;
    this.#sink = sink;
  }

  /**
   * Starts the pipeline. The handle's `done` resolves when the source has ended and everything has
   * drained into the sink, or rejects with the failure.
   * @throws InvalidOptionError for invalid run options.
   */
  run(options: RunOptions = {}): PipelineHandle {
    return runPipeline(this.#plan(), options, () => this.run(options));
  }

  #plan(): LogicalPlan {
    return { source: this.#soFar.source, steps: this.#soFar.steps, sink: this.#sink };
  }
}
