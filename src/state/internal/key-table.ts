/**
 * An insertion-ordered hash table with Map semantics (SameValueZero keys, insertion order, and
 * iterators that see writes made while they run), built for lookups at scale. Keys and values sit
 * side by side in one open-addressed array (linear probing), so finding a key in a large table is
 * usually one cache miss, where a Map's chained buckets cost two or three; at a million keys that
 * miss is most of what a lookup costs.
 *
 * Invariants:
 * - `#slots` holds key, value pairs; a slot is empty (its key `undefined`), DELETED (probes go on
 *   past it), or an entry. At most 3/4 of the slots are in use (entries or DELETED), so every probe
 *   ends. The key `undefined` is stored as UNDEFINED_KEY, and NaN as NAN_KEY.
 * - Empty slots are `undefined`, not a symbol of our own, because a comparison with `undefined` is
 *   a pointer comparison in optimized code however this module is loaded. A module-level symbol is
 *   a constant only while it stays a `const`: a bundler that turns it into a `var` (esbuild does)
 *   makes every comparison with it a call to V8's generic equality.
 * - `#order[0 … #length)` lists entries in insertion order as slot numbers, HOLE where an entry
 *   was deleted; `#positions[slot]` is the entry's place in `#order`.
 * - `#order` is replaced, never shrunk in place: growing or compacting it (dropping holes) makes a
 *   new array and records how positions moved, so an iterator holding the old one finds its place.
 *   Rehashing rewrites slot numbers in the current `#order` in place, and iterators read slot
 *   numbers only from the current one.
 * - `#marks[slot]`, once a caller has set a mark, is the entry's mark (0 until set): an integer a
 *   caller keeps beside an entry and reads with the probe it already made. It moves with its entry
 *   in a rehash, and an insert sets it, so a slot never shows a mark of the key it held before.
 */
import { hashKey, hashString } from './key-hash.js';

const DELETED: unique symbol = Symbol('KeyTable.deleted');
/** Stands for NaN as a stored key: NaN === NaN is false, and a Map treats all NaNs as one key. */
const NAN_KEY: unique symbol = Symbol('KeyTable.NaN');
/** Stands for the key `undefined`, since an `undefined` key marks an empty slot. */
const UNDEFINED_KEY: unique symbol = Symbol('KeyTable.undefined');
const HOLE = -1;

const MIN_CAPACITY = 16;

/** How positions moved when an order array was compacted: old positions of the dropped holes, ascending. */
interface Compaction {
  readonly next: Int32Array;
  /** Every position before this one is gone (a `clear`); undefined for a compaction. */
  readonly clearedBefore: number | undefined;
  readonly holes: Int32Array;
}

/** Old order arrays → where their positions went; held weakly, so only live iterators keep them. */
const compactions = new WeakMap<Int32Array, Compaction>();

const NO_HOLES = new Int32Array(0);

/** The slot count that keeps `entries` at most half full, as a rebuild leaves it. */
function capacityFor(entries: number): number {
  let capacity = MIN_CAPACITY;
  while (capacity < entries * 2) capacity *= 2;
  return capacity;
}

