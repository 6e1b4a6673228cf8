/**
 * Wakes a source driver that waits on a slow source: for a stop, the run's end, or a checkpoint
 * barrier that is due. The driver waits on the source and on `waitForWake()` at once, once per
 * record, and reacts to each promise it is handed once: so one promise serves every wait until a
 * wake settles it (no promise per record), and the checkpoints' shared `wanted()` promise is
 * subscribed to once, not once per record.
 */
import { WakeSignal } from '../../internal/wake-signal.js';
import type { RunCheckpoints } from '../checkpoint/run-checkpoints.js';

export class DriverWake {
  readonly #quiet: () => boolean;
  readonly #checkpoints: RunCheckpoints | undefined;
  readonly #woken = new WakeSignal();
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
    const woken = this.#woken.wait();
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
  readonly wake = (): void => this.#woken.wake();
}
