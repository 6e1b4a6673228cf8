/**
 * Wakes a source driver that waits on a slow source: for a stop, the run's end, or a checkpoint
 * barrier that is due. The driver waits on the source and on `waitForWake()` at once, once per
 * record, and reacts to each promise it is handed once: so one promise serves every wait until a
 * wake settles it (no promise per record), and the checkpoints' shared `wanted()` promise is
 * subscribed to once, not once per record.
 */
import type { RunCheckpoints } from '../checkpoint/run-checkpoints.js';

export class DriverWake {
  readonly #quiet: () => boolean;
  readonly #checkpoints: RunCheckpoints | undefined;
  /** The pending wake, and how to settle it; undefined until a wait needs one, and after a wake. */
  #woken: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;
  #subscribed: Promise<void> | undefined;

  /** `quiet()` says the driver must not wait at all (a stop was asked for, or the run ended). */
  constructor(quiet: () => boolean, checkpoints: RunCheckpoints | undefined) {
    this.#quiet = quiet;
    this.#checkpoints = checkpoints;
  }

  /**
   * Resolves when the driver should look up from the source: `wake()`, or a barrier wanted. The
   * same promise until then; a settled one is never handed out again.
   */
  readonly waitForWake = (): Promise<void> => {
    if (this.#quiet()) return Promise.resolve();
    let woken = this.#woken;
    if (woken === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((settle) => {
        resolve = settle;
      });
      woken = this.#woken = { promise, resolve };
    }
    const checkpoints = this.#checkpoints;
    if (checkpoints !== undefined) {
      const wanted = checkpoints.wanted();
      if (wanted !== this.#subscribed) {
        this.#subscribed = wanted;
        void wanted.then(this.wake);
      }
    }
    return woken.promise;
  };

  /** Ends the current wait, if any. */
  readonly wake = (): void => {
    this.#woken?.resolve();
    this.#woken = undefined;
  };
}
