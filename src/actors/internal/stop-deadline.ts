/**
 * How long one actor's stop may take (its `shutdownMs`): past that, the stop is forced. The timer
 * runs on the system clock and keeps the process alive, as any stop somebody awaits does; a stop
 * that ends in time clears it, so a stopped actor leaves no timer behind.
 */
import type { Clock, TimerHandle } from '../../clock.js';

export class StopDeadline {
  readonly #ms: number;
  readonly #clock: Clock;
  /** Forces the stop in progress; undefined when none is in progress. */
  #expire: (() => void) | undefined;

  /** `ms`: 0 forces every stop at once, `Infinity` never forces one. */
  constructor(ms: number, clock: Clock) {
    this.#ms = ms;
    this.#clock = clock;
  }

  /**
   * Runs `stop` and resolves once it has ended — or, when the deadline passes first (or `expire()`
   * is called), calls `force` and resolves then. With 0 ms, `stop` never begins: `force` runs once
   * the current call stack has returned, never inside a handler that asked for the stop.
   */
  run(stop: () => Promise<void>, force: () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: TimerHandle | undefined;
      const end = (): void => {
        this.#expire = undefined;
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        resolve();
      };
      this.#expire = () => {
        end();
        force();
      };
      if (this.#ms === 0) {
        queueMicrotask(() => this.#expire?.());
        return;
      }
      if (this.#ms !== Infinity) timer = this.#clock.setTimeout(() => this.#expire?.(), this.#ms, { keepAlive: true });
      void stop().then(end, end);
    });
  }

  /** Forces the stop in progress now, if one is. */
  expire(): void {
    this.#expire?.();
  }
}
