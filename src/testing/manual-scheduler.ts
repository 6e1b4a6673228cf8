/**
 * A dispatcher scheduler that runs nothing by itself: turns wait until the test runs them, so what
 * actors do between two steps of a test is exactly what the test let happen.
 */
import type { TurnScheduler } from '../actors/internal/dispatcher.js';

export class ManualScheduler {
  readonly #turns: (() => void)[] = [];
  /**
   * One cancel per turn function, made on its first scheduling: a dispatcher schedules the same
   * function at every step of a run, and a cancel only ever removes the first queued occurrence
   * of its turn, so a closure per scheduling would differ in nothing but garbage.
   */
  readonly #cancels = new Map<() => void, () => void>();

  /** The scheduler to give the dispatcher. */
  readonly schedule: TurnScheduler = (turn) => {
    this.#turns.push(turn);
    let cancel = this.#cancels.get(turn);
    if (cancel === undefined) {
      cancel = () => {
        const at = this.#turns.indexOf(turn);
        if (at !== -1) this.#turns.splice(at, 1);
      };
      this.#cancels.set(turn, cancel);
    }
    return cancel;
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
