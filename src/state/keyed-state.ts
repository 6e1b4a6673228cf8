/**
 * Keyed state: an actor's large state as a map of key → immutable value, written in place at the
 * container level (a write costs O(1) plus building that one value, never O(whole state)), with
 * O(1) snapshots. A view keeps reading as the state did at its snapshot, whatever the live map does
 * after; `restore` writes the old values back in O(writes since the view).
 *
 * Values live in the live table itself (a {@link KeyTable}: a Map's semantics, with key and value
 * side by side in one open-addressed array), with no per-key record beside them: at a million keys
 * each extra object or chain link a lookup goes through is one more cache miss, and the miss is
 * most of a write's cost.
 * While views are active every write appends the key and its old value to one log (two array
 * stores, no lookup). A view that is only ever restored to, as an actor's restart point is, never
 * needs more. A view that is read gets an index the first time: each key written since its
 * snapshot → the key's value at the snapshot, built from the log and from then on kept up to date
 * by the writes (a lookup in each indexed view's index). Once the log is long (4,096 entries) or a
 * view is indexed, only the first write of each key after the newest view records: later writes of it see,
 * from the key's mark in the live table (read with the write's own probe), that every view has
 * its value already, and cost no lookup.
 *
 * Invariants, for every active view V:
 * - V sees exactly the state at its snapshot: a key's value is its index entry when V is indexed
 *   and has one, else its first log entry from `V.offset` on when V is not indexed and has one,
 *   else the live value.
 * - A key present at V's snapshot keeps its place in the live table while V is active: deleting it
 *   leaves a tombstone, remembered with the log position of the delete, and tombstones are dropped
 *   only once every active view was taken after that position. So one walk over the table meets
 *   each of V's keys exactly once, even when the table is written to between the walk's steps, and
 *   iterators need no registration: an abandoned one leaks nothing.
 * - The log holds, from the oldest unindexed view's offset on, at least the first write of each key
 *   after each view's offset; what lies before it is dropped. A view held long without being read
 *   is indexed once the log reaches 65,536 entries, so memory grows with the keys written, not
 *   with the writes.
 */
import { produce as immerProduce, type Draft } from 'immer';
import { InvalidOptionError, ViewReleasedError } from '../errors.js';
import { KeyTable } from './internal/key-table.js';
import { clearSlots } from '../internal/empty-array.js';

export { ViewReleasedError };

/**
 * "No value". As an old value it says the key was absent; as a live value it marks a tombstone (a
 * deleted key kept in place for the views). One sentinel serves both, so logging a tombstone's old
 * value needs no translation.
 */
const ABSENT: unique symbol = Symbol('KeyedState.absent');
type Absent = typeof ABSENT;

/**
 * The most writes the log holds: past it, the views that need the log are indexed instead, so a view
 * held long keeps one old value per key written, not one per write.
 */
const LOG_BOUND = 65_536;

/**
 * Past this many log entries, a write reads its key's mark before recording (see `#epoch`). Short
 * of it, an append costs less than the read, which the usual short-lived view (a restart point
 * taken after every message) would seldom find set.
 */
const MARKED_FROM = 4096;

/**
 * The longest log whose arrays are kept for reuse once nothing needs what they hold. Their entries
 * are not cleared then, but overwritten by the next log's writes: clearing costs as much as the
 * writes themselves (a store per entry, twice), and a partition drops its log after every
 * message. What the next log did not overwrite is cleared when that log is dropped in turn, so
 * the arrays keep at most one dropped log's keys and old values alive, and no more than this many.
 */
const RECYCLED_LOG_MAX = 16_384;