/** How many of the ascending `holes` are below `position`. */
function holesBefore(holes: Int32Array, position: number): number {
  let low = 0;
  let high = holes.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((holes[mid] as number) < position) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * A Map-like table of `K` → `V`: `get`, `has`, `set`, `delete`, `clear`, `size`, and iteration in
 * insertion order. `find` / `valueAt` / `setAt` let a caller read and then replace a value with a
 * single probe.
 *
 * @example
 * ```ts
 * const table = new KeyTable<string, number>();
 * table.set('a', 1);
 * const at = table.find('a');
 * table.setAt(at, (table.valueAt(at) as number) + 1); // a → 2
 * ```
 */
export class KeyTable<K, V> {
  #slots: unknown[];
  /** 2 × (capacity − 1): masks a hash to the even index of a slot's key. */
  #mask: number;
  #positions: Int32Array;
  /** Each slot's mark, made when a mark is first set: tables whose callers set none never have one. */
  #marks: Int32Array | undefined;
  #order = new Int32Array(MIN_CAPACITY);
  /** Positions used in `#order`, entries and holes. */
  #length = 0;
  #size = 0;
  /** Slots holding an entry or DELETED. */
  #used = 0;
  /** Counts inserts, deletes and clears: what may move entries and so invalidate `find` results. */
  #changes = 0;

  /** Past this many used slots (3/4 of them), an insert rebuilds the table first. */
  #limit: number;

  constructor() {
    this.#slots = emptySlots(MIN_CAPACITY);
    this.#mask = (MIN_CAPACITY - 1) * 2;
    this.#limit = MIN_CAPACITY - MIN_CAPACITY / 4;
    this.#positions = new Int32Array(MIN_CAPACITY);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Changes with every insert, delete and clear (what may move entries): a result of `find` holds
   * while this stays the same.
   */
  get changes(): number {
    return this.#changes;
  }

  /**
   * Where `key`'s value is, for `valueAt` and `setAt`, or -1 when `key` is absent. Valid while
   * `changes` stays the same.
   */
  find(key: K): number {
    const slots = this.#slots;
    const mask = this.#mask;
    if (typeof key === 'string') {
      // A loop of its own, whose comparison only ever sees two strings: V8 then compares them as
      // strings, where a comparison that has also seen other kinds of key is a generic call.
      let at = (hashString(key) << 1) & mask;
      for (;;) {
        const held = slots[at];
        if (held === undefined) return -1;
        if (typeof held === 'string' && held === key) return at + 1;
        at = (at + 2) & mask;
      }
    }
    return this.#findOther(key);
  }

  /**
   * `find` for a key that is not a string: out of line, so a table of string keys that also holds a
   * few others (a partition's own entries, under symbols) compiles its lookup for strings alone,
   * and an optimized `find` is not thrown away the first time another kind of key comes.
   */
  #findOther(key: K): number {
    const slots = this.#slots;
    const mask = this.#mask;
    const wanted = storedKey(key);
    let at = (hashKey(wanted) << 1) & mask;
    for (;;) {
      const held = slots[at];
      if (held === undefined) return -1;
      if (held === wanted) return at + 1;
      at = (at + 2) & mask;
    }
  }

  /** The value at `ref`, a result of `find` that is not -1. */
  valueAt(ref: number): V {
    return this.#slots[ref] as V;
  }

  /** Replaces the value at `ref`, a result of `find` that is not -1. */
  setAt(ref: number, value: V): void {
    this.#slots[ref] = value;
  }

  /** The mark of the entry at `ref`, a result of `find` that is not -1: 0 until one is set. */
  markAt(ref: number): number {
    const marks = this.#marks;
    return marks === undefined ? 0 : (marks[ref >> 1] as number);
  }

  /** Sets the mark (a 32-bit integer) of the entry at `ref`, a result of `find` that is not -1. */
  setMarkAt(ref: number, mark: number): void {
    (this.#marks ??= new Int32Array(this.#positions.length))[ref >> 1] = mark;
  }

  /** Sets every entry's mark back to 0. */
  clearMarks(): void {
    this.#marks = undefined;
  }

  get(key: K): V | undefined {
    const ref = this.find(key);
    return ref < 0 ? undefined : (this.#slots[ref] as V);
  }

  has(key: K): boolean {
    return this.find(key) >= 0;
  }

  set(key: K, value: V): void {
    const ref = this.find(key);
    if (ref >= 0) this.#slots[ref] = value;
    else this.insert(key, value);
  }

  delete(key: K): boolean {
    const ref = this.find(key);
    if (ref < 0) return false;
    const at = ref - 1;
    const slots = this.#slots;
    slots[at] = DELETED;
    slots[ref] = undefined;
    this.#order[this.#positions[at >> 1] as number] = HOLE;
    this.#size--;
    this.#changes++;
    // Many holes: compact, so iteration and memory follow the entries, not the deletes.
    if (this.#length - this.#size > Math.max(this.#size, MIN_CAPACITY)) this.#rebuild(capacityFor(this.#size));
    return true;
  }

  clear(): void {
    const old = this.#order;
    this.#order = new Int32Array(MIN_CAPACITY);
    compactions.set(old, { next: this.#order, clearedBefore: this.#length, holes: NO_HOLES });
    this.#length = 0;
    this.#slots = emptySlots(MIN_CAPACITY);
    this.#mask = (MIN_CAPACITY - 1) * 2;
    this.#limit = MIN_CAPACITY - MIN_CAPACITY / 4;
    this.#positions = new Int32Array(MIN_CAPACITY);
    this.#marks = undefined;
    this.#size = 0;
    this.#used = 0;
    this.#changes++;
  }

  /** Makes room for `entries` entries in all, so filling the table to that size rehashes nothing. */
  reserve(entries: number): void {
    if (entries <= this.#limit) return;
    this.#rebuild(capacityFor(entries));
    this.#changes++;
  }

  /** The entries in insertion order, seeing writes made while it runs as a Map iterator does. */
  *entries(): IterableIterator<[K, V]> {
    const cursor = { order: this.#order, position: 0 };
    for (let at = this.#advance(cursor); at >= 0; at = this.#advance(cursor)) {
      const slots = this.#slots;
      yield [keyOut(slots[at]) as K, slots[at + 1] as V];
    }
  }

  /** The keys in insertion order; see {@link KeyTable.entries}. */
  *keys(): IterableIterator<K> {
    const cursor = { order: this.#order, position: 0 };
    for (let at = this.#advance(cursor); at >= 0; at = this.#advance(cursor)) yield keyOut(this.#slots[at]) as K;
  }

  /** The values in insertion order; see {@link KeyTable.entries}. */
  *values(): IterableIterator<V> {
    const cursor = { order: this.#order, position: 0 };
    for (let at = this.#advance(cursor); at >= 0; at = this.#advance(cursor)) yield this.#slots[at + 1] as V;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /**
   * Calls `fn` with each entry in insertion order (and `context`, so a caller needs no closure per
   * walk), seeing writes made while it runs as `entries` does: the same walk without a generator,
   * or an array per entry.
   */
  forEach<C>(fn: (value: V, key: K, context: C) => void, context?: C): void {
    const cursor = { order: this.#order, position: 0 };
    for (let at = this.#advance(cursor); at >= 0; at = this.#advance(cursor)) {
      const slots = this.#slots;
      fn(slots[at + 1] as V, keyOut(slots[at]) as K, context as C);
    }
  }

  /**
   * Moves a cursor to its next entry and returns the index of that entry's key in `#slots`, or -1
   * at the end. A cursor holding an order array that was since compacted is moved to the current
   * one first.
   */
  #advance(cursor: { order: Int32Array; position: number }): number {
    let { order, position } = cursor;
    while (order !== this.#order) {
      const moved = compactions.get(order) as Compaction;
      position = moved.clearedBefore !== undefined ? Math.max(0, position - moved.clearedBefore) : position - holesBefore(moved.holes, position);
      order = moved.next;
    }
    const length = this.#length;
    while (position < length) {
      const slot = order[position++] as number;
      if (slot !== HOLE) {
        cursor.order = order;
        cursor.position = position;
        return slot << 1;
      }
    }
    cursor.order = order;
    cursor.position = position;
    return -1;
  }

  /**
   * Adds `key`, which is absent: `find` gave -1 for it and `changes` is the same since. One probe,
   * where `set` would look the key up first; a caller that has just missed it (a first write to a
   * key) has already paid for that lookup.
   * @returns where the new entry's value is, as `find` now gives it; its mark is 0.
   */
  insert(key: K, value: V): number {
    if (this.#used >= this.#limit) this.#rebuild(capacityFor(this.#size + 1));
    const stored = typeof key === 'string' ? copyOf(key) : storedKey(key);
    const slots = this.#slots;
    const mask = this.#mask;
    let at = (hashKey(stored) << 1) & mask;
    // `find` just walked this probe to an empty slot: reuse the first DELETED one on the way, if any.
    while (slots[at] !== undefined && slots[at] !== DELETED) at = (at + 2) & mask;
    if (slots[at] === undefined) this.#used++;
    slots[at] = stored;
    slots[at + 1] = value;
    const slot = at >> 1;
    // The slot may have held a deleted entry's mark.
    if (this.#marks !== undefined) this.#marks[slot] = 0;
    if (this.#length === this.#order.length) this.#growOrder();
    this.#positions[slot] = this.#length;
    this.#order[this.#length++] = slot;
    this.#size++;
    this.#changes++;
    return at + 1;
  }

  #growOrder(): void {
    const old = this.#order;
    const order = new Int32Array(old.length * 2);
    order.set(old);
    compactions.set(old, { next: order, clearedBefore: undefined, holes: NO_HOLES });
    this.#order = order;
  }

  /** Rehashes every entry into `capacity` slots and drops the holes from the order, in a new array. */
  #rebuild(capacity: number): void {
    const oldSlots = this.#slots;
    const oldOrder = this.#order;
    const slots = emptySlots(capacity);
    const positions = new Int32Array(capacity);
    const oldMarks = this.#marks;
    const marks = oldMarks === undefined ? undefined : new Int32Array(capacity);
    const mask = (capacity - 1) * 2;
    const order = new Int32Array(Math.max(MIN_CAPACITY, this.#size * 2));
    const holes = new Int32Array(this.#length - this.#size);
    let kept = 0;
    let dropped = 0;
    for (let position = 0; position < this.#length; position++) {
      const oldSlot = oldOrder[position] as number;
      if (oldSlot === HOLE) {
        holes[dropped++] = position;
        continue;
      }
      const key = oldSlots[oldSlot << 1];
      let at = (hashKey(key) << 1) & mask;
      while (slots[at] !== undefined) at = (at + 2) & mask;
      slots[at] = key;
      slots[at + 1] = oldSlots[(oldSlot << 1) + 1];
      if (marks !== undefined) marks[at >> 1] = (oldMarks as Int32Array)[oldSlot] as number;
      positions[at >> 1] = kept;
      order[kept++] = at >> 1;
    }
    compactions.set(oldOrder, { next: order, clearedBefore: undefined, holes });
    this.#slots = slots;
    this.#positions = positions;
    this.#marks = marks;
    this.#mask = mask;
    this.#limit = capacity - capacity / 4;
    this.#order = order;
    this.#length = kept;
    this.#used = this.#size;
  }
}

/**
 * `capacity` empty slots. `fill` is native and fast; the array is of the holey kind (made with a
 * length), which costs each read a compare, while filling a packed one by `push` costs several
 * times the whole insert work at a million keys.
 */
function emptySlots(capacity: number): unknown[] {
  return new Array<unknown>(capacity * 2).fill(undefined);
}

/** `key` as the table stores it: NaN as NAN_KEY, `undefined` as UNDEFINED_KEY, -0 as 0, as a Map does. */
function storedKey(key: unknown): unknown {
  // The NaN test only for numbers: `key !== key` on a string is a string comparison call.
  if (typeof key === 'number') return key !== key ? NAN_KEY : key === 0 ? 0 : key;
  return key === undefined ? UNDEFINED_KEY : key;
}

/**
 * A string key as the table keeps it: a fresh copy made when the key is first inserted. The keys a
 * table holds then sit together in memory, allocated in insertion order, rather than wherever the
 * caller's strings happen to live (a record's word, scattered among millions of others); comparing
 * a looked-up key with a held one reads the held one, so keeping them close keeps that read in
 * the cache. A copy also never holds on to a larger string the caller's key was cut from.
 */
function copyOf(key: string): string {
  return (' ' + key).slice(1);
}

/** A stored key as the caller gave it. */
function keyOut(stored: unknown): unknown {
  if (stored === NAN_KEY) return Number.NaN;
  return stored === UNDEFINED_KEY ? undefined : stored;
}
