/**
 * The one interface every timer in Sluice goes through (ask timeouts now; backoff, windows and
 * checkpoints later), so tests can swap in a virtual clock and run minutes of time in milliseconds.
 */

/** An opaque handle returned by {@link Clock.setTimeout}; only the clock that made it can use it. */
export type TimerHandle = unknown;

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
  /** Calls `callback` once, `delayMs` from now. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer; a no-op for one that already fired or was cleared. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock: `performance.now()` and Node's timers. Timers are `unref`'d: a pending ask
 * timeout never keeps a host process alive on its own.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
