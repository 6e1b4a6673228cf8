/**
 * Keyed state: an actor's large state as a map of key → immutable value, written in place at the
 * container level (a write costs O(1) plus building that one value, never O(whole state)), with
 * O(1) snapshots. A view keeps reading as the state did at its snapshot, whatever the live map does
 * after, because the first write to each key after a snapshot records the key's old value for that
 * view; `restore` writes the recorded values back in O(keys written since the view).
 *
 * Invariants, for every active view V and key k:
 * - V has recorded k (since its snapshot or last restore) ⟺ k has a slot with `stamp >= V.epoch`.
 *   So V records k at most once and never overwrites what it recorded, and a write learns whether
 *   it must record from the slot it already holds, with no extra lookup.
 * - A recorded key keeps its slot in the live Map (a deleted one as a tombstone) while any active
 *   view has recorded it. So a key present at V's snapshot keeps its place in the Map while V is
 *   active, and one walk over the Map meets each of V's keys exactly once, even when the Map is
 *   written to between the walk's steps. Tombstones live as long as the views that recorded them,
 *   not just while an iteration runs, so iterators need no registration and an abandoned one
 *   leaks nothing.
 */
import { produce as immerProduce, type Draft } from 'immer';
import { InvalidOptionError, ViewReleasedError } from '../errors.js';

export { ViewReleasedError };

/**
 * "No value". As a recorded value it says the key was absent at the snapshot; as a live slot's
 * value it marks a tombstone (a deleted key kept in place for the views). One sentinel serves both,
 * so recording a tombstone's old value needs no translation.
 */
const ABSENT: unique symbol = Symbol('KeyedState.absent');
type Absent = typeof ABSENT;

/**
 * A live entry. Boxing the value lets a write to an existing key cost one Map lookup and a few
 * field stores, and gives each key the bookkeeping below without a second Map.
 */
interface Slot<V> {
  value: V | Absent;
  /** `#epoch` at the key's last write: every active view with `epoch <= stamp` has recorded it. */
  stamp: number;
  /**
   * Where the newest view that recorded this key keeps the old value: `olds[index]` of the view
   * whose epoch is `recordEpoch`. Stale once that view is released or restored (its epoch is then
   * no active view's), which costs nothing: these are numbers, they keep nothing alive.
   */
  recordEpoch: number;
  index: number;
}

/** What the state tracks for one view; `KeyedStateView` is its public face. */
interface ViewCore<K, V> {
  readonly owner: KeyedState<K, V>;
  readonly live: Map<K, Slot<V>>;
  /** Increasing with each snapshot; `#views` is kept in epoch order. `restore` renews it. */
  epoch: number;
  /** Live entry count at the snapshot; `restore` returns to the same content, so it stays. */
  readonly size: number;
  /**
   * Recorded values of the keys this view recorded while it was the newest view: appending to two
   * arrays is far cheaper than inserting into a large hash table, and the slot's `index` finds the
   * value again. Entries the slot no longer points at were moved to `undo`.
   */
  keys: K[];
  olds: (V | Absent)[];
  /** How many entries of `keys` and `olds` are this view's; the arrays may be longer (reused, cleared). */
  logged: number;
  /**
   * Recorded values of keys written while a newer view was active (or moved here when a newer view
   * took over the slot's index). Made on first use: undefined unless several views are active at once.
   */
  undo: Map<K, V | Absent> | undefined;
  /** How many keys this view has recorded. */
  count: number;
  released: boolean;
}

/** The longest log whose arrays are kept for reuse once their view is done with them. */
const RECYCLED_LOG_MAX = 16_384;

// Bridges between the two classes, set in their static blocks: views are made only by `snapshot`
// (private constructor) and each class keeps its fields `#private`.
let createView: <K, V>(core: ViewCore<K, V>) => KeyedStateView<K, V>;
let coreOf: <K, V>(view: KeyedStateView<K, V>) => ViewCore<K, V>;
let releaseCore: <K, V>(core: ViewCore<K, V>) => void;

