/**
 * Wakes a source driver that waits on a slow source: for a stop, the run's end, or a checkpoint
 * barrier that is due. The driver waits on the source and on `waitForWake()` at once, once per
 * record. A long-lived promise raced there would gain a reaction per record until it settles —
 * unbounded memory on a tailing source. So each wait gets a fresh promise, held in one slot that
 * the next wait replaces, and the checkpoints' shared `wanted()` promise is subscribed to once,
 * not once per record.
 */
import type { RunCheckpoints } from '../checkpoint/run-checkpoints.js';

export class DriverWake {
  readonly #quiet: () => boolean;
  readonly #checkpoints: RunCheckpoints | undefined;
  #waiting: (() => void) | undefined;
  #subscribed: Promise<void> | undefined;

  /** `quiet()` says the driver must not wait at all (a stop was asked for, or the run ended). */
  constructor(quiet: () => boolean, checkpoints: RunCheckpoints | undefined) {
    this.#quiet = quiet;
    this.#checkpoints = checkpoints;
  }

  /** Resolves when the driver should look up from the source: `wake()`, or a barrier wanted. */
  readonly waitForWake = (): Promise<void> => {
    if (this.#quiet()) return Promise.resolve();
    const woken = new Promise<void>((resolve) => {
      this.#waiting = resolve;
    });
    const checkpoints = this.#checkpoints;
    if (checkpoints !== undefined) {
      const wanted = checkpoints.wanted();
      if (wanted !== this.#subscribed) {
        this.#subscribed = wanted;
        void wanted.then(this.wake);
      }
    }
    return woken;
  };

  /** Ends the current wait, if any. */
  readonly wake = (): void => {
    this.#waiting?.();
    this.#waiting = undefined;
  };
}
