/**
 * A wake-up for whoever waits for something to change: `wait()` hands out one promise, made only
 * when somebody waits, and the next `wake()` resolves it and forgets it, so every waiter looks
 * again. Waiting costs one promise however many wait; a wake with nobody waiting costs nothing.
 */
export class WakeSignal {
  #pending: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;

  /** Resolves at the next `wake()`. */
  wait(): Promise<void> {
    if (this.#pending === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((settle) => {
        resolve = settle;
      });
      this.#pending = { promise, resolve };
    }
    return this.#pending.promise;
  }

  /** Resolves the promise `wait()` handed out, if any. */
  wake(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.resolve();
  }
}