/** The value of a key (with its slot) as `core` sees it: ABSENT when absent at its snapshot. */
function seenBy<K, V>(core: ViewCore<K, V>, key: K, slot: Slot<V>): V | Absent {
  if (slot.stamp < core.epoch) return slot.value;
  if (slot.recordEpoch === core.epoch) return core.olds[slot.index] as V | Absent;
  return (core.undo as Map<K, V | Absent>).get(key) as V | Absent;
}


/**
 * A read-only picture of a {@link KeyedState} as it was when `snapshot()` was called. Reading it
 * costs about as much as reading the live state; it stays correct while the live state changes,
 * including between the steps of an iteration, until `release()`.
 *
 * @example
 * ```ts
 * const state = new KeyedState([['a', 1]]);
 * const view = state.snapshot();
 * state.set('a', 2).set('b', 3);
 * [...view]; // [['a', 1]]
 * view.release();
 * ```
 */
export class KeyedStateView<K, V> implements Iterable<[K, V]> {
  readonly #core: ViewCore<K, V>;

  private constructor(core: ViewCore<K, V>) {
    this.#core = core;
  }

  static {
    createView = <K, V>(core: ViewCore<K, V>) => new KeyedStateView<K, V>(core);
    coreOf = <K, V>(view: KeyedStateView<K, V>) => view.#core;
  }

  /**
   * How many entries the state held at the snapshot.
   * @throws ViewReleasedError after `release()`.
   */
  get size(): number {
    return this.#active().size;
  }

  /**
   * How many keys were written (set, updated or deleted) since the snapshot, or since this view was
   * last restored: the work `restore(view)` would do. A key written back to its old value counts.
   * @throws ViewReleasedError after `release()`.
   */
  get changedKeys(): number {
    return this.#active().count;
  }

  /** Whether `release()` was called. */
  get released(): boolean {
    return this.#core.released;
  }

  /**
   * The value of `key` at the snapshot, or `undefined` when it was absent.
   * @throws ViewReleasedError after `release()`.
   */
  get(key: K): V | undefined {
    const core = this.#active();
    const slot = core.live.get(key);
    if (slot === undefined) return undefined;
    const value = seenBy(core, key, slot);
    return value === ABSENT ? undefined : value;
  }

  /**
   * Whether `key` existed at the snapshot.
   * @throws ViewReleasedError after `release()`.
   */
  has(key: K): boolean {
    const core = this.#active();
    const slot = core.live.get(key);
    return slot !== undefined && seenBy(core, key, slot) !== ABSENT;
  }

