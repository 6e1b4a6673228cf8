/**
 * The clock side of a pool's automatic resizer: one timer at a time on the system's clock, which
 * never keeps the process alive (an idle pool must not hold a script open), re-armed after each
 * sample until stopped.
 */
import type { Clock, TimerHandle } from '../../../clock.js';

export class ResizeTimer {
  readonly #clock: Clock;
  readonly #everyMs: number;
  readonly #sample: () => void;
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(clock: Clock, everyMs: number, sample: () => void) {
    this.#clock = clock;
    this.#everyMs = everyMs;
    this.#sample = sample;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#sample();
        if (this.#running) this.#arm();
      },
      this.#everyMs,
      { keepAlive: false },
    );
  }
}
