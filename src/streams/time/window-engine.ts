/**
 * The machinery of keyed event-time windows, shared by the standalone `WindowState` and the window
 * operator of a pipeline partition. Each key's windows are one immutable array in a store the
 * caller provides (a Map, or a partition's KeyedState, which a restart rolls back), so adding a
 * record writes one entry and a snapshot costs nothing. Due times live in a heap that is only an
 * index over the store: entries are checked against the store when they pop, and `rebuild()`
 * derives the heap again after the store was rolled back or restored.
 */
import { MinHeap } from '../../internal/min-heap.js';
import { assignWindows, maxTimestamp, type TimeWindow, type WindowAssigner } from './windows.js';

/** One window of one key: its accumulator and whether it has fired. Never mutated. */
export interface WindowSlot<TAcc> {
  readonly start: number;
  readonly end: number;
  readonly accumulator: TAcc;
  readonly fired: boolean;
}

/** Where the engine keeps each key's windows. */
export interface SlotStore<TKey, TAcc> {
  get(key: TKey): readonly WindowSlot<TAcc>[] | undefined;
  set(key: TKey, slots: readonly WindowSlot<TAcc>[]): void;
  delete(key: TKey): void;
  /** Every key with windows, for `rebuild`. */
  entries(): Iterable<readonly [TKey, readonly WindowSlot<TAcc>[]]>;
}

/** How records are folded into a window; functions may ignore the key. */
export interface KeyedWindowAggregate<TKey, TIn, TAcc> {
  create(key: TKey): TAcc;
  add(accumulator: TAcc, value: TIn, key: TKey): TAcc;
  merge?(a: TAcc, b: TAcc, key: TKey): TAcc;
}

/** A window that fired: the caller turns the accumulator into a result. */
export interface SlotFiring<TKey, TAcc> {
  readonly key: TKey;
  readonly window: TimeWindow;
  readonly accumulator: TAcc;
  /** True for an update that a late record (within the allowed lateness) caused. */
  readonly late: boolean;
}

interface Due<TKey> {
  readonly key: TKey;
  readonly start: number;
  readonly end: number;
  readonly kind: 'fire' | 'cleanup';
}

export class WindowEngine<TKey, TIn, TAcc> {
  readonly #assigner: WindowAssigner;
  readonly #aggregate: KeyedWindowAggregate<TKey, TIn, TAcc>;
  readonly #lateness: number;
  readonly #store: SlotStore<TKey, TAcc>;
  #due = new MinHeap<Due<TKey>>();

  constructor(assigner: WindowAssigner, aggregate: KeyedWindowAggregate<TKey, TIn, TAcc>, latenessMs: number, store: SlotStore<TKey, TAcc>) {
    this.#assigner = assigner;
    this.#aggregate = aggregate;
    this.#lateness = latenessMs;
    this.#store = store;
  }

