/**
 * A FIFO queue with a bound (or, with `Infinity`, none): the ring of `ring.ts` with all of its
 * operations public.
 */
import { Ring } from './ring.js';

/**
 * A bounded (or, with `Infinity`, unbounded) FIFO ring buffer: O(1) push and shift; its storage is
 * made by the first push, starts small and doubles up to the capacity.
 *
 * @example
 * ```ts
 * const ring = new RingBuffer<number>(3);
 * ring.push(1); ring.push(2);
 * ring.shift(); // 1
 * ```
 */
export class RingBuffer<T> extends Ring<T> {
  /**
   * @param capacity - a positive integer, or `Infinity` for a queue bounded only by memory.
   * @throws InvalidOptionError when `capacity` is neither.
   */
  constructor(capacity: number) {
    super(capacity);
  }

  /** Whether the buffer holds `capacity` items. */
  override get isFull(): boolean {
    return super.isFull;
  }

  /** Appends `item`; returns false (and stores nothing) when the buffer is full. */
  override push(item: T): boolean {
    return super.push(item);
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  override shift(): T | undefined {
    return super.shift();
  }

  /** The oldest item without removing it, or `undefined` when empty. */
  override peek(): T | undefined {
    return super.peek();
  }

  /**
   * Removes the oldest item `match` accepts, keeping the others in order, and returns it (undefined
   * when none matches). O(size): for rare removals from the middle, not for the hot path.
   */
  override remove(match: (item: T) => boolean): T | undefined {
    return super.remove(match);
  }

  /** Removes every item and returns them oldest first. */
  override drain(): T[] {
    return super.drain();
  }

  /** The items oldest first, without removing them. */
  override toArray(): T[] {
    return super.toArray();
  }
}
