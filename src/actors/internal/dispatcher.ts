/**
 * The dispatcher runs ready actors in turns: each actor gets a slice of at most its message budget,
 * then goes to the back of the run queue; a turn ends when the queue is empty or the time budget is
 * spent. Turns run in windows of at most the budget: a window opens with a turn scheduled by
 * `setImmediate`, so the host's I/O callbacks run between windows, and work that arrives while a
 * window is still open (a producer that a turn unblocked, going on in a microtask) runs in a
 * microtask turn of the same window, without a round trip through the event loop. Invariant: an
 * actor is in the run queue at most once, and a turn is scheduled only while the queue is
 * non-empty, so an idle system holds no handle.
 */
import { RingBuffer } from '../../mailbox/ring-buffer.js';

/** Something the dispatcher can run. */
export interface Runnable {
  /** Runs one slice; returns true when it has more work and wants another slice. */
  runSlice(): boolean;
}

/** Schedules the next turn; returns a function that cancels it. */
export type TurnScheduler = (turn: () => void) => () => void;

/**
 * Picks which ready actor a turn runs, for deterministic tests: called with the number of ready
 * actors (in queue order), it returns the index of the one to run a single slice of, or -1 to run
 * none this turn (the test let something else happen instead).
 */
export type TurnPicker = (ready: number) => number;

/** Whose reactions run the microtask turns of a window. */
const SETTLED = Promise.resolve();

/** The default scheduler: a macrotask after pending I/O callbacks. */
export const immediateScheduler: TurnScheduler = (turn) => {
  const handle = setImmediate(turn);
  return () => clearImmediate(handle);
};

export class Dispatcher {
  readonly #queue = new RingBuffer<Runnable>(Infinity);
  readonly #turnBudgetMs: number;
  readonly #schedule: TurnScheduler;
  readonly #pick: TurnPicker | undefined;
  #cancelTurn: (() => void) | undefined;
  #inTurn = false;
  #closed = false;
  /** Whether turns may chain in microtasks: only with the default scheduler (tests step turns themselves). */
  readonly #chains: boolean;
  /** When the open window's budget runs out (`performance.now()` time); past it, turns wait for the event loop. */
  #windowEnd = 0;

  constructor(turnBudgetMs: number, schedule: TurnScheduler = immediateScheduler, pick?: TurnPicker) {
    this.#turnBudgetMs = turnBudgetMs;
    this.#schedule = schedule;
    this.#pick = pick;
    this.#chains = schedule === immediateScheduler && pick === undefined;
  }

  /** Queues `runnable` for a slice; the caller guarantees it is not queued already. */
  enqueue(runnable: Runnable): void {
    this.#queue.push(runnable);
    if (!this.#inTurn && this.#cancelTurn === undefined && !this.#closed) this.#scheduleTurn();
  }

  /** Cancels any scheduled turn and schedules no more: after this, nothing of ours is pending. */
  close(): void {
    this.#closed = true;
    this.#cancelTurn?.();
    this.#cancelTurn = undefined;
  }

  #scheduleTurn(): void {
    if (this.#chains && performance.now() < this.#windowEnd) {
      let cancelled = false;
      // A reaction to a settled promise rather than `queueMicrotask`, which makes an async
      // resource for each call (tens to hundreds of ns against about 20, once per turn).
      void SETTLED.then(() => {
        if (!cancelled) this.#runTurn(this.#windowEnd);
      });
      // Named first: V8 allocates a function expression assigned to a property straight in the old
      // generation, where, dead after the turn, it would keep its scope alive through scavenges.
      const cancel = (): void => {
        cancelled = true;
      };
      this.#cancelTurn = cancel;
      return;
    }
    this.#cancelTurn = this.#schedule(this.#openWindow);
  }

  /** A turn from the scheduler: it opens a window of one budget. */
  readonly #openWindow = (): void => {
    this.#windowEnd = performance.now() + this.#turnBudgetMs;
    this.#runTurn(this.#windowEnd);
  };

  #runTurn(deadline: number): void {
    this.#cancelTurn = undefined;
    this.#inTurn = true;
    const queue = this.#queue;
    try {
      if (this.#pick !== undefined) {
        this.#runPicked(this.#pick);
        return;
      }
      while (queue.size > 0) {
        const runnable = queue.shift() as Runnable;
        if (runnable.runSlice()) queue.push(runnable);
        if (performance.now() >= deadline) break;
      }
    } finally {
      this.#inTurn = false;
      if (queue.size > 0 && !this.#closed) this.#scheduleTurn();
    }
  }

  /** One slice of the picked actor. Rotating the queue keeps every other actor in it, once. */
  #runPicked(pick: TurnPicker): void {
    const queue = this.#queue;
    const at = pick(queue.size);
    if (!(at >= 0 && at < queue.size)) return;
    for (let i = 0; i < at; i++) queue.push(queue.shift() as Runnable);
    const runnable = queue.shift() as Runnable;
    if (runnable.runSlice()) queue.push(runnable);
  }
}
