/**
 * A stream partitioned by key: the records of one key all reach the same partition actor, which
 * holds that key's state. Its operators fold records per key (`reduce`, `aggregate`), per key and
 * event-time window (`window(...).aggregate`), or run a process function with per-key state and
 * timers.
 */
import { itself } from '../internal/itself.js';
import { InvalidPipelineError } from '../errors.js';
import { isFunction, isObject, oneOf, withDefault } from '../internal/validate.js';
import { withStep, type EmitMode, type KeyedOperator, type KeyedStep, type StreamSoFar } from './internal/logical-plan.js';
import type { PartitionKey } from './partitioning/canonical-key.js';
import type { Stream } from './pipeline.js';
import { normalizeProcessFunction, type DraftProcessFunction, type ProcessFunction, type ProcessOptions } from './process-function.js';
import type { WindowAssigner } from './time/windows.js';
import { checkStageState, type StageStateOptions, type StageStateVersioning } from './stage-state.js';
import { WindowedStream, type WindowOptions } from './windowed-stream.js';

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

/** Makes a stream from what was built so far. */
export type StreamOf = <TRecord, TTimed extends boolean>(soFar: StreamSoFar) => Stream<TRecord, TTimed>;

/** How a keyed stream is partitioned: the parts of a keyed stage that come from `keyBy`. */
export type Partitioning = Omit<KeyedStep, 'kind' | 'name' | 'operator' | 'state'>;

/** A stream partitioned by `TKey`, ready for a keyed operator; `TTimed` as on {@link Stream}. */
export class KeyedStream<TRecord, TKey extends PartitionKey, TTimed extends boolean = boolean> {
  readonly #soFar: StreamSoFar;
  readonly #partitioning: Partitioning;
  readonly #streamOf: StreamOf;

  /**
   * @internal Use {@link Stream.keyBy}. `streamOf` makes the stream after the keyed operator: the
   * stream module hands it over, so that this one imports none of its values (no import cycle).
   */
  constructor(soFar: StreamSoFar, partitioning: Partitioning, streamOf: StreamOf) {
    this.#soFar = soFar;
    this.#partitioning = partitioning;
    this.#streamOf = streamOf;
  }

  /**
   * Folds each key's records into a value: `reduce(add, initial)` starts each key at `initial(key)`.
   * Emits `{ key, value }` per `options.emit`.
   */
  reduce<TValue>(
    add: (value: TValue, record: TRecord, key: TKey) => TValue,
    initial: (key: TKey) => TValue,
    options: KeyedOutputOptions & StageStateOptions<TValue, TKey> = {},
  ): Stream<Keyed<TKey, TValue>, TTimed> {
    isFunction('add', add);
    isFunction('initial', initial);
    return this.aggregate({ create: initial, add, result: itself }, { name: 'reduce', ...options });
  }

  /** Folds each key's records with an accumulator and emits `result(accumulator)` as `{ key, value }`. */
  aggregate<TAcc, TOut>(
    aggregate: KeyedAggregate<TRecord, TKey, TAcc, TOut>,
    options: KeyedOutputOptions & StageStateOptions<TAcc, TKey> = {},
  ): Stream<Keyed<TKey, TOut>, TTimed> {
    isObject('aggregate', aggregate);
    for (const part of ['create', 'add', 'result'] as const) isFunction(`aggregate.${part}`, aggregate[part]);
    isObject('options', options);
    const emit = withDefault<EmitMode>(options.emit, 'every', (v) => oneOf('emit', v, ['every', 'final'] as const));
    return this.#withOperator(options.name ?? 'aggregate', checkStageState(options), {
      kind: 'aggregate',
      create: aggregate.create as (key: PartitionKey) => unknown,
      add: aggregate.add as (accumulator: unknown, record: unknown, key: PartitionKey) => unknown,
      result: aggregate.result as (accumulator: unknown, key: PartitionKey) => unknown,
      emit,
    });
  }

  /**
   * Groups each key's records into event-time windows; an aggregation on the result says what
   * each window computes.
   * @throws InvalidPipelineError when the stream has no event time (no `withTimestamps` before).
   * @throws InvalidOptionError naming `allowedLatenessMs` or `lateRecords` when invalid.
   * @example
   * ```ts
   * keyed.window(tumbling(60_000), { allowedLatenessMs: 5_000 }).reduce((n: number) => n + 1, () => 0);
   * ```
   */
  window(assigner: WindowAssigner, options: WindowOptions<TRecord, TKey> = {}): WindowedStream<TRecord, TKey> {
    if (!this.#soFar.timed) {
      throw new InvalidPipelineError(options.name ?? 'window', 'a window needs event time: call withTimestamps(...) before keyBy');
    }
    return new WindowedStream(assigner, options, <TOut>(name: string, operator: KeyedOperator) =>
      this.#withOperator<TOut, true>(name, checkStageState(options), operator),
    );
  }

  /**
   * Runs `fn` on each record with the key's state, and on each of the key's timers; it emits any
   * number of records. `fn.draft: true` hands handlers an immer draft of the state to update.
   * @throws InvalidOptionError naming the member of `fn` that is missing.
   */
  process<TState, TOut>(
    fn: DraftProcessFunction<TRecord, TKey, TState, TOut, TTimed>,
    options?: ProcessOptions & StageStateOptions<TState, TKey>,
  ): Stream<TOut, TTimed>;
  process<TState, TOut>(
    fn: ProcessFunction<TRecord, TKey, TState, TOut, TTimed>,
    options?: ProcessOptions & StageStateOptions<TState, TKey>,
  ): Stream<TOut, TTimed>;
  process<TState, TOut>(
    fn: ProcessFunction<TRecord, TKey, TState, TOut, TTimed> | DraftProcessFunction<TRecord, TKey, TState, TOut, TTimed>,
    options: ProcessOptions & StageStateOptions<TState, TKey> = {},
  ): Stream<TOut, TTimed> {
    const normalized = normalizeProcessFunction(fn);
    isObject('options', options);
    return this.#withOperator(options.name ?? 'process', checkStageState(options), {
      kind: 'process',
      fn: normalized as unknown as ProcessFunction<unknown, PartitionKey, unknown, unknown, boolean>,
    });
  }

  /** The stream after a keyed operator; whether it is timed is for the caller to say. */
  #withOperator<TOut, TOutTimed extends boolean = TTimed>(name: string, state: StageStateVersioning, operator: KeyedOperator): Stream<TOut, TOutTimed> {
    return this.#streamOf<TOut, TOutTimed>(withStep(this.#soFar, { kind: 'keyed', name, ...this.#partitioning, state, operator }));
  }
}
