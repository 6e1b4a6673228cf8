/**
 * A keyed stream cut into event-time windows, waiting for an aggregation: each window of each key
 * folds its records, and emits `{ key, window, value, late }` when the watermark passes its end
 * (and again, `late: true`, for each late record within the allowed lateness).
 */
import { itself } from '../internal/itself.js';
import { InvalidOptionError, InvalidPipelineError } from '../errors.js';
import { isFunction, isObject, nonNegativeNumber, withDefault } from '../internal/validate.js';
import type { KeyedOperator } from './internal/logical-plan.js';
import type { PartitionKey } from './partitioning/canonical-key.js';
import type { Stream } from './pipeline.js';
import type { Sink } from './sinks/sink.js';
import type { StageStateOptions } from './stage-state.js';
import type { TimeWindow, WindowAssigner } from './time/windows.js';

/**
 * Options of `window`. Its state options (`id`, `stateVersion`, `migrate`) are about each
 * window's accumulator: `migrate` is called once per accumulator of a key.
 */
export interface WindowOptions<TRecord, TKey = PartitionKey> extends StageStateOptions<unknown, TKey> {
  /**
   * How long, in event time, after a window fired late records still update it (each update fires
   * it again with `late: true`). Later records go to `lateRecords`.
   * @defaultValue 0
   */
  allowedLatenessMs?: number | undefined;
  /**
   * Where records too late for every window go.
   * @defaultValue the pipeline's dead-letter output, with reason `'late'`
   */
  lateRecords?: Sink<TRecord> | undefined;
  /** A name for metrics and dead letters. @defaultValue 'window' */
  name?: string | undefined;
}

/** What a window emits each time it fires. */
export interface WindowResult<TKey, TValue> {
  readonly key: TKey;
  readonly window: TimeWindow;
  readonly value: TValue;
  /** False when the watermark completed the window; true for an update a late record caused. */
  readonly late: boolean;
}

/** A window aggregation: `merge` joins two accumulators, which session windows need. */
export interface WindowedAggregate<TRecord, TKey, TAcc, TOut> {
  create(key: TKey): TAcc;
  add(accumulator: TAcc, record: TRecord, key: TKey): TAcc;
  merge?(a: TAcc, b: TAcc, key: TKey): TAcc;
  result(accumulator: TAcc, key: TKey, window: TimeWindow): TOut;
}

/** A keyed, windowed stream: call `reduce` or `aggregate` to say what each window computes. */
export class WindowedStream<TRecord, TKey extends PartitionKey> {
  readonly #assigner: WindowAssigner;
  readonly #options: WindowOptions<TRecord, TKey>;
  readonly #allowedLatenessMs: number;
  readonly #then: <TOut>(name: string, operator: KeyedOperator) => Stream<TOut, true>;

  /** @internal Use {@link KeyedStream.window}. */
  constructor(assigner: WindowAssigner, options: WindowOptions<TRecord, TKey>, then: <TOut>(name: string, operator: KeyedOperator) => Stream<TOut, true>) {
    isObject('assigner', assigner);
    isObject('options', options);
    this.#assigner = assigner;
    this.#options = options;
    this.#allowedLatenessMs = withDefault(options.allowedLatenessMs, 0, (v) => nonNegativeNumber('allowedLatenessMs', v));
    const late = options.lateRecords as Partial<Sink<unknown>> | undefined;
    if (late !== undefined && (typeof late !== 'object' || late === null || typeof late.write !== 'function')) {
      throw new InvalidOptionError('lateRecords', 'a Sink (toArray, toCallback, …)', late);
    }
    this.#then = then;
  }

  /**
   * Folds each window's records into a value, starting from `initial(key)`.
   * @throws InvalidPipelineError for session windows, which need `aggregate` with `merge`.
   */
  reduce<TValue>(add: (value: TValue, record: TRecord, key: TKey) => TValue, initial: (key: TKey) => TValue): Stream<WindowResult<TKey, TValue>, true> {
    isFunction('add', add);
    isFunction('initial', initial);
    return this.aggregate({ create: initial, add, result: itself }, 'reduce');
  }

  /**
   * Folds each window's records with an accumulator and emits `result(accumulator, key, window)`.
   * @throws InvalidPipelineError for session windows without `aggregate.merge`.
   */
  aggregate<TAcc, TOut>(aggregate: WindowedAggregate<TRecord, TKey, TAcc, TOut>, name?: string): Stream<WindowResult<TKey, TOut>, true> {
    isObject('aggregate', aggregate);
    for (const part of ['create', 'add', 'result'] as const) isFunction(`aggregate.${part}`, aggregate[part]);
    if (aggregate.merge !== undefined) isFunction('aggregate.merge', aggregate.merge);
    const operatorName = this.#options.name ?? name ?? 'window';
    if (this.#assigner.kind === 'session' && aggregate.merge === undefined) {
      throw new InvalidPipelineError(operatorName, 'session windows merge, so they need aggregate({ create, add, merge, result })');
    }
    return this.#then(operatorName, {
      kind: 'window',
      assigner: this.#assigner,
      allowedLatenessMs: this.#allowedLatenessMs,
      create: aggregate.create as (key: PartitionKey) => unknown,
      add: aggregate.add as (accumulator: unknown, record: unknown, key: PartitionKey) => unknown,
      merge: aggregate.merge as ((a: unknown, b: unknown, key: PartitionKey) => unknown) | undefined,
      result: aggregate.result as (accumulator: unknown, key: PartitionKey, window: TimeWindow) => unknown,
      lateRecords: this.#options.lateRecords as Sink<unknown> | undefined,
    });
  }
}