  /**
   * Adds `value` at event time `timestamp` under the current `watermark`. The new windows are
   * computed first and written once at the end, so an aggregate that throws leaves nothing half
   * done and the call can simply be retried.
   * @returns `late: true` when the record was too late for every window it belongs to, and the
   *   updates of windows the watermark had already passed.
   */
  add(key: TKey, value: TIn, timestamp: number, watermark: number): { late: boolean; firings: SlotFiring<TKey, TAcc>[] } {
    const aggregate = this.#aggregate;
    const before = this.#store.get(key) ?? [];
    let slots = before;
    const created: WindowSlot<TAcc>[] = [];
    const firings: SlotFiring<TKey, TAcc>[] = [];
    let accepted = false;
    for (const window of assignWindows(this.#assigner, timestamp)) {
      if (maxTimestamp(window) + this.#lateness <= watermark) continue;
      accepted = true;
      let base: WindowSlot<TAcc> | undefined;
      let rest: readonly WindowSlot<TAcc>[];
      if (this.#assigner.kind === 'session') {
        ({ base, rest } = mergeTouching(slots, window, key, aggregate));
      } else {
        base = slots.find((s) => s.start === window.start && s.end === window.end);
        rest = base === undefined ? slots : slots.filter((s) => s !== base);
      }
      const start = base?.start ?? window.start;
      const end = base?.end ?? window.end;
      const accumulator = aggregate.add(base === undefined ? aggregate.create(key) : base.accumulator, value, key);
      // A window the watermark already passed (its first record may be this late one) fires now.
      const late = (base !== undefined && base.fired) || end - 1 <= watermark;
      const slot: WindowSlot<TAcc> = { start, end, accumulator, fired: late || (base?.fired ?? false) };
      // A window new to the key needs its due times; one it had keeps the ones it has.
      if (!slots.some((s) => s.start === start && s.end === end)) created.push(slot);
      slots = insertSorted(rest, slot);
      if (late) firings.push({ key, window: { start, end }, accumulator, late: true });
    }
    if (slots !== before) this.#store.set(key, slots);
    for (const slot of created) this.#schedule(key, slot);
    return { late: !accepted, firings };
  }

  /**
   * Fires every window whose last millisecond `watermark` reached, once, and drops the state of
   * windows past the allowed lateness. Firings come in order of window end, then of scheduling.
   */
  advance(watermark: number): SlotFiring<TKey, TAcc>[] {
    const firings: SlotFiring<TKey, TAcc>[] = [];
    const due = this.#due;
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
        store.set(key, slots.map((s, i) => (i === at ? { ...s, fired: true } : s)));
        firings.push({ key, window: { start, end }, accumulator: slot.accumulator, late: false });
      } else if (slots.length === 1) {
        store.delete(key);
      } else {
        store.set(key, slots.filter((_, i) => i !== at));
      }
    }
    return firings;
  }

  /** Derives the due-time index from the store again: after a rollback or a restore. */
  rebuild(): void {
    this.#due = new MinHeap();
    for (const [key, slots] of this.#store.entries()) for (const slot of slots) this.#schedule(key, slot);
  }

  #schedule(key: TKey, slot: WindowSlot<TAcc>): void {
    const last = slot.end - 1;
    if (!slot.fired) this.#due.push(last, { key, start: slot.start, end: slot.end, kind: 'fire' });
    this.#due.push(last + this.#lateness, { key, start: slot.start, end: slot.end, kind: 'cleanup' });
  }
}

/** A session proto-window merged with every session of the key it overlaps or touches. */
function mergeTouching<TKey, TIn, TAcc>(
  slots: readonly WindowSlot<TAcc>[],
  proto: TimeWindow,
  key: TKey,
  aggregate: KeyedWindowAggregate<TKey, TIn, TAcc>,
): { base: WindowSlot<TAcc> | undefined; rest: readonly WindowSlot<TAcc>[] } {
  const touching = slots.filter((s) => s.start <= proto.end && proto.start <= s.end);
  if (touching.length === 0) return { base: undefined, rest: slots };
  const merge = aggregate.merge as NonNullable<typeof aggregate.merge>;
  let start = proto.start;
  let end = proto.end;
  let accumulator: TAcc | undefined;
  for (const slot of touching) {
    start = Math.min(start, slot.start);
    end = Math.max(end, slot.end);
    accumulator = accumulator === undefined ? slot.accumulator : merge(accumulator, slot.accumulator, key);
  }
  // A merged session is a new window (it fires when the watermark passes its later end), unless
  // the record fell inside one session that keeps its bounds.
  const only = touching.length === 1 ? (touching[0] as WindowSlot<TAcc>) : undefined;
  const fired = only !== undefined && only.fired && only.start === start && only.end === end;
  const base: WindowSlot<TAcc> = { start, end, accumulator: accumulator as TAcc, fired };
  return { base, rest: slots.filter((s) => !touching.includes(s)) };
}

function insertSorted<TAcc>(slots: readonly WindowSlot<TAcc>[], slot: WindowSlot<TAcc>): WindowSlot<TAcc>[] {
  const next = [...slots];
  let at = next.length;
  while (at > 0 && (next[at - 1] as WindowSlot<TAcc>).start > slot.start) at--;
  next.splice(at, 0, slot);
  return next;
}
