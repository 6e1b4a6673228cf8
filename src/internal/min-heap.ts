/**
 * A binary min-heap ordered by a numeric priority, ties broken by insertion order so that what
 * pops first is deterministic. Used for event-time timers: pop everything due up to a watermark.
 */
export class MinHeap<T> {
  #items: { priority: number; order: number; value: T }[] = [];
  #order = 0;

  get size(): number {
    return this.#items.length;
  }

  push(priority: number, value: T): void {
    const items = this.#items;
    items.push({ priority, order: this.#order++, value });
    let at = items.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.#less(at, parent)) break;
      this.#swap(at, parent);
      at = parent;
    }
  }

  /** The smallest priority, or undefined when empty. */
  peekPriority(): number | undefined {
    return this.#items[0]?.priority;
  }

  /** Removes and returns the value with the smallest priority (the caller checks `size` first). */
  pop(): T {
    const items = this.#items;
    const top = items[0] as { value: T };
    const last = items.pop() as (typeof items)[number];
    if (items.length > 0) {
      items[0] = last;
      let at = 0;
      for (;;) {
        const left = at * 2 + 1;
        const right = left + 1;
        let smallest = at;
        if (left < items.length && this.#less(left, smallest)) smallest = left;
        if (right < items.length && this.#less(right, smallest)) smallest = right;
        if (smallest === at) break;
        this.#swap(at, smallest);
        at = smallest;
      }
    }
    return top.value;
  }

  #less(a: number, b: number): boolean {
    const x = this.#items[a] as { priority: number; order: number };
    const y = this.#items[b] as { priority: number; order: number };
    return x.priority < y.priority || (x.priority === y.priority && x.order < y.order);
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    const held = items[a] as (typeof items)[number];
    items[a] = items[b] as (typeof items)[number];
    items[b] = held;
  }
}
