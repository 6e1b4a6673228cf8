/**
 * Values filed under points in time, taken out a whole bucket at a time, earliest first. Many
 * values share a time (every key of a window end), so the heap holds one entry per distinct time
 * and filing a value under a time already present is a Map lookup and an append.
 */
import { MinHeap } from './min-heap.js';

export class TimeBuckets<T> {
  readonly #buckets = new Map<number, T[]>();
  readonly #times = new MinHeap<number>();

  /** Files `value` under `time`, after the values already there. */
  add(time: number, value: T): void {
    const bucket = this.#buckets.get(time);
    if (bucket !== undefined) {
      bucket.push(value);
      return;
    }
    this.#buckets.set(time, [value]);
    this.#times.push(time, time);
  }

  /** The earliest time with values when it is at most `upTo`, or undefined. */
  nextDue(upTo: number): number | undefined {
    const time = this.#times.peekPriority();
    return time !== undefined && time <= upTo ? time : undefined;
  }

  /** Removes and returns the earliest bucket's values, in the order they were filed (after `nextDue`). */
  takeEarliest(): T[] {
    const time = this.#times.pop();
    const values = this.#buckets.get(time) as T[];
    this.#buckets.delete(time);
    return values;
  }
}
