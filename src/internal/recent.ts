/**
 * A count of everything seen and the most recent items, in a fixed-size ring: for logs of what went
 * wrong (dead letters) that must stay bounded however much goes wrong.
 */
import { RingBuffer } from '../mailbox/ring-buffer.js';

export class Recent<T> {
  readonly #items: RingBuffer<T>;
  #count = 0;

  constructor(size: number) {
    this.#items = new RingBuffer<T>(size);
  }

  /** How many items were ever added. */
  get count(): number {
    return this.#count;
  }

  /** Adds `item`, forgetting the oldest when full. */
  add(item: T): void {
    this.#count++;
    if (this.#items.isFull) this.#items.shift();
    this.#items.push(item);
  }

  /** The kept items, oldest first. */
  toArray(): T[] {
    return this.#items.toArray();
  }
}
