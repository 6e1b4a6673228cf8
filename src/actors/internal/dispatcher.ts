/**
 * The dispatcher runs ready actors in turns: each actor gets a slice of at most its message budget,
 * then goes to the back of the run queue; a turn ends when the queue is empty or the turn's time
 * budget is spent, and the next turn is scheduled with `setImmediate`, so the host's I/O callbacks
 * run between turns. Invariant: an actor is in the run queue at most once, and a turn is scheduled
 * only while the queue is non-empty, so an idle system holds no handle.
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

  constructor(turnBudgetMs: number, schedule: TurnScheduler = immediateScheduler, pick?: TurnPicker) {
    this.#turnBudgetMs = turnBudgetMs;
    this.#schedule = schedule;
    this.#pick = pick;
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
    this.#cancelTurn = this.#schedule(this.#runTurn);
  }

  readonly #runTurn = (): void => {
    this.#cancelTurn = undefined;
    this.#inTurn = true;
    const queue = this.#queue;
    const deadline = performance.now() + this.#turnBudgetMs;
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
  };

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