/** What the state tracks for one view; `KeyedStateView` is its public face. */
interface ViewCore<K, V> {
  readonly owner: KeyedState<K, V>;
  /**
   * The log position of the snapshot (or of the last `restore` to this view): later writes are
   * what the view has not seen. Views are kept in offset order.
   */
  offset: number;
  /** Live entry count at the snapshot; `restore` returns to the same content, so it stays (a renewal sets it anew). */
  size: number;
  /**
   * Once the view has been read: each key written since the snapshot → its value then (ABSENT for
   * a key that was absent). Undefined while the view has only been held, or read only while
   * nothing was written since its snapshot.
   */
  index: Map<K, V | Absent> | undefined;
  released: boolean;
}

// Bridges between the two classes, set in their static blocks: views are made only by `snapshot`
// (private constructor) and each class keeps its fields `#private`.
let createView: <K, V>(core: ViewCore<K, V>) => KeyedStateView<K, V>;
let coreOf: <K, V>(view: KeyedStateView<K, V>) => ViewCore<K, V>;
let releaseCore: <K, V>(core: ViewCore<K, V>) => void;
/**
 * The view's index, made when first needed; undefined while the view has none and nothing was
 * written since its snapshot (every live value is then the view's), so a view read before any
 * write, as a checkpoint kept in memory reads it, makes none.
 */
let indexOf: <K, V>(core: ViewCore<K, V>) => Map<K, V | Absent> | undefined;
let changedKeysOf: <K, V>(core: ViewCore<K, V>) => number;
let renewCore: <K, V>(core: ViewCore<K, V>) => void;

