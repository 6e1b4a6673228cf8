/**
 * Puts the output of the head steps, run on several threads, back into source order. The main
 * thread hands the source's records out in units, unit u to thread u mod N; each thread runs the
 * head steps over its unit, sends what it made to each receiver, and ends the unit with a turn
 * marker to every receiver. A receiver's merger takes from one thread at a time, in the same
 * rotation, until its turn marker: it sees its records in the order a single thread would have
 * sent them, so a keyed stage's output is the same for any number of threads.
 *
 * What is not yet its turn waits in the merger; each input offers its messages in order and at
 * most as many as its link has room for, so what waits is bounded.
 */

/** A turn marker: the unit of the input now taking its turn is over. */
export const TURN_OVER = Symbol('turn over');

interface Offered<T> {
  readonly item: T | typeof TURN_OVER;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

function nothing(): void {}

const SETTLED: Promise<void> = Promise.resolve();

export class TurnMerger<T> {
  readonly #deliver: (item: T) => Promise<void>;
  readonly #waiting: Offered<T>[][];
  readonly #ahead: number;
  #turn = 0;

  /**
   * Merges `inputs` inputs, handing each item on with `deliver` (which waits for room). Up to
   * `ahead` items of an input may wait for its turn with their offers settled, so an input can run
   * that far ahead of the others; past that, an offer settles only once its item is taken.
   */
  constructor(inputs: number, deliver: (item: T) => Promise<void>, ahead = 0) {
    this.#deliver = deliver;
    this.#waiting = Array.from({ length: inputs }, () => []);
    this.#ahead = ahead;
  }

  /** The input whose turn it is. */
  get turn(): number {
    return this.#turn;
  }

  /**
   * Offers `item` from `input`: taken now when it is that input's turn and nothing of it waits,
   * else once its turn comes; with `last`, the input's turn ends after it. Resolves once the item
   * was handed on (or, for a turn marker, taken).
   */
  offer(input: number, item: T | typeof TURN_OVER, last = false): Promise<void> {
    const taken = this.#offer(input, item);
    return last ? Promise.all([taken, this.#offer(input, TURN_OVER)]).then(nothing) : taken;
  }

  #offer(input: number, item: T | typeof TURN_OVER): Promise<void> {
    const waiting = this.#waiting[input] as Offered<T>[];
    if (input === this.#turn && waiting.length === 0) return this.#take(item);
    if (waiting.length < this.#ahead) {
      // Settled now: the item waits here, within the bound. A failure to hand it on later means
      // the receiver stopped, which ends the run anyway.
      waiting.push({ item, resolve: nothing, reject: nothing });
      return SETTLED;
    }
    return new Promise((resolve, reject) => {
      waiting.push({ item, resolve, reject });
    });
  }

  /** Refuses everything waiting (the run is over). */
  abandon(error: unknown): void {
    for (const queue of this.#waiting) for (const offered of queue.splice(0)) offered.reject(error);
  }

  #take(item: T | typeof TURN_OVER): Promise<void> {
    if (item !== TURN_OVER) return this.#deliver(item);
    this.#turn = (this.#turn + 1) % this.#waiting.length;
    this.#drain();
    return Promise.resolve();
  }

  /** Takes what waited from the inputs whose turn it now is, until one has nothing more waiting. */
  #drain(): void {
    for (;;) {
      const queue = this.#waiting[this.#turn] as Offered<T>[];
      const next = queue.shift();
      if (next === undefined) return;
      if (next.item === TURN_OVER) {
        this.#turn = (this.#turn + 1) % this.#waiting.length;
        next.resolve();
        continue;
      }
      this.#deliver(next.item).then(next.resolve, next.reject);
    }
  }
}

/** A frame on a link from a head thread: a message (the last of its unit when `$turn`), or the bare end of a turn. */
export type HeadFrame<TMessage> = (TMessage & { readonly $turn?: true }) | { readonly type: 'turn' };
