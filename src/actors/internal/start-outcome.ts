/**
 * How an actor's start step ended, for whoever waits for it (a supervisor starting its children
 * in order): it runs, or it stopped without having started. Settled once; asked later, it answers
 * at once with what it recorded.
 */
import type { ExitReason } from '../exit.js';

export class StartOutcome {
  readonly #exitOf: () => ExitReason | undefined;
  #waiters: ((exit: ExitReason | undefined) => void)[] | undefined;
  #settled = false;
  #exit: ExitReason | undefined;

  /** `exitOf` is how the actor exits, once a stop was requested. */
  constructor(exitOf: () => ExitReason | undefined) {
    this.#exitOf = exitOf;
  }

  /** Undefined when the actor runs; how it exits when it stopped without having started. */
  wait(): Promise<ExitReason | undefined> {
    if (this.#settled) return Promise.resolve(this.#exit);
    return new Promise((resolve) => (this.#waiters ??= []).push(resolve));
  }

  /** The start step ended: the actor runs (`started`), or it stopped without; only the first call counts. */
  settle(started: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#exit = started ? undefined : this.#exitOf();
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const resolve of waiters) resolve(this.#exit);
  }
}

/**
 * The outcome of every actor whose start succeeded before anyone waited for it: shared, since it
 * holds nothing of its actor (it settled as started, and a settled outcome never changes).
 */
export const STARTED: StartOutcome = new StartOutcome(() => undefined);
STARTED.settle(true);
