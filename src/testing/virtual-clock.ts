/**
 * A clock whose time moves only when a test says so: timers fire in due-time order (ties in the
 * order they were set) as `advance` passes them, so tests of timeouts run instantly and repeatably.
 */
import { nonNegativeNumber } from '../internal/validate.js';
import type { Clock, TimerHandle, TimerOptions } from '../clock.js';

interface VirtualTimer {
  readonly due: number;
  readonly order: number;
  readonly callback: () => void;
}

/**
 * A manually advanced {@link Clock}.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const system = createSystem({ clock });
 * const reply = ref.ask('ping', { timeoutMs: 1000 });
 * await clock.advance(1000); // the ask times out now, without waiting a second
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;
  #order = 0;
  readonly #timers = new Set<VirtualTimer>();

  /** @param start - the initial reading of `now()`. @defaultValue 0 */
  constructor(start = 0) {
    this.#now = nonNegativeNumber('start', start);
  }

  now(): number {
    return this.#now;
  }

  /** Sets a timer that fires when `advance` passes its due time; `options` change nothing here (no process to keep alive). */
  setTimeout(callback: () => void, delayMs: number, _options?: TimerOptions): TimerHandle {
    const timer: VirtualTimer = { due: this.#now + Math.max(0, delayMs), order: this.#order++, callback };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as VirtualTimer);
  }

  /** How many timers are pending. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** When the next pending timer falls due, or undefined when none is pending. */
  get nextDue(): number | undefined {
    return this.#nextDue(Infinity)?.due;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, each at its own due
   * time, and letting promise callbacks run after each one (so chains of timers behave as in real
   * time) — or, with `afterEachTimer`, whatever that does (the TestKit settles its actors).
   * @throws InvalidOptionError when `ms` is negative or not finite.
   */
  async advance(ms: number, afterEachTimer: () => Promise<void> = flushMicrotasks): Promise<void> {
    const target = this.#now + nonNegativeNumber('ms', ms);
    for (let timer = this.#nextDue(target); timer !== undefined; timer = this.#nextDue(target)) {
      this.#timers.delete(timer);
      this.#now = timer.due;
      timer.callback();
      await afterEachTimer();
    }
    this.#now = target;
  }

  #nextDue(limit: number): VirtualTimer | undefined {
    let next: VirtualTimer | undefined;
    for (const timer of this.#timers) {
      if (timer.due > limit) continue;
      if (next === undefined || timer.due < next.due || (timer.due === next.due && timer.order < next.order)) next = timer;
    }
    return next;
  }
}

function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
