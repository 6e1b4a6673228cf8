/**
 * The machinery of keyed event-time windows, shared by the standalone `WindowState` and the window
 * operator of a pipeline partition. Each key's windows are one immutable value in a store the
 * caller provides (a Map, or a partition's KeyedState, which a restart rolls back), so adding a
 * record writes one entry and a snapshot costs nothing. Due times live in an index over the store
 * that an engine derives from the store when it is made: after a rollback or a restore, the caller
 * makes a new engine over the store.
 *
 * `createWindowEngine` picks the engine: sliding windows with a `merge` are cut into panes
 * (`PaneEngine`), everything else keeps one accumulator per window (`WindowEngine`).
 */
import { MinHeap } from '../../internal/min-heap.js';
import { NO_FIRINGS } from './no-firings.js';
import { PaneEngine, type KeyPanes } from './pane-engine.js';
import { assignWindows, maxTimestamp, type TimeWindow, type WindowAssigner } from './windows.js';

/** One window of one key: its accumulator and whether it has fired. Never mutated. */
export interface WindowSlot<TAcc> {
  readonly start: number;
  readonly end: number;
  readonly accumulator: TAcc;
  readonly fired: boolean;
  /**
   * The slot's place in the order windows were made (a key entered a window when its slot was
   * made), kept in the store so that an engine made again over it fires in the same order.
   */
  readonly seq: number;
}

/**
 * A key's windows (an array of slots) or panes with each accumulator replaced by `map`'s, in the
 * same order: how a checkpoint's window state is brought to a new shape of accumulator.
 */
export function mapWindowAccumulators(slots: unknown, map: (accumulator: unknown) => unknown): unknown {
  if (Array.isArray(slots)) return (slots as readonly WindowSlot<unknown>[]).map((slot) => ({ ...slot, accumulator: map(slot.accumulator) }));
  const panes = slots as KeyPanes<unknown>;
  return { ...panes, accumulators: panes.accumulators.map(map) };
}

/** A window's content before it has its place in the order. */
type WindowContent<TAcc> = Omit<WindowSlot<TAcc>, 'seq'>;

/** Where an engine keeps each key's slots (windows, or panes): one immutable value per key. */
export interface SlotStore<TKey, TSlots> {
  get(key: TKey): TSlots | undefined;
  set(key: TKey, slots: TSlots): void;
  delete(key: TKey): void;
  /** Every key with slots, for deriving the index. */
  entries(): Iterable<readonly [TKey, TSlots]>;
}

/** How records are folded into a window; functions may ignore the key. */
export interface KeyedWindowAggregate<TKey, TIn, TAcc> {
  create(key: TKey): TAcc;
  add(accumulator: TAcc, value: TIn, key: TKey): TAcc;
  merge?(a: TAcc, b: TAcc, key: TKey): TAcc;
}

/** A window that fired: the caller merges its accumulators (`windowAccumulator`) into a result. */
export interface SlotFiring<TKey, TAcc> {
  readonly key: TKey;
  readonly window: TimeWindow;
  /**
   * The window's accumulator, or its panes' accumulators, earliest first: merging is the caller's,
   * so a `merge` that throws is retried and dead-lettered like `result`.
   */
  readonly accumulators: readonly TAcc[];
  /** True for an update that a late record (within the allowed lateness) caused. */
  readonly late: boolean;
}

/** What adding one record did. */
export interface SlotAddOutcome<TKey, TAcc> {
  /** True when the record was too late for every window it belongs to. */
  readonly late: boolean;
  /** Updates of windows the watermark had already passed. */
  readonly firings: readonly SlotFiring<TKey, TAcc>[];
}

/**
 * Keyed event-time windows over a store. The watermarks passed in never go back.
 */
export interface KeyedWindows<TKey, TIn, TAcc> {
  /**
   * Adds `value` at event time `timestamp` under the current `watermark`. User functions run
   * before anything is written, so an aggregate that throws leaves nothing half done and the call
   * can simply be retried.
   */
  add(key: TKey, value: TIn, timestamp: number, watermark: number): SlotAddOutcome<TKey, TAcc>;
  /**
   * Fires every window whose last millisecond `watermark` reached, once, and drops the state of
   * windows past the allowed lateness. Firings come in order of window end, then of the order in
   * which their keys' first records in the window arrived.
   */
  advance(watermark: number): readonly SlotFiring<TKey, TAcc>[];
  /** How many windows (or panes) hold state, over all keys: a walk over the store. */
  count(): number;
}

/**
 * The engine for `assigner` and `aggregate`, its index derived from what `store` holds. The store
 * holds what the chosen engine writes — an array of window slots per key, or a key's panes for
 * sliding windows with a `merge` — so one store must always be given the same assigner and
 * aggregate.
 */