/** The value at a view's snapshot of a key with a live entry, from the view's index and the entry's live value. */
function seenBy<K, V>(index: Map<K, V | Absent> | undefined, key: K, live: V | Absent): V | Absent {
  return index !== undefined && index.size !== 0 && index.has(key) ? (index.get(key) as V | Absent) : live;
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
   * last restored: the keys `restore(view)` would write back. A key written back to its old value
   * counts.
   * @throws ViewReleasedError after `release()`.
   */
  get changedKeys(): number {
    return changedKeysOf(this.#active());
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
    const index = indexOf(core);
    const value = index !== undefined && index.size !== 0 && index.has(key) ? index.get(key) : (liveOf(core).get(key) as V | Absent | undefined);
    return value === ABSENT ? undefined : value;
  }

  /**
   * Whether `key` existed at the snapshot.
   * @throws ViewReleasedError after `release()`.
   */
  has(key: K): boolean {
    const core = this.#active();
    const index = indexOf(core);
    if (index !== undefined && index.size !== 0 && index.has(key)) return index.get(key) !== ABSENT;
    const live = liveOf(core);
    const ref = live.find(key);
    return ref >= 0 && live.valueAt(ref) !== ABSENT;
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
   * Stops tracking: the state no longer keeps old values for this view. Any later use of the view
   * throws. Calling it again does nothing.
   */
  release(): void {
    releaseCore(this.#core);
  }

  #active(): ViewCore<K, V> {
    if (this.#core.released) throw new ViewReleasedError();
    return this.#core;
  }
}

let liveOf: <K, V>(core: ViewCore<K, V>) => KeyTable<K, V | Absent>;

/**
 * One pass over the live table. A key present at the snapshot keeps its place while the view is
 * active, so each is met exactly once however the table changes between steps; keys added since read
 * as ABSENT and are skipped. The index is read afresh at each step, as `restore` replaces it.
 */
function* walk<K, V>(core: ViewCore<K, V>): IterableIterator<[K, V]> {
  // Checked on every `next()`, including the first and the one that would report the end.
  if (core.released) throw new ViewReleasedError();
  for (const [key, live] of liveOf(core)) {
    const value = seenBy(indexOf(core), key, live);
    if (value === ABSENT) continue;
    yield [key, value];
    if (core.released) throw new ViewReleasedError();
  }
}

/** A `forEach` walk: the caller's callback, its `this`, and the state it walks. */
interface ForEachWalk<K, V, S> {
  readonly callback: (value: V, key: K, state: S) => void;
  readonly thisArg: unknown;
  readonly state: S;
}

/**
 * One live entry of a `forEach` walk, tombstones skipped: a function of the module rather than a
 * closure per walk, so the table's loop calls one target however many states are walked.
 */
function visitLive<K, V, S>(value: V | Absent, key: K, walk: ForEachWalk<K, V, S>): void {
  if (value !== ABSENT) walk.callback.call(walk.thisArg, value, key, walk.state);
}

/**
 * An actor's keyed state: a map of key → value where values are treated as immutable (replace them,
 * never mutate them). Writes touch one key; `snapshot()` is O(1) and `restore(view)` is O(writes
 * since the view). With no view active a write is a Map write; with views active it also appends
 * the key's old value to a log, and updates the index of each view that has been read.
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
  /**
   * Live entries, tombstones (ABSENT) included; key order is insertion order, as for a Map. Not a
   * Map: at a million keys a Map lookup is two or three cache misses and the table's is one.
   */
  readonly #live = new KeyTable<K, V | Absent>();
  /** Tombstoned keys → the log position of the delete: `size` stays O(1) and sweeping is O(tombstones). */
  readonly #tombstones = new Map<K, number>();
  /** Active views, in offset order (oldest first). */
  readonly #views: ViewCore<K, V>[] = [];
  /** The active views that have an index. */
  readonly #indexed: ViewCore<K, V>[] = [];
  /** How many active views have no index (and so read the log). */
  #unindexed = 0;
  /** The write log: entry i is the key and old value of write `#logStart + i`. */
  #logKeys: K[] = [];
  #logOlds: (V | Absent)[] = [];
  #logLength = 0;
  #logStart = 0;
  /** Entries from `#logLength` up to this hold a dropped log's writes, not cleared yet (see RECYCLED_LOG_MAX). */
  #stale = 0;
  /** Counts writes, so `update` and `compute` can tell whether their function wrote to the state. */
  #writes = 0;
  /**
   * Counts the moments a view's offset was set (a snapshot, or the end of a restore). A key whose
   * live entry is marked with the current epoch had its old value recorded since the newest such
   * moment, so every active view, whose offset is at or before it, already has that key's value:
   * a write of it records nothing. Marks are read and set once the log is long or views are
   * indexed (where recording is a lookup per indexed view): from then on only the first write of
   * each key after a view's offset is recorded, so the log and the indexes grow with the keys
   * written, not with the writes, and a key written again costs no lookup.
   */
  #epoch = 0;

  static {
    releaseCore = <K, V>(core: ViewCore<K, V>) => core.owner.#release(core);
    indexOf = <K, V>(core: ViewCore<K, V>) => (core.index === undefined && core.offset === core.owner.#position() ? undefined : core.owner.#indexFor(core));
    changedKeysOf = <K, V>(core: ViewCore<K, V>) => core.owner.#changedKeys(core);
    renewCore = <K, V>(core: ViewCore<K, V>) => core.owner.#renew(core);
    liveOf = <K, V>(core: ViewCore<K, V>) => core.owner.#live;
  }

  /**
   * @param entries - initial entries; a repeated key keeps its last value.
   * @example
   * ```ts
   * const state = new KeyedState([['a', 1], ['b', 2]]);
   * ```
   */
  constructor(entries?: Iterable<readonly [K, V]>) {
    if (entries === undefined) return;
    if (Array.isArray(entries)) this.#live.reserve(entries.length);
    for (const [key, value] of entries) this.set(key, value);
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
    const live = this.#live;
    const ref = live.find(key);
    return ref >= 0 && this.#holds(ref) ? (live.valueAt(ref) as V) : undefined;
  }

  /**
   * Whether `key` is present.
   * @example
   * ```ts
   * new KeyedState([['a', 1]]).has('b'); // false
   * ```
   */
  has(key: K): boolean {
    const ref = this.#live.find(key);
    return ref >= 0 && this.#holds(ref);
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
    const ref = this.#live.find(key);
    this.#writeAt(ref, key, this.#valueAt(ref), value);
    return this;
  }

  /**
   * Removes `key`. While a view is active the key stays in the underlying table as a tombstone (never
   * counted, read or iterated) until every active view was taken after the delete; setting it again
   * meanwhile puts it back at its old place in the iteration order, where a Map would append it.
   * @returns whether the key was present.
   * @example
   * ```ts
   * new KeyedState([['a', 1]]).delete('a'); // true
   * ```
   */
  delete(key: K): boolean {
    const old = this.#current(key);
    if (old === ABSENT) return false;
    this.#put(key, old, ABSENT);
    return true;
  }

  /**
   * Removes every key. O(1) with no view active; O(size) otherwise, since each key's value must be
   * logged for the views.
   * @example
   * ```ts
   * state.clear(); // state.size === 0
   * ```
   */
  clear(): void {
    if (this.#views.length === 0) {
      this.#live.clear();
      this.#tombstones.clear();
      this.#writes++;
      return;
    }
    for (const [key, value] of this.#live) if (value !== ABSENT) this.#put(key, value, ABSENT);
  }

  /**
   * Replaces the value of `key` with `fn(current)` (`current` is `undefined` when the key is absent).
   * @returns the new value.
   * @example
   * ```ts
   * state.update('hits', (n = 0) => n + 1);
   * ```
   */
  update(key: K, fn: (current: V | undefined) => V): V {
    const live = this.#live;
    const ref = live.find(key);
    const current = this.#valueAt(ref);
    const writes = this.#writes;
    const changes = live.changes;
    const next = fn(ref >= 0 && this.#holds(ref) ? (current as V) : undefined);
    this.#writeAfter(writes, changes, ref, key, current, next);
    return next;
  }

  /**
   * Replaces the value of `key` with `fn(current, present, key, a, b)`, without a closure: the
   * hot-path form of `update`, which also tells an absent key from one holding `undefined`. When
   * `fn` throws, the state is unchanged.
   * @returns the new value.
   * @example
   * ```ts
   * state.compute('hits', (n, present, _key, by: number) => (present ? (n as number) : 0) + by, 2, undefined);
   * ```
   */
  compute<A, B>(key: K, fn: (current: V | undefined, present: boolean, key: K, a: A, b: B) => V, a: A, b: B): V {
    const live = this.#live;
    const ref = live.find(key);
    const old = this.#valueAt(ref);
    const writes = this.#writes;
    const changes = live.changes;
    const present = ref >= 0 && this.#holds(ref);
    const next = fn(present ? (old as V) : undefined, present, key, a, b);
    this.#writeAfter(writes, changes, ref, key, old, next);
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
    const current = this.#current(key);
    const present = current !== ABSENT;
    if (!present && initial === undefined) {
      throw new InvalidOptionError('initial', 'a starting value, because the key is absent', initial);
    }
    const base = present ? current : (initial as V);
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
    for (const [key, value] of this.#live) if (value !== ABSENT) yield key;
  }

  /**
   * The values, in key insertion order.
   * @example
   * ```ts
   * [...state.values()];
   * ```
   */
  *values(): IterableIterator<V> {
    for (const value of this.#live.values()) if (value !== ABSENT) yield value;
  }

  /**
   * The `[key, value]` entries, in insertion order.
   * @example
   * ```ts
   * new Map(state.entries());
   * ```
   */
  *entries(): IterableIterator<[K, V]> {
    for (const [key, value] of this.#live) if (value !== ABSENT) yield [key, value];
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
    this.#live.forEach(visitLive, { callback, thisArg, state: this });
  }

  /**
   * Takes an O(1) snapshot: nothing is copied. The view reads as the state does now until it is
   * released; each later write logs the key's old value for it. Release views that are no longer
   * needed: an active view keeps the old values and deleted keys written since it.
   * @example
   * ```ts
   * const view = state.snapshot();
   * await store.save(id, { sequence, meta, entries: view }); // read in chunks while state moves on
   * view.release();
   * ```
   */
  snapshot(): KeyedStateView<K, V> {
    const core: ViewCore<K, V> = { owner: this, offset: this.#position(), size: this.size, index: undefined, released: false };
    this.#views.push(core);
    this.#unindexed++;
    this.#nextEpoch();
    return createView(core);
  }

  /**
   * Rolls the state back to exactly the content of `view`, in O(writes since it). The view stays
   * active and now equals the live state (`changedKeys` is 0); other active views keep reading as
   * at their own snapshots. Safe while any view, this one included, is being iterated.
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
    const changes = this.#indexFor(core);
    if (changes.size === 0) return;
    // Rolling back is a write like any other, so other views log (or index) what it overwrites;
    // this one steps aside meanwhile, then starts afresh as the newest view, equal to live.
    this.#detach(core);
    core.index = undefined;
    for (const [key, old] of changes) this.#put(key, this.#current(key), old);
    core.offset = this.#position();
    this.#views.push(core);
    this.#unindexed++;
    this.#nextEpoch();
    this.#tidy();
  }

  /** A view's offset was just set: from now on, each key's first write is recorded again. */
  #nextEpoch(): void {
    // Marks are 32-bit: at the last epoch, every mark goes back to 0 and the count starts over.
    if (this.#epoch === 0x7fffffff) {
      this.#live.clearMarks();
      this.#epoch = 0;
    }
    this.#epoch++;
  }

  /**
   * Whether the entry at `ref` (a `find` result ≥ 0) holds a value rather than a tombstone. With no
   * tombstone in the table, the usual case, it compares nothing: a comparison with the module's
   * ABSENT symbol is a generic equality call wherever a bundler has turned it into a `var`.
   */
  #holds(ref: number): boolean {
    return this.#tombstones.size === 0 || this.#live.valueAt(ref) !== ABSENT;
  }

  /** The live value at `ref`, a `find` result: ABSENT when there is no entry, or a tombstone. */
  #valueAt(ref: number): V | Absent {
    return ref < 0 ? ABSENT : this.#live.valueAt(ref);
  }

  /** The live value of `key`: ABSENT when it has no entry or a tombstone. */
  #current(key: K): V | Absent {
    return this.#valueAt(this.#live.find(key));
  }

  /**
   * Writes `value` over `old` at `ref`, after a user function that ran since `ref` was found. That
   * function may itself have written to the state, or released a view (which may sweep tombstones
   * and move entries): then the key is looked up again.
   */
  #writeAfter(writes: number, changes: number, ref: number, key: K, old: V | Absent, value: V): void {
    if (writes === this.#writes && changes === this.#live.changes) this.#writeAt(ref, key, old, value);
    else this.#put(key, this.#current(key), value);
  }

  /** Writes `value` (ABSENT to delete) over `old`, the key's live value now. */
  #put(key: K, old: V | Absent, value: V | Absent): void {
    const ref = this.#live.find(key);
    if (value === ABSENT) this.#deleteAt(ref, key, old);
    else this.#writeAt(ref, key, old, value);
  }

  /**
   * Sets `key` to `value` over `old`, its live value now (ABSENT for none); `ref` is the key's place
   * in the live table (`find(key)`).
   */
  #writeAt(ref: number, key: K, old: V | Absent, value: V): void {
    this.#writes++;
    if (this.#views.length !== 0) ref = this.#recorded(ref, key, old);
    const live = this.#live;
    if (ref >= 0) live.setAt(ref, value);
    else live.insert(key, value);
    if (this.#tombstones.size !== 0 && old === ABSENT) this.#tombstones.delete(key);
  }

  /** Deletes `key`, whose live value now is `old` (nothing to do when ABSENT); `ref` as for `#writeAt`. */
  #deleteAt(ref: number, key: K, old: V | Absent): void {
    this.#writes++;
    // The delete's position, before it is logged: views taken after it are past it even when it is not.
    const deletedAt = this.#position();
    if (this.#views.length !== 0) ref = this.#recorded(ref, key, old);
    if (old === ABSENT) return;
    if (this.#views.length === 0) {
      this.#live.delete(key);
    } else {
      this.#live.setAt(ref, ABSENT);
      this.#tombstones.set(key, deletedAt);
    }
  }

  /**
   * Keeps `old` for the active views (see `#record`) and returns `key`'s place in the live table
   * after that: bounding the log may sweep tombstones out of the table, which moves entries.
   */
  #recorded(ref: number, key: K, old: V | Absent): number {
    // Every view reads the log, which has room: an append, which moves nothing.
    const appends = this.#indexed.length === 0 && this.#logLength < LOG_BOUND;
    if (appends && this.#logLength < MARKED_FROM) {
      this.#append(key, old);
      return ref;
    }
    const live = this.#live;
    const epoch = this.#epoch;
    // Recorded since the newest view's offset: every view already has this key's value (see #epoch).
    if (ref >= 0 && live.markAt(ref) === epoch) return ref;
    if (appends) {
      this.#append(key, old);
    } else {
      const changes = live.changes;
      this.#record(key, old);
      if (changes !== live.changes) ref = live.find(key);
    }
    // A key inserted after this is not marked: its next write records it once more, which no view
    // reads (each reads the first record of a key from its offset on).
    if (ref >= 0) live.setMarkAt(ref, epoch);
    return ref;
  }

  /** Keeps `old` for every view: in the log for views with no index, in each index that lacks the key. */
  #record(key: K, old: V | Absent): void {
    if (this.#unindexed !== 0 && this.#append(key, old) >= LOG_BOUND) this.#boundLog();
    const indexed = this.#indexed;
    for (let i = 0; i < indexed.length; i++) {
      const index = (indexed[i] as ViewCore<K, V>).index as Map<K, V | Absent>;
      if (!index.has(key)) index.set(key, old);
    }
  }

  /** Appends a write to the log; returns its place there. */
  #append(key: K, old: V | Absent): number {
    const at = this.#logLength++;
    this.#logKeys[at] = key;
    this.#logOlds[at] = old;
    return at;
  }

  /**
   * The log has grown past its bound: a view held long without being read. Index the oldest
   * unindexed views until the log is short again, so what the views keep grows with the keys
   * written, not with the writes.
   */
  #boundLog(): void {
    for (const view of this.#views) {
      if (this.#logLength < LOG_BOUND / 2) return;
      if (view.index === undefined) this.#indexFor(view);
    }
  }

  /** The log position of the next write. */
  #position(): number {
    return this.#logStart + this.#logLength;
  }

  /** The view's index, made from the log the first time it is asked for. */
  #indexFor(core: ViewCore<K, V>): Map<K, V | Absent> {
    if (core.index !== undefined) return core.index;
    const index = new Map<K, V | Absent>();
    const keys = this.#logKeys;
    const olds = this.#logOlds;
    for (let i = core.offset - this.#logStart; i < this.#logLength; i++) {
      const key = keys[i] as K;
      if (!index.has(key)) index.set(key, olds[i] as V | Absent);
    }
    core.index = index;
    this.#unindexed--;
    this.#indexed.push(core);
    this.#tidy();
    return index;
  }

  /** How many distinct keys were written since the view's offset. */
  #changedKeys(core: ViewCore<K, V>): number {
    if (core.index !== undefined) return core.index.size;
    const keys = new Set<K>();
    for (let i = core.offset - this.#logStart; i < this.#logLength; i++) keys.add(this.#logKeys[i] as K);
    return keys.size;
  }

  /** Takes a view out of the lists of active views. */
  #detach(core: ViewCore<K, V>): void {
    const views = this.#views;
    views.splice(views.indexOf(core), 1);
    if (core.index === undefined) {
      this.#unindexed--;
    } else {
      const indexed = this.#indexed;
      indexed.splice(indexed.indexOf(core), 1);
    }
  }

  /** What releasing `core` and taking a snapshot would do, with `core` as the new view. */
  #renew(core: ViewCore<K, V>): void {
    this.#detach(core);
    core.index = undefined;
    this.#tidy();
    core.offset = this.#position();
    core.size = this.size;
    this.#views.push(core);
    this.#unindexed++;
    this.#nextEpoch();
  }

  #release(core: ViewCore<K, V>): void {
    if (core.released) return;
    core.released = true;
    this.#detach(core);
    core.index = undefined;
    this.#tidy();
  }

  /**
   * Drops what no active view needs any more: the log before the oldest unindexed view (all of it
   * when there is none), and tombstones deleted before the oldest view.
   */
  #tidy(): void {
    const views = this.#views;
    let logFrom = this.#position();
    for (const view of views) {
      if (view.index === undefined) {
        logFrom = view.offset;
        break;
      }
    }
    this.#dropLogBefore(logFrom);
    if (this.#tombstones.size === 0) return;
    const live = this.#live;
    const tombstones = this.#tombstones;
    if (views.length === 0) {
      for (const key of tombstones.keys()) live.delete(key);
      tombstones.clear();
      return;
    }
    const oldest = (views[0] as ViewCore<K, V>).offset;
    // Deleting from a Map while iterating it is safe; a view iteration in progress never yields
    // these keys (absent at its snapshot), so it loses nothing when they go.
    for (const [key, deletedAt] of tombstones) {
      if (deletedAt < oldest) {
        live.delete(key);
        tombstones.delete(key);
      }
    }
  }

  /** Forgets the log entries before `position`, letting go of what they held (see RECYCLED_LOG_MAX). */
  #dropLogBefore(position: number): void {
    const dead = position - this.#logStart;
    if (dead <= 0) return;
    const length = this.#logLength;
    if (dead >= length) {
      // Nothing left: keep the arrays for reuse, clearing only what this log did not overwrite.
      if (length > RECYCLED_LOG_MAX) {
        this.#logKeys = [];
        this.#logOlds = [];
        this.#stale = 0;
      } else {
        clearSlots(this.#logKeys, length, this.#stale);
        clearSlots(this.#logOlds, length, this.#stale);
        this.#stale = length;
      }
      this.#logLength = 0;
      this.#logStart = position;
      return;
    }
    // A long-held older view keeps the log alive; shift it only once most of it is dead.
    if (dead < RECYCLED_LOG_MAX || dead * 2 < length) return;
    this.#logKeys = this.#logKeys.slice(dead, length);
    this.#logOlds = this.#logOlds.slice(dead, length);
    this.#stale = 0;
    this.#logLength = length - dead;
    this.#logStart = position;
  }
}

/**
 * Moves `view` to `state` as it is now, as `view.release()` then `state.snapshot()` would, and
 * returns it: the view object and its bookkeeping are kept, for a restart point that moves after
 * every message. A view already released, or taken from another state, is released and a new
 * snapshot returned.
 * An iteration of the view already under way reads on over the renewed view: renew a view only
 * when nothing is reading it.
 * @example
 * ```ts
 * let view = state.snapshot();
 * state.set('a', 2);
 * view = renewSnapshot(state, view); // view.get('a') === 2
 * ```
 */
export function renewSnapshot<K, V>(state: KeyedState<K, V>, view: KeyedStateView<K, V>): KeyedStateView<K, V> {
  const core = coreOf(view);
  if (core.released || core.owner !== state) {
    view.release();
    return state.snapshot();
  }
  renewCore(core);
  return view;
}
