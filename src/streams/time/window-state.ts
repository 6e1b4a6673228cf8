/**
 * The state of keyed event-time windows: records are added into the windows their timestamps
 * belong to, a window fires once the watermark passes its end, late records within the allowed
 * lateness fire it again with the update, and state is dropped once a window can take no more.
 * Records later than that are refused, for the late side output. Pure: no clock, no actor — the
 * caller passes records and watermarks in, and gets firings out, in a deterministic order.
 */
import { InvalidOptionError } from '../../errors.js';
import { MinHeap } from '../../internal/min-heap.js';
import { isFunction, isObject, nonNegativeNumber, withDefault } from '../../internal/validate.js';
import { NO_WATERMARK } from './watermarks.js';
import { assignWindows, maxTimestamp, type TimeWindow, type WindowAssigner } from './windows.js';

/** How records are folded into a window's result. Accumulators are treated as immutable. */
export interface WindowAggregate<TIn, TAcc, TOut> {
  create(): TAcc;
  add(accumulator: TAcc, value: TIn): TAcc;
  /** Joins two accumulators: required for session windows, which merge. */
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

interface Slot<TAcc> {
  window: TimeWindow;
  accumulator: TAcc;
  fired: boolean;
  /** Bumped when a session merge replaces the slot, so stale timers are ignored. */
  version: number;
}

interface Timer<TKey> {
  readonly key: TKey;
  readonly id: string;
  readonly version: number;
  readonly kind: 'fire' | 'cleanup';
}

export class WindowState<TKey, TIn, TAcc, TOut> {
  readonly #assigner: WindowAssigner;
  readonly #aggregate: WindowAggregate<TIn, TAcc, TOut>;
  readonly #lateness: number;
  readonly #slots = new Map<TKey, Map<string, Slot<TAcc>>>();
  readonly #timers = new MinHeap<Timer<TKey>>();
  #watermark = NO_WATERMARK;
  #version = 0;

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
    this.#assigner = options.assigner;
    this.#aggregate = options.aggregate;
    this.#lateness = withDefault(options.allowedLatenessMs, 0, (v) => nonNegativeNumber('allowedLatenessMs', v));
  }

  /** The watermark the state has been advanced to. */
  get watermark(): number {
    return this.#watermark;
  }

  /** How many windows hold state now, over all keys. */
  get windowCount(): number {
    let count = 0;
    for (const slots of this.#slots.values()) count += slots.size;
    return count;
  }

  /** Adds `value` with event time `timestamp` for `key` at the current watermark. */
  add(key: TKey, value: TIn, timestamp: number): AddOutcome<TKey, TOut> {
    const firings: WindowFiring<TKey, TOut>[] = [];
    let accepted = false;
    for (const window of assignWindows(this.#assigner, timestamp)) {
      if (this.#expired(window)) continue;
      accepted = true;
      const slot = this.#assigner.kind === 'session' ? this.#mergeSession(key, window) : this.#slot(key, window);
      slot.accumulator = this.#aggregate.add(slot.accumulator, value);
      // A window the watermark already passed (its first record may be this late one) fires now.
      if (slot.fired || maxTimestamp(slot.window) <= this.#watermark) {
        slot.fired = true;
        firings.push(this.#firing(key, slot, true));
      }
    }
    return { late: !accepted, firings };
  }

  /**
   * Moves the watermark forward (never back) and returns the firings that became due: each window
   * whose last timestamp the watermark reached fires once; windows past the allowed lateness are
   * dropped. Firings come in order of window end, then of arrival.
   */
  advance(watermark: number): WindowFiring<TKey, TOut>[] {
    if (!(watermark > this.#watermark)) return [];
    this.#watermark = watermark;
    const firings: WindowFiring<TKey, TOut>[] = [];
    const timers = this.#timers;
    while (timers.size > 0 && (timers.peekPriority() as number) <= watermark) {
      const timer = timers.pop();
      const slots = this.#slots.get(timer.key);
      const slot = slots?.get(timer.id);
      if (slots === undefined || slot === undefined || slot.version !== timer.version) continue;
      if (timer.kind === 'fire') {
        if (!slot.fired) {
          slot.fired = true;
          firings.push(this.#firing(timer.key, slot, false));
        }
      } else {
        slots.delete(timer.id);
        if (slots.size === 0) this.#slots.delete(timer.key);
      }
    }
    return firings;
  }

  /** A window can take no more records once the watermark passed its end plus the lateness. */
  #expired(window: TimeWindow): boolean {
    return maxTimestamp(window) + this.#lateness <= this.#watermark;
  }

  #slot(key: TKey, window: TimeWindow): Slot<TAcc> {
    let slots = this.#slots.get(key);
    if (slots === undefined) {
      slots = new Map();
      this.#slots.set(key, slots);
    }
    const id = `${window.start}:${window.end}`;
    let slot = slots.get(id);
    if (slot === undefined) {
      slot = { window, accumulator: this.#aggregate.create(), fired: false, version: ++this.#version };
      slots.set(id, slot);
      this.#schedule(key, id, slot);
    }
    return slot;
  }

  /** A session record's proto-window, merged with every session of the key it overlaps or touches. */
  #mergeSession(key: TKey, proto: TimeWindow): Slot<TAcc> {
    const slots = this.#slots.get(key);
    const touching = slots === undefined ? [] : [...slots.entries()].filter(([, s]) => s.window.start <= proto.end && proto.start <= s.window.end);
    if (touching.length === 0) return this.#slot(key, proto);
    const merge = this.#aggregate.merge as (a: TAcc, b: TAcc) => TAcc;
    let start = proto.start;
    let end = proto.end;
    let accumulator: TAcc | undefined;
    for (const [id, slot] of touching) {
      start = Math.min(start, slot.window.start);
      end = Math.max(end, slot.window.end);
      accumulator = accumulator === undefined ? slot.accumulator : merge(accumulator, slot.accumulator);
      slots?.delete(id);
    }
    const window = { start, end };
    // A merged session is a new window: it fires when the watermark passes its (later) end.
    const merged: Slot<TAcc> = { window, accumulator: accumulator as TAcc, fired: false, version: ++this.#version };
    const id = `${start}:${end}`;
    (slots as Map<string, Slot<TAcc>>).set(id, merged);
    this.#schedule(key, id, merged);
    return merged;
  }

  #schedule(key: TKey, id: string, slot: Slot<TAcc>): void {
    const last = maxTimestamp(slot.window);
    this.#timers.push(last, { key, id, version: slot.version, kind: 'fire' });
    this.#timers.push(last + this.#lateness, { key, id, version: slot.version, kind: 'cleanup' });
  }

  #firing(key: TKey, slot: Slot<TAcc>, late: boolean): WindowFiring<TKey, TOut> {
    return { key, window: slot.window, result: this.#aggregate.result(slot.accumulator), late };
  }
}