export function createWindowEngine<TKey, TIn, TAcc>(
  assigner: WindowAssigner,
  aggregate: KeyedWindowAggregate<TKey, TIn, TAcc>,
  latenessMs: number,
  store: SlotStore<TKey, object>,
): KeyedWindows<TKey, TIn, TAcc> {
  // The store holds only what this choice of engine wrote: the casts are safe by construction.
  if (assigner.kind === 'sliding' && aggregate.merge !== undefined) {
    return new PaneEngine(assigner, aggregate, latenessMs, store as SlotStore<TKey, KeyPanes<TAcc>>);
  }
  return new WindowEngine(assigner, aggregate, latenessMs, store as SlotStore<TKey, readonly WindowSlot<TAcc>[]>);
}

/**
 * The accumulator of a firing: the window's own, or its panes' merged in time order.
 * @throws whatever `merge` throws.
 */
export function windowAccumulator<TKey, TAcc>(firing: SlotFiring<TKey, TAcc>, aggregate: Pick<KeyedWindowAggregate<TKey, never, TAcc>, 'merge'>): TAcc {
  const parts = firing.accumulators;
  let accumulator = parts[0] as TAcc;
  // More than one part only comes from panes, which exist only when `merge` does.
  for (let i = 1; i < parts.length; i++) accumulator = (aggregate as Required<typeof aggregate>).merge(accumulator, parts[i] as TAcc, firing.key);
  return accumulator;
}

interface Due<TKey> {
  readonly key: TKey;
  readonly start: number;
  readonly end: number;
  readonly kind: 'fire' | 'cleanup';
}

/**
 * One accumulator per (key, window): each record is added to every window it belongs to. Windows
 * that end together fire in the order they were made, which each slot keeps (`seq`): an engine
 * made again over the store after a rollback replays the same firings in the same order, not in
 * the store's key order, so the output a replay sends again lines up with what was sent before.
 */
export class WindowEngine<TKey, TIn, TAcc> implements KeyedWindows<TKey, TIn, TAcc> {
  readonly #assigner: WindowAssigner;
  readonly #aggregate: KeyedWindowAggregate<TKey, TIn, TAcc>;
  readonly #lateness: number;
  readonly #store: SlotStore<TKey, readonly WindowSlot<TAcc>[]>;
  readonly #due = new MinHeap<Due<TKey>>();
  /** The next slot's `seq`: above every slot's in the store. */
  #seq = 0;

  /** Indexes the windows `store` already holds, in the order they were made; fired ones are marked so in the store. */
  constructor(
    assigner: WindowAssigner,
    aggregate: KeyedWindowAggregate<TKey, TIn, TAcc>,
    latenessMs: number,
    store: SlotStore<TKey, readonly WindowSlot<TAcc>[]>,
  ) {
    this.#assigner = assigner;
    this.#aggregate = aggregate;
    this.#lateness = latenessMs;
    this.#store = store;
    const held: { key: TKey; slot: WindowSlot<TAcc> }[] = [];
    for (const [key, slots] of store.entries()) for (const slot of slots) held.push({ key, slot });
    // The heap breaks ties by push order: pushing in `seq` order restores the order of firings.
    held.sort((a, b) => a.slot.seq - b.slot.seq);
    for (const { key, slot } of held) this.#schedule(key, slot);
    this.#seq = held.length === 0 ? 0 : (held[held.length - 1] as (typeof held)[number]).slot.seq + 1;
  }

