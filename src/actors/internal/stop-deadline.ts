/**
 * How long one actor's stop may take (its `shutdownMs`): past that, the stop is forced. The timer
 * runs on the system clock and keeps the process alive, as any stop somebody awaits does; a stop
 * that ends in time clears it, so a stopped actor leaves no timer behind. `Infinity`, the default,
 * sets no timer at all.
 */
import type { Clock, TimerHandle } from '../../clock.js';

export class StopDeadline {
  readonly #ms: number;
  readonly #clock: Clock;
  #timer: TimerHandle | undefined;
  /** Forces the stop in progress; undefined when none is in progress. */
  #force: (() => void) | undefined;

  /** `ms`: 0 forces every stop at once, `Infinity` never forces one by itself. */
  constructor(ms: number, clock: Clock) {
    this.#ms = ms;
    this.#clock = clock;
  }

  /**
   * A stop began: `force` runs once the deadline passes, unless `disarm()` came first. With 0 ms
   * it runs once the current call stack has returned — never inside a handler that asked for the stop.
   */
  arm(force: () => void): void {
    this.#force = force;
    if (this.#ms === 0) queueMicrotask(() => this.expire());
    else if (this.#ms !== Infinity) this.#timer = this.#clock.setTimeout(() => this.expire(), this.#ms, { keepAlive: true });
  }

  /** Forces the stop in progress now, if one is. */
  expire(): void {
    const force = this.#force;
    this.disarm();
    force?.();
  }

  /** The stop ended: nothing is forced any more. */
  disarm(): void {
    this.#force = undefined;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