  /**
   * The entries at the snapshot, each once, in the live state's insertion order. Safe to consume in
   * chunks while the state keeps changing in between (or is restored to this view); a step after
   * `release()` throws.
   * @throws ViewReleasedError after `release()`, now or at any later step.
   */
  entries(): IterableIterator<[K, V]> {
    return walk(this.#active());
  }

  /**
   * The keys at the snapshot; see {@link KeyedStateView.entries}.
   * @throws ViewReleasedError after `release()`, now or at any later step.
   */
  *keys(): IterableIterator<K> {
    for (const entry of this.entries()) yield entry[0];
  }

  /**
   * The values at the snapshot; see {@link KeyedStateView.entries}.
   * @throws ViewReleasedError after `release()`, now or at any later step.
   */
  *values(): IterableIterator<V> {
    for (const entry of this.entries()) yield entry[1];
  }

  /**
   * Same as {@link KeyedStateView.entries}.
   * @throws ViewReleasedError after `release()`, now or at any later step.
   */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /**
   * Stops tracking: the state no longer records writes for this view and drops the old values it
   * kept. Any later use of the view throws. Calling it again does nothing.
   */
  release(): void {
    releaseCore(this.#core);
  }

  #active(): ViewCore<K, V> {
    if (this.#core.released) throw new ViewReleasedError();
    return this.#core;
  }
}

/**
 * One pass over the live Map. A key present at the snapshot keeps its slot and place while the view
 * is active, so each is met exactly once however the Map changes between steps; keys added since
 * were recorded as ABSENT and are skipped. `core.epoch` is read at each step, as `restore` renews it.
 */
function* walk<K, V>(core: ViewCore<K, V>): IterableIterator<[K, V]> {
  // Checked on every `next()`, including the first and the one that would report the end.
  if (core.released) throw new ViewReleasedError();
  for (const [key, slot] of core.live) {
    const value = seenBy(core, key, slot);
    if (value === ABSENT) continue;
    yield [key, value];
    if (core.released) throw new ViewReleasedError();
  }
}

/**
 * An actor's keyed state: a map of key → value where values are treated as immutable (replace them,
 * never mutate them). Writes touch one key; `snapshot()` is O(1) and `restore(view)` is O(keys
 * written since the view). With no view active a write is one Map operation; with views active the
 * first write to a key since the newest snapshot also appends its old value to that view's log.
 *
 * @example
 * ```ts
 * const counts = new KeyedState<string, number>();
 * counts.update('a', (n = 0) => n + 1);
 * const view = counts.snapshot(); // O(1)
 * counts.set('a', 10).delete('b');
 * counts.restore(view); // counts.get('a') === 1 again
 * ```
 */
export class KeyedState<K, V> implements Iterable<[K, V]> {
  /** Live entries, tombstones included; key order is insertion order, as for a Map. */
  readonly #live = new Map<K, Slot<V>>();
  /** Tombstoned keys: `size` stays O(1) and sweeping them is O(tombstones). */
  readonly #tombstones = new Set<K>();
  /** Active views, oldest first. */
  readonly #views: ViewCore<K, V>[] = [];
  /** The newest epoch handed out; writes are stamped with it. */
  #epoch = 0;
  /** Counts slot removals from `#live`, so `update` can tell its slot is still the key's. */
  #removals = 0;
  /** A released view's emptied log arrays, for the next snapshot. */
  #spareKeys: K[] | undefined;
  #spareOlds: (V | Absent)[] | undefined;

  static {
    releaseCore = <K, V>(core: ViewCore<K, V>) => core.owner.#release(core);
  }

  /**
   * @param entries - initial entries; a repeated key keeps its last value.
   * @example
   * ```ts
   * const state = new KeyedState([['a', 1], ['b', 2]]);
   * ```
   */
  constructor(entries?: Iterable<readonly [K, V]>) {
    if (entries !== undefined) for (const [key, value] of entries) this.set(key, value);
  }

  /** How many keys the state holds. */
  get size(): number {
    return this.#live.size - this.#tombstones.size;
  }

  /** How many views are active (taken and not yet released). */
  get activeViews(): number {
    return this.#views.length;
  }

  /**
   * The value of `key`, or `undefined` when absent.
   * @example
   * ```ts
   * new KeyedState([['a', 1]]).get('a'); // 1
   * ```
   */
  get(key: K): V | undefined {
    const slot = this.#live.get(key);
    if (slot === undefined) return undefined;
    const value = slot.value;
    return value === ABSENT ? undefined : value;
  }

  /**
   * Whether `key` is present.
   * @example
   * ```ts
   * new KeyedState([['a', 1]]).has('b'); // false
   * ```
   */
  has(key: K): boolean {
    const slot = this.#live.get(key);
    return slot !== undefined && slot.value !== ABSENT;
  }

  /**
   * Sets `key` to `value`, which from now on is treated as immutable. O(1).
   * @returns this state, for chaining.
   * @example
   * ```ts
   * state.set('a', 1).set('b', 2);
   * ```
   */
  set(key: K, value: V): this {
    const slot = this.#live.get(key);
    if (slot === undefined) this.#insert(key, value);
    else this.#write(key, slot, value);
    return this;
  }

  /**
   * Removes `key`. While a view is active the key stays in the underlying Map as a tombstone (never
   * counted, read or iterated) until no active view has recorded it; setting it again meanwhile puts
   * it back at its old place in the iteration order, where a Map would append it.
   * @returns whether the key was present.
   * @example
   * ```ts
   * new KeyedState([['a', 1]]).delete('a'); // true
   * ```
   */
  delete(key: K): boolean {
    const slot = this.#live.get(key);
    if (slot === undefined || slot.value === ABSENT) return false;
    if (this.#views.length === 0) {
      this.#live.delete(key);
      this.#removals++;
    } else {
      this.#write(key, slot, ABSENT);
    }
    return true;
  }

  /**
   * Removes every key. O(1) with no view active; O(size) otherwise, since each key's value must be
   * recorded for the views.
   * @example
   * ```ts
   * state.clear(); // state.size === 0
   * ```
   */
  clear(): void {
    if (this.#views.length === 0) {
      this.#live.clear();
      this.#tombstones.clear();
      this.#removals++;
      return;
    }
    for (const [key, slot] of this.#live) if (slot.value !== ABSENT) this.#write(key, slot, ABSENT);
  }

  /**
   * Replaces the value of `key` with `fn(current)` (`current` is `undefined` when the key is absent).
   * One Map lookup, where `get` then `set` take two.
   * @returns the new value.
   * @example
   * ```ts
   * state.update('hits', (n = 0) => n + 1);
   * ```
   */
  update(key: K, fn: (current: V | undefined) => V): V {
    const slot = this.#live.get(key);
    const removals = this.#removals;
    const next = fn(slot === undefined || slot.value === ABSENT ? undefined : slot.value);
    // `fn` may itself write to the state; the slot is still the key's unless one was removed.
    if (slot !== undefined && removals === this.#removals) this.#write(key, slot, next);
    else this.set(key, next);
    return next;
  }

  /**
   * Replaces the value of `key` with `fn(current, present, key, a, b)`, in one Map lookup and without a
   * closure: the hot-path form of `update`, which also tells an absent key from one holding
   * `undefined`. When `fn` throws, the state is unchanged.
   * @returns the new value.
   * @example
   * ```ts
   * state.compute('hits', (n, present, _key, by: number) => (present ? (n as number) : 0) + by, 2, undefined);
   * ```
   */
  compute<A, B>(key: K, fn: (current: V | undefined, present: boolean, key: K, a: A, b: B) => V, a: A, b: B): V {
    const slot = this.#live.get(key);
    const present = slot !== undefined && slot.value !== ABSENT;
    const removals = this.#removals;
    const next = fn(present ? (slot.value as V) : undefined, present, key, a, b);
    if (slot !== undefined && removals === this.#removals) this.#write(key, slot, next);
    else this.set(key, next);
    return next;
  }

  /**
   * Updates the value of `key` with an immer recipe: `recipe` mutates a draft of that one value (or
   * returns a replacement) and the result is stored, structurally shared with the old value and
   * frozen by immer. Only this value is drafted, never the whole state. When the recipe changes
   * nothing the state is not written. Drafting a Map or Set needs immer's `enableMapSet()` first.
   * @param initial - the value to start from when `key` is absent.
   * @returns the new value (the old one when nothing changed).
   * @throws InvalidOptionError naming `initial` when `key` is absent and no `initial` is given.
   * @example
   * ```ts
   * state.produce('cart-1', (cart) => { cart.items.push('apple'); }, { items: [] });
   * ```
   */
  produce(key: K, recipe: (draft: Draft<V>) => void, initial?: V): V {
    const slot = this.#live.get(key);
    const present = slot !== undefined && slot.value !== ABSENT;
    if (!present && initial === undefined) {
      throw new InvalidOptionError('initial', 'a starting value, because the key is absent', initial);
    }
    const base = present ? (slot.value as V) : (initial as V);
    const next = immerProduce(base, recipe) as V;
    if (!present || next !== base) this.set(key, next);
    return next;
  }

  /**
   * The keys, in insertion order. Like a Map iterator, it sees writes made while it runs.
   * @example
   * ```ts
   * [...state.keys()];
   * ```
   */
  *keys(): IterableIterator<K> {
    for (const [key, slot] of this.#live) if (slot.value !== ABSENT) yield key;
  }

  /**
   * The values, in key insertion order.
   * @example
   * ```ts
   * [...state.values()];
   * ```
   */
  *values(): IterableIterator<V> {
    for (const slot of this.#live.values()) {
      const value = slot.value;
      if (value !== ABSENT) yield value;
    }
  }

  /**
   * The `[key, value]` entries, in insertion order.
   * @example
   * ```ts
   * new Map(state.entries());
   * ```
   */
  *entries(): IterableIterator<[K, V]> {
    for (const [key, slot] of this.#live) {
      const value = slot.value;
      if (value !== ABSENT) yield [key, value];
    }
  }

  /**
   * Same as {@link KeyedState.entries}.
   * @example
   * ```ts
   * for (const [key, value] of state) console.log(key, value);
   * ```
   */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /**
   * Calls `callback` for each entry, in insertion order, as `Map.prototype.forEach` does.
   * @example
   * ```ts
   * state.forEach((value, key) => console.log(key, value));
   * ```
   */
  forEach(callback: (value: V, key: K, state: this) => void, thisArg?: unknown): void {
    for (const [key, slot] of this.#live) {
      const value = slot.value;
      if (value !== ABSENT) callback.call(thisArg, value, key, this);
    }
  }

  /**
   * Takes an O(1) snapshot: nothing is copied. The view reads as the state does now until it is
   * released; each later write records the key's old value for it, once per key. Release views
   * that are no longer needed: an active view keeps the old values and deleted keys it recorded.
   * @example
   * ```ts
   * const view = state.snapshot();
   * await store.save(id, { sequence, meta, entries: view }); // read in chunks while state moves on
   * view.release();
   * ```
   */
  snapshot(): KeyedStateView<K, V> {
    const core: ViewCore<K, V> = {
      owner: this,
      live: this.#live,
      epoch: ++this.#epoch,
      size: this.size,
      keys: [],
      olds: [],
      logged: 0,
      undo: undefined,
      count: 0,
      released: false,
    };
    this.#startLog(core);
    this.#views.push(core);
    return createView(core);
  }

  /**
   * Rolls the state back to exactly the content of `view`, in O(keys written since it). The view
   * stays active and now equals the live state (`changedKeys` is 0); other active views keep
   * reading as at their own snapshots. Safe while any view, this one included, is being iterated.
   * @throws ViewReleasedError when `view` was released.
   * @throws InvalidOptionError naming `view` when it was taken from another KeyedState.
   * @example
   * ```ts
   * const view = state.snapshot();
   * state.set('a', 99);
   * state.restore(view); // state.get('a') is back to its value at the snapshot
   * ```
   */
  restore(view: KeyedStateView<K, V>): void {
    const core = coreOf(view);
    if (core.owner !== this) throw new InvalidOptionError('view', 'a view taken from this KeyedState', view);
    if (core.released) throw new ViewReleasedError();
    if (core.count === 0) return;
    const views = this.#views;
    const wasOldest = views[0] === core;
    // Rolling back is a write like any other, so other views record what it overwrites. It gets
    // an epoch of its own, then the view a newer one: the view has recorded nothing since, and stays
    // in epoch order at the end of `#views`.
    views.splice(views.indexOf(core), 1);
    this.#epoch++;
    const live = this.#live;
    const { keys, olds, logged } = core;
    for (let i = 0; i < logged; i++) {
      const key = keys[i] as K;
      const slot = live.get(key) as Slot<V>; // recorded keys keep their slot
      if (slot.recordEpoch === core.epoch && slot.index === i) this.#write(key, slot, olds[i] as V | Absent);
    }
    if (core.undo !== undefined) for (const [key, value] of core.undo) this.#write(key, live.get(key) as Slot<V>, value);
    core.epoch = ++this.#epoch;
    this.#recycleLog(core);
    this.#startLog(core);
    core.undo = undefined;
    core.count = 0;
    views.push(core);
    if (wasOldest) this.#sweep();
  }

  /** A key with no slot: no active view has recorded it, so every one records it as ABSENT. */
  #insert(key: K, value: V): void {
    // Views' epochs start at 1, so `recordEpoch: 0` points at no view.
    const slot: Slot<V> = { value, stamp: this.#epoch, recordEpoch: 0, index: 0 };
    if (this.#views.length !== 0) this.#record(key, slot, ABSENT, -1);
    this.#live.set(key, slot);
  }

  /** Writes `value` (ABSENT to delete) to a key that has a slot. */
  #write(key: K, slot: Slot<V>, value: V | Absent): void {
    const old = slot.value;
    if (slot.stamp !== this.#epoch) {
      if (this.#views.length !== 0) this.#record(key, slot, old, slot.stamp);
      slot.stamp = this.#epoch;
    }
    if (old === ABSENT) {
      if (value !== ABSENT) this.#tombstones.delete(key);
    } else if (value === ABSENT) {
      this.#tombstones.add(key);
    }
    slot.value = value;
  }

  /**
   * Records `old` for every active view newer than `stamp` (those that have not recorded the key).
   * The newest appends to its log and points the slot there; older ones, which exist only while
   * several views are active, use their undo maps.
   */
  #record(key: K, slot: Slot<V>, old: V | Absent, stamp: number): void {
    const views = this.#views;
    let i = views.length - 1;
    const newest = views[i] as ViewCore<K, V>;
    if (newest.epoch <= stamp) return;
    // The slot's index is about to be reused: if it belonged to another active view, move that
    // view's value into its undo map first.
    const previous = slot.recordEpoch;
    if (previous >= (views[0] as ViewCore<K, V>).epoch && previous !== newest.epoch) {
      for (const view of views) {
        if (view.epoch === previous) {
          (view.undo ??= new Map()).set(key, view.olds[slot.index] as V | Absent);
          break;
        }
      }
    }
    slot.recordEpoch = newest.epoch;
    const at = newest.logged++;
    slot.index = at;
    newest.keys[at] = key;
    newest.olds[at] = old;
    newest.count++;
    for (i--; i >= 0; i--) {
      const view = views[i] as ViewCore<K, V>;
      if (view.epoch <= stamp) break;
      (view.undo ??= new Map()).set(key, old);
      view.count++;
    }
  }

  #release(core: ViewCore<K, V>): void {
    if (core.released) return;
    core.released = true;
    const views = this.#views;
    const wasOldest = views[0] === core;
    views.splice(views.indexOf(core), 1);
    this.#recycleLog(core);
    core.undo = undefined;
    if (wasOldest) this.#sweep();
  }

  /** Gives a view with an empty log the spare arrays, when there are some. */
  #startLog(core: ViewCore<K, V>): void {
    if (this.#spareKeys === undefined || this.#spareOlds === undefined) return;
    core.keys = this.#spareKeys;
    core.olds = this.#spareOlds;
    this.#spareKeys = undefined;
    this.#spareOlds = undefined;
  }

  /**
   * Empties a view's log. A snapshot per batch would otherwise grow two fresh arrays every time:
   * the arrays (up to a size) are cleared, so they keep nothing alive, and kept for the next view.
   */
  #recycleLog(core: ViewCore<K, V>): void {
    const { keys, olds, logged } = core;
    core.keys = [];
    core.olds = [];
    core.logged = 0;
    if (keys.length > RECYCLED_LOG_MAX) return;
    keys.fill(undefined as K, 0, logged);
    olds.fill(undefined as V, 0, logged);
    this.#spareKeys = keys;
    this.#spareOlds = olds;
  }

  /**
   * Drops tombstones no active view has recorded (stamped before the oldest view). Only the oldest
   * view leaving can make any, and they were all recorded by it: O(its changes) at most.
   */
  #sweep(): void {
    const tombstones = this.#tombstones;
    if (tombstones.size === 0) return;
    const live = this.#live;
    const views = this.#views;
    this.#removals++;
    if (views.length === 0) {
      for (const key of tombstones) live.delete(key);
      tombstones.clear();
      return;
    }
    const oldest = (views[0] as ViewCore<K, V>).epoch;
    // Deleting from a Map or Set while iterating it is safe; a view iteration in progress never
    // yields these keys (absent at its snapshot), so it loses nothing when they go.
    for (const key of tombstones) {
      if ((live.get(key) as Slot<V>).stamp < oldest) {
        live.delete(key);
        tombstones.delete(key);
      }
    }
  }
}
