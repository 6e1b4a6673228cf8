/**
 * The state of keyed event-time windows: records are added into the windows their timestamps
 * belong to, a window fires once the watermark passes its end, late records within the allowed
 * lateness fire it again with the update, and state is dropped once a window can take no more.
 * Records later than that are refused, for the late side output. Pure: no clock, no actor — the
 * caller passes records and watermarks in, and gets firings out, in a deterministic order.
 */
import { InvalidOptionError } from '../../errors.js';
import { isFunction, isObject, nonNegativeNumber, withDefault } from '../../internal/validate.js';
import { NO_WATERMARK } from './watermarks.js';
import { createWindowEngine, windowAccumulator, type KeyedWindows, type SlotFiring } from './window-engine.js';
import type { TimeWindow, WindowAssigner } from './windows.js';

/** How records are folded into a window's result. Accumulators are treated as immutable. */
export interface WindowAggregate<TIn, TAcc, TOut> {
  create(): TAcc;
  add(accumulator: TAcc, value: TIn): TAcc;
  /**
   * Joins two accumulators, of records of a window earlier and later in event time: required for
   * session windows, which merge. With sliding windows it lets each record go into one pane
   * (gcd(size, slide) ms) instead of every window it is in, and a window's result is its panes'
   * accumulators merged; so `merge(fold(a), fold(b))` must equal the fold of records a and b.
   */
  merge?(a: TAcc, b: TAcc): TAcc;
  result(accumulator: TAcc): TOut;
}

/** A window's result, emitted when it fires. */
export interface WindowFiring<TKey, TOut> {
  readonly key: TKey;
  readonly window: TimeWindow;
  readonly result: TOut;
  /** False for the firing when the watermark passed the window; true for an update a late record caused. */
  readonly late: boolean;
}

/** What adding one record did. */
export interface AddOutcome<TKey, TOut> {
  /** True when the record was too late for every window it belongs to: it went nowhere. */
  readonly late: boolean;
  /** Updates of windows that had already fired (a late record within the allowed lateness). */
  readonly firings: WindowFiring<TKey, TOut>[];
}

/** Options of {@link WindowState}. */
export interface WindowStateOptions<TIn, TAcc, TOut> {
  readonly assigner: WindowAssigner;
  readonly aggregate: WindowAggregate<TIn, TAcc, TOut>;
  /**
   * How long after a window fires (in event time) late records still update it.
   * @defaultValue 0
   */
  readonly allowedLatenessMs?: number | undefined;
}

export class WindowState<TKey, TIn, TAcc, TOut> {
  readonly #aggregate: WindowAggregate<TIn, TAcc, TOut>;
  readonly #engine: KeyedWindows<TKey, TIn, TAcc>;
  #watermark = NO_WATERMARK;

  /**
   * @throws InvalidOptionError when the aggregate lacks a function, or a session assigner comes
   *   without `aggregate.merge`, or the lateness is negative.
   */
  constructor(options: WindowStateOptions<TIn, TAcc, TOut>) {
    isObject('options', options);
    isObject('aggregate', options.aggregate);
    for (const name of ['create', 'add', 'result'] as const) isFunction(`aggregate.${name}`, options.aggregate[name]);
    if (options.assigner.kind === 'session' && typeof options.aggregate.merge !== 'function') {
      throw new InvalidOptionError('aggregate.merge', 'a function (session windows merge their accumulators)', options.aggregate.merge);
    }
    this.#aggregate = options.aggregate;
    const lateness = withDefault(options.allowedLatenessMs, 0, (v) => nonNegativeNumber('allowedLatenessMs', v));
    // A plain Map of key → windows (or panes): nothing here is ever rolled back.
    this.#engine = createWindowEngine(options.assigner, options.aggregate, lateness, new Map<TKey, object>());
  }

  /** The watermark the state has been advanced to. */
  get watermark(): number {
    return this.#watermark;
  }

  /** How many windows (panes, for sliding windows with a `merge`) hold state now, over all keys. */
  get windowCount(): number {
    return this.#engine.count();
  }

  /** Adds `value` with event time `timestamp` for `key` at the current watermark. */
  add(key: TKey, value: TIn, timestamp: number): AddOutcome<TKey, TOut> {
    const { late, firings } = this.#engine.add(key, value, timestamp, this.#watermark);
    return { late, firings: firings.map((f) => this.#firing(f)) };
  }

  /**
   * Moves the watermark forward (never back) and returns the firings that became due: each window
   * whose last timestamp the watermark reached fires once; windows past the allowed lateness are
   * dropped. Firings come in order of window end, then of arrival.
   */
  advance(watermark: number): WindowFiring<TKey, TOut>[] {
    if (!(watermark > this.#watermark)) return [];
    this.#watermark = watermark;
    return this.#engine.advance(watermark).map((f) => this.#firing(f));
  }

  #firing(firing: SlotFiring<TKey, TAcc>): WindowFiring<TKey, TOut> {
    const { key, window, late } = firing;
    return { key, window, result: this.#aggregate.result(windowAccumulator(firing, this.#aggregate)), late };
  }
}
