/**
 * The ring a FIFO queue is kept in: a power-of-two circular array, with O(1) push and shift by
 * index masking, never `Array.prototype.shift`. Storage is allocated by the first push, starts
 * small and doubles up to the capacity, so a ring that is never used costs no array and a mostly
 * idle mailbox with a large bound costs little memory; it never holds more than `capacity` items.
 *
 * It is a base class, its operations protected but for `size` and `highWaterMark`: a class that is
 * a queue with more around it extends it and says which of them it offers. `RingBuffer` offers
 * them all; a mailbox is its user lane and its bookkeeping in one object, which every actor has
 * one of (one object and 32 bytes less per actor than a mailbox holding a ring buffer).
 */
import { positiveInteger } from '../internal/validate.js';

/** Slots of the first storage: two, since most actors hold a message or two at a time (a million four-slot ones would hold 16 MB more). */
const INITIAL_STORAGE = 2;

/** The storage of every ring before its first push: never written, since a push grows it first. */
const NO_STORAGE: readonly never[] = [];

/** A FIFO ring of at most `capacity` items, for a class that extends it to say which operations it offers. */
export abstract class Ring<T> {
  /** The most items the ring holds at once. */
  readonly capacity: number;
  #items: (T | undefined)[];
  #mask: number;
  /**
   * The most items the ring has held at once, which is never more than the capacity or the
   * storage's length: a push below it goes straight in, one comparison of two small integers (the
   * capacity may be `Infinity`, a double); at it, the push refuses, grows the storage or raises the
   * mark. So a queue that reports its high-water mark pays for it only at a new high, at most
   * `capacity` times in its life, not with a comparison on every push.
   */
  #highWaterMark = 0;
  #head = 0;
  #size = 0;

  /**
   * @param capacity - a positive integer, or `Infinity` for a queue bounded only by memory.
   * @throws InvalidOptionError when `capacity` is neither.
   */
  constructor(capacity: number) {
    this.capacity = capacity === Infinity ? Infinity : positiveInteger('capacity', capacity);
    // A high-water mark of 0 makes the first push grow; every read of a slot is guarded by `#size > 0`.
    this.#items = NO_STORAGE as unknown as (T | undefined)[];
    this.#mask = -1;
  }

  /**
   * How many items the ring holds now: public, as every queue made of a ring shows it (and an
   * override that made it so would cost each read a look up the prototype chain for `super`).
   */
  get size(): number {
    return this.#size;
  }

  /** The most items the ring has held at once. */
  get highWaterMark(): number {
    return this.#highWaterMark;
  }

  /** Whether the ring holds `capacity` items. */
  protected get isFull(): boolean {
    return this.#size >= this.capacity;
  }

  /** Appends `item`; returns false (and stores nothing) when the ring is full. */
  protected push(item: T): boolean {
    // The rare path never rejoins this one, whose optimized code then need not check the ring's
    // shape again after the growth's call; its result is compared so that where the two meet,
    // optimized code knows it has a boolean (not V8's generic truth test in every caller).
    if (this.#size >= this.#highWaterMark) return Ring.#pushAtMark(this, item) === true;
    this.#items[(this.#head + this.#size) & this.#mask] = item;
    this.#size++;
    return true;
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  protected shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const head = this.#head;
    const item = this.#items[head];
    this.#items[head] = undefined; // let the item be collected
    this.#head = (head + 1) & this.#mask;
    this.#size--;
    return item;
  }

  /** The oldest item without removing it, or `undefined` when empty. */
  protected peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /**
   * Removes the oldest item `match` accepts, keeping the others in order, and returns it (undefined
   * when none matches). O(size): for rare removals from the middle, not for the hot path.
   */
  protected remove(match: (item: T) => boolean): T | undefined {
    for (let i = 0; i < this.#size; i++) {
      const item = this.#items[(this.#head + i) & this.#mask] as T;
      if (!match(item)) continue;
      // Close the gap: every later item moves one slot towards the head.
      for (let j = i + 1; j < this.#size; j++) {
        this.#items[(this.#head + j - 1) & this.#mask] = this.#items[(this.#head + j) & this.#mask];
      }
      this.#items[(this.#head + this.#size - 1) & this.#mask] = undefined;
      this.#size--;
      return item;
    }
    return undefined;
  }

  /** Removes every item and returns them oldest first. */
  protected drain(): T[] {
    const out = new Array<T>(this.#size);
    for (let i = 0; i < out.length; i++) out[i] = this.shift() as T;
    this.#head = 0;
    return out;
  }

  /** The items oldest first, without removing them. */
  protected toArray(): T[] {
    const out = new Array<T>(this.#size);
    for (let i = 0; i < this.#size; i++) out[i] = this.#items[(this.#head + i) & this.#mask] as T;
    return out;
  }

  /**
   * A push at the high-water mark: refused when the ring holds `capacity` items; else the storage
   * grows when it is full too, the mark rises, and the push starts again below it. Static, as
   * `#grow` is.
   */
  static #pushAtMark<T>(ring: Ring<T>, item: T): boolean {
    if (ring.#size >= ring.capacity) return false;
    if (ring.#size >= ring.#items.length) Ring.#grow(ring);
    ring.#highWaterMark = ring.#size + 1;
    return ring.push(item);
  }

  /** Static: a private instance method would give every ring a brand to check it by, 8 bytes each. */
  static #grow<T>(ring: Ring<T>): void {
    const length = ring.#items.length;
    const next = new Array<T | undefined>(length === 0 ? Math.min(INITIAL_STORAGE, nextPowerOfTwo(ring.capacity)) : length * 2);
    for (let i = 0; i < ring.#size; i++) next[i] = ring.#items[(ring.#head + i) & ring.#mask];
    ring.#items = next;
    ring.#mask = next.length - 1;
    ring.#head = 0;
  }
}

function nextPowerOfTwo(n: number): number {
  if (n === Infinity) return Infinity;
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
