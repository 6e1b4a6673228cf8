/**
 * `process`: the keyed operator for what `reduce`, `aggregate` and windows cannot say. Per key it
 * holds one immutable state value, timers in event time and in processing time, and emits any
 * number of records. Handlers are pure functions of (state, input) plus the context's effects,
 * which take effect only when the handler returns: a handler that throws is retried from the same
 * state, and a restarted partition replays it, without emitting anything twice.
 */
import { produce, type Draft } from 'immer';
import { isFunction, isObject } from '../internal/validate.js';
import type { PartitionKey } from './partitioning/canonical-key.js';

/** Which clock a timer follows. */
export type TimeDomain = 'event-time' | 'processing-time';

/** A timer that fired: its time and its clock. */
export interface FiredTimer {
  readonly time: number;
  readonly domain: TimeDomain;
}

/**
 * The event time a process handler sees: a number on a stream with timestamps (`TTimed` true, from
 * a `withTimestamps` on), undefined on one without, either when the stream's kind is not known.
 */
export type EventTimeOf<TTimed extends boolean> = TTimed extends true ? number : undefined;

/**
 * What a process handler can see and do for the key it is called for. `TTimed` says whether the
 * stream carries event times (the builder knows it from `withTimestamps`).
 */
export interface ProcessContext<TKey, TOut, TTimed extends boolean = boolean> {
  /** The key this call is for. */
  readonly key: TKey;
  /**
   * The event time of the record being processed, or of the event-time timer firing; for a
   * processing-time timer, the current watermark. Undefined on a stream without timestamps.
   */
  readonly timestamp: EventTimeOf<TTimed>;
  /** The partition's input watermark: no record at or before it will arrive (on time) any more. */
  readonly watermark: number;
  /** Processing time, from the pipeline's clock. */
  readonly now: number;
  /**
   * Sends `record` downstream (once the handler returns). It carries `timestamp`, by default the
   * context's own.
   */
  emit(record: TOut, timestamp?: number): void;
  /**
   * Calls `onTimer` once the watermark reaches `time`; one timer per key and time. A time the
   * watermark has already reached fires at the next watermark or the end of input.
   * @throws InvalidPipelineError on a stream without timestamps.
   */
  registerEventTimer(time: number): void;
  /** Cancels the event-time timer at `time`, if there is one. */
  deleteEventTimer(time: number): void;
  /**
   * Calls `onTimer` once the pipeline's clock reaches `time`; one timer per key and time. Pending
   * processing-time timers are dropped when the input ends.
   */
  registerProcessingTimer(time: number): void;
  /** Cancels the processing-time timer at `time`, if there is one. */
  deleteProcessingTimer(time: number): void;
  /** Drops the key's state once the handler returns: its next call starts from `initialState`. */
  clearState(): void;
}

/**
 * A keyed process function: `initialState(key)` for a key's first call, then each handler returns
 * the key's next state. State values are treated as immutable.
 *
 * @example
 * ```ts
 * // Emit a user's click count once they have been quiet for a minute (processing time).
 * keyed.process<number, { user: string; clicks: number }>({
 *   initialState: () => 0,
 *   onRecord(count, _click, ctx) {
 *     ctx.registerProcessingTimer(ctx.now + 60_000);
 *     return count + 1;
 *   },
 *   onTimer(count, timer, ctx) {
 *     ctx.emit({ user: ctx.key, clicks: count });
 *     ctx.clearState();
 *     return count;
 *   },
 * });
 * ```
 */
export interface ProcessFunction<TRecord, TKey, TState, TOut, TTimed extends boolean = boolean> {
  initialState(key: TKey): TState;
  onRecord(state: TState, record: TRecord, ctx: ProcessContext<TKey, TOut, TTimed>): TState;
  onTimer?(state: TState, timer: FiredTimer, ctx: ProcessContext<TKey, TOut, TTimed>): TState;
}

/** A process function that updates an immer draft of the key's state instead of returning it. */
export interface DraftProcessFunction<TRecord, TKey, TState, TOut, TTimed extends boolean = boolean> {
  readonly draft: true;
  initialState(key: TKey): TState;
  onRecord(draft: Draft<TState>, record: TRecord, ctx: ProcessContext<TKey, TOut, TTimed>): void | TState;
  onTimer?(draft: Draft<TState>, timer: FiredTimer, ctx: ProcessContext<TKey, TOut, TTimed>): void | TState;
}

/** Options of `process`. */
export interface ProcessOptions {
  /** A name for metrics and dead letters. @defaultValue 'process' */
  name?: string | undefined;
}

/**
 * Checks a process function and turns a draft one into the plain form the runtime calls.
 * @throws InvalidOptionError naming the missing or invalid member.
 */
export function normalizeProcessFunction<TRecord, TKey extends PartitionKey, TState, TOut, TTimed extends boolean>(
  fn: ProcessFunction<TRecord, TKey, TState, TOut, TTimed> | DraftProcessFunction<TRecord, TKey, TState, TOut, TTimed>,
): ProcessFunction<TRecord, TKey, TState, TOut, TTimed> {
  isObject('fn', fn);
  isFunction('fn.initialState', fn.initialState);
  isFunction('fn.onRecord', fn.onRecord);
  if (fn.onTimer !== undefined) isFunction('fn.onTimer', fn.onTimer);
  if (!('draft' in fn) || fn.draft !== true) return fn as ProcessFunction<TRecord, TKey, TState, TOut, TTimed>;
  const { onRecord, onTimer } = fn;
  // immer's recipe type cannot express "mutate the draft or return a replacement" generically.
  const drafted =
    <TInput>(handler: (draft: Draft<TState>, input: TInput, ctx: ProcessContext<TKey, TOut, TTimed>) => void | TState) =>
    (state: TState, input: TInput, ctx: ProcessContext<TKey, TOut, TTimed>): TState =>
      produce(state, ((draft: Draft<TState>) => handler.call(fn, draft, input, ctx)) as never) as TState;
  return {
    initialState: (key) => fn.initialState(key),
    onRecord: drafted(onRecord),
    ...(onTimer === undefined ? {} : { onTimer: drafted(onTimer) }),
  };
}