  /**
   * The new windows are computed first and written once at the end.
   * @returns `late: true` when the record was too late for every window it belongs to, and the
   *   updates of windows the watermark had already passed.
   */
  add(key: TKey, value: TIn, timestamp: number, watermark: number): SlotAddOutcome<TKey, TAcc> {
    const aggregate = this.#aggregate;
    const before = this.#store.get(key) ?? [];
    let slots = before;
    const created: WindowSlot<TAcc>[] = [];
    const firings: SlotFiring<TKey, TAcc>[] = [];
    let accepted = false;
    for (const window of assignWindows(this.#assigner, timestamp)) {
      if (maxTimestamp(window) + this.#lateness <= watermark) continue;
      accepted = true;
      let base: WindowContent<TAcc> | undefined;
      let rest: readonly WindowSlot<TAcc>[];
      if (this.#assigner.kind === 'session') {
        ({ base, rest } = mergeOverlapping(slots, window, key, aggregate));
      } else {
        base = slots.find((s) => s.start === window.start && s.end === window.end);
        rest = base === undefined ? slots : slots.filter((s) => s !== base);
      }
      const start = base?.start ?? window.start;
      const end = base?.end ?? window.end;
      const accumulator = aggregate.add(base === undefined ? aggregate.create(key) : base.accumulator, value, key);
      // A window the watermark already passed (its first record may be this late one) fires now.
      const late = (base !== undefined && base.fired) || end - 1 <= watermark;
      // A window new to the key takes the next place in the order and needs its due times; one it
      // had keeps both.
      const had = slots.find((s) => s.start === start && s.end === end);
      const slot: WindowSlot<TAcc> = { start, end, accumulator, fired: late || (base?.fired ?? false), seq: had?.seq ?? this.#seq++ };
      if (had === undefined) created.push(slot);
      slots = insertSorted(rest, slot);
      if (late) firings.push({ key, window: { start, end }, accumulators: [accumulator], late: true });
    }
    if (slots !== before) this.#store.set(key, slots);
    for (const slot of created) this.#schedule(key, slot);
    return { late: !accepted, firings };
  }

  advance(watermark: number): readonly SlotFiring<TKey, TAcc>[] {
    const due = this.#due;
    // Called before each record from the source: the usual answer, nothing due, allocates nothing.
    if (due.size === 0 || (due.peekPriority() as number) > watermark) return NO_FIRINGS;
    const firings: SlotFiring<TKey, TAcc>[] = [];
    const store = this.#store;
    while (due.size > 0 && (due.peekPriority() as number) <= watermark) {
      const { key, start, end, kind } = due.pop();
      const slots = store.get(key);
      const at = slots === undefined ? -1 : slots.findIndex((s) => s.start === start && s.end === end);
      // A merged-away session or an already handled window: the entry is stale.
      if (slots === undefined || at < 0) continue;
      const slot = slots[at] as WindowSlot<TAcc>;
      if (kind === 'fire') {
        if (slot.fired) continue;
        store.set(
          key,
          slots.map((s, i) => (i === at ? { ...s, fired: true } : s)),
        );
        firings.push({ key, window: { start, end }, accumulators: [slot.accumulator], late: false });
      } else if (slots.length === 1) {
        store.delete(key);
      } else {
        store.set(
          key,
          slots.filter((_, i) => i !== at),
        );
      }
    }
    return firings;
  }

  count(): number {
    let count = 0;
    for (const [, slots] of this.#store.entries()) count += slots.length;
    return count;
  }

  #schedule(key: TKey, slot: WindowSlot<TAcc>): void {
    const last = slot.end - 1;
    if (!slot.fired) this.#due.push(last, { key, start: slot.start, end: slot.end, kind: 'fire' });
    this.#due.push(last + this.#lateness, { key, start: slot.start, end: slot.end, kind: 'cleanup' });
  }
}

/**
 * A session proto-window merged with every session of the key it overlaps. One that only touches
 * it (ends where the proto-window starts) stays apart: its last record is exactly the gap before
 * this one, and it may already have fired at its last millisecond.
 */
function mergeOverlapping<TKey, TIn, TAcc>(
  slots: readonly WindowSlot<TAcc>[],
  proto: TimeWindow,
  key: TKey,
  aggregate: KeyedWindowAggregate<TKey, TIn, TAcc>,
): { base: WindowContent<TAcc> | undefined; rest: readonly WindowSlot<TAcc>[] } {
  const overlapping = slots.filter((s) => s.start < proto.end && proto.start < s.end);
  if (overlapping.length === 0) return { base: undefined, rest: slots };
  const merge = aggregate.merge as NonNullable<typeof aggregate.merge>;
  let start = proto.start;
  let end = proto.end;
  let accumulator: TAcc | undefined;
  for (const slot of overlapping) {
    start = Math.min(start, slot.start);
    end = Math.max(end, slot.end);
    accumulator = accumulator === undefined ? slot.accumulator : merge(accumulator, slot.accumulator, key);
  }
  // A merged session is a new window (it fires when the watermark passes its later end), unless
  // the record fell inside one session that keeps its bounds.
  const only = overlapping.length === 1 ? (overlapping[0] as WindowSlot<TAcc>) : undefined;
  const fired = only !== undefined && only.fired && only.start === start && only.end === end;
  const base: WindowContent<TAcc> = { start, end, accumulator: accumulator as TAcc, fired };
  return { base, rest: slots.filter((s) => !overlapping.includes(s)) };
}

function insertSorted<TAcc>(slots: readonly WindowSlot<TAcc>[], slot: WindowSlot<TAcc>): WindowSlot<TAcc>[] {
  const next = [...slots];
  let at = next.length;
  while (at > 0 && (next[at - 1] as WindowSlot<TAcc>).start > slot.start) at--;
  next.splice(at, 0, slot);
  return next;
}
