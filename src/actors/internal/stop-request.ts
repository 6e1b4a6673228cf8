/**
 * A stop asked of one actor, from the request until the actor has stopped: how it treats its
 * queue, the reason its watchers will see and the error behind a failure, who waits for the end,
 * the deadline that forces it, and the wake-up of a stop waiting for the message or step in
 * progress to end. Made at the request, so an actor holds none of it until then.
 *
 * Those who wait are callbacks, and the promise `stop()` returns is made only for a caller that
 * asks for one: a parent stopping a million children one after another, and the many stops that
 * nobody awaits (a failure, an escalation), make none.
 *
 * Invariant: the request never changes once made (a second request gets this one); it ends once,
 * and every waiter, whenever it came, is called once, after the end.
 */
import type { StopReason } from '../terminated.js';
import type { StopDeadline } from './stop-deadline.js';
import type { StopMode } from './system-services.js';

const RESOLVED = Promise.resolve();

export class StopRequest {
  readonly mode: StopMode;
  readonly reason: StopReason;
  readonly error: unknown;
  /** Set when the stop has a finite `shutdownMs`: it forces the stop once it passes. */
  deadline: StopDeadline | undefined;
  /** Set while the stop waits for the message or step in progress (and, draining, the queue) to end. */
  whenQuiescent: (() => void) | undefined;
  #ended = false;
  /** One waiter, or several: most stops have one (the parent) or none. */
  #waiters: (() => void) | (() => void)[] | undefined;
  #stopped: Promise<void> | undefined;

  constructor(mode: StopMode, reason: StopReason, error: unknown) {
    this.mode = mode;
    this.reason = reason;
    this.error = error;
  }

  /** The actor has stopped. */
  get hasEnded(): boolean {
    return this.#ended;
  }

  /** Resolves once the actor has stopped. */
  get stopped(): Promise<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    return (this.#stopped = this.#ended ? RESOLVED : new Promise<void>((resolve) => this.whenEnded(resolve)));
  }

  /** Calls `waiter` once the actor has stopped: now, when it has. */
  whenEnded(waiter: () => void): void {
    if (this.#ended) {
      waiter();
      return;
    }
    const waiters = this.#waiters;
    if (waiters === undefined) this.#waiters = waiter;
    else if (typeof waiters === 'function') this.#waiters = [waiters, waiter];
    else waiters.push(waiter);
  }

  /** The actor has stopped: every waiter is called, and nothing is held for the stop any more. */
  ended(): void {
    this.#ended = true;
    this.whenQuiescent = undefined;
    this.deadline?.disarm();
    const waiters = this.#waiters;
    // Released: a stopped actor may be kept a long time by whoever holds its ref.
    this.#waiters = undefined;
    if (typeof waiters === 'function') waiters();
    else if (waiters !== undefined) for (const waiter of waiters) waiter();
  }
}
