/**
 * How an actor's start step ended, for whoever waits for it (a supervisor starting its children
 * in order): it runs, or it stopped without having started. Settled once; asked later, it answers
 * at once with what it recorded.
 */
import type { ExitReason } from '../exit.js';

export class StartOutcome {
  #waiters: ((exit: ExitReason | undefined) => void)[] = [];
  #settled = false;
  #exit: ExitReason | undefined;

  /** Undefined when the actor runs; how it exits when it stopped without having started. */
  wait(): Promise<ExitReason | undefined> {
    if (this.#settled) return Promise.resolve(this.#exit);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The start step ended with `exit` (undefined: started); only the first call counts. */
  settle(exit: ExitReason | undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#exit = exit;
    for (const resolve of this.#waiters.splice(0)) resolve(exit);
  }
}
