/**
 * The one interface every timer in Sluice goes through (ask timeouts, restart backoff, snapshot
 * intervals, pipeline timers), so tests can swap in a virtual clock and run minutes of time in
 * milliseconds. A timer says whether it is work someone awaits (it keeps the process alive) or
 * housekeeping (it must not).
 */

/** An opaque handle returned by {@link Clock.setTimeout}; only the clock that made it can use it. */
export type TimerHandle = unknown;

/** Options of {@link Clock.setTimeout}. */
export interface TimerOptions {
  /**
   * Whether the pending timer keeps a Node.js process alive. Leave it on for a timer that ends work
   * a caller awaits (an `ask` timeout, a restart backoff): without it a plain script whose only
   * pending work is that timer exits before it fires. Turn it off for housekeeping that runs while
   * the program is otherwise idle (a periodic snapshot), so an idle program can exit by itself.
   * @defaultValue true, as Node's own `setTimeout`
   */
  readonly keepAlive?: boolean | undefined;
}

/**
 * A source of time and one-shot timers.
 *
 * @example
 * ```ts
 * const system = createSystem({ name: 'test', clock: new VirtualClock() });
 * ```
 */
export interface Clock {
  /** Milliseconds since an arbitrary fixed origin; never goes backwards. */
  now(): number;
  /**
   * Calls `callback` once, `delayMs` from now. A clock without a process to keep alive (a virtual
   * one) may ignore `options`.
   */
  setTimeout(callback: () => void, delayMs: number, options?: TimerOptions): TimerHandle;
  /** Cancels a timer; a no-op for one that already fired or was cleared. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock: `performance.now()` and Node's timers. A timer keeps the process alive unless it
 * is set with `{ keepAlive: false }` (then it is `unref`'d).
 *
 * @example
 * ```ts
 * const timer = systemClock.setTimeout(() => console.log('tick'), 1000, { keepAlive: false });
 * systemClock.clearTimeout(timer);
 * ```
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(callback, delayMs, options) {
    const timer = setTimeout(callback, delayMs);
    if (options?.keepAlive === false) timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
