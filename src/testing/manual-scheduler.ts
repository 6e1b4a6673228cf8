/**
 * A dispatcher scheduler that runs nothing by itself: turns wait until the test runs them, so what
 * actors do between two steps of a test is exactly what the test let happen.
 */
import type { TurnScheduler } from '../actors/internal/dispatcher.js';

export class ManualScheduler {
  readonly #turns: (() => void)[] = [];

  /** The scheduler to give the dispatcher. */
  readonly schedule: TurnScheduler = (turn) => {
    this.#turns.push(turn);
    return () => {
      const at = this.#turns.indexOf(turn);
      if (at !== -1) this.#turns.splice(at, 1);
    };
  };

  /** Turns waiting to run. */
  get pending(): number {
    return this.#turns.length;
  }

  /** Runs the oldest waiting turn; false when there was none. */
  runNext(): boolean {
    const turn = this.#turns.shift();
    if (turn === undefined) return false;
    turn();
    return true;
  }
}
