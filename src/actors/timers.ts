/**
 * Timers that belong to an actor (`ctx.timers`): each is kept under a key and sends the actor one of
 * its own messages when it falls due, through the mailbox like any message. Types only: the
 * implementation is in `internal/timer-table.ts`.
 *
 * Invariants: a key holds at most one timer; a message from a timer that was cancelled or replaced
 * is never handled, even when it was already in the mailbox; a restart from a snapshot brings back
 * the timers armed at the snapshot with their due times; a stopping actor holds no timer.
 */

/** What a timer is kept under: starting a timer under a key in use replaces the timer there. */
export type TimerKey = string | number;

/**
 * The timers of one actor, on the system's clock (a virtual clock in the TestKit).
 *
 * - **Keyed**: starting a timer under a key that holds one replaces it; the message of the old one,
 *   even if it was already waiting in the mailbox, is dropped unhandled.
 * - **Through the mailbox**: a timer's message waits for room as `send` does (under
 *   `'backpressure'`); another overflow policy applies as it would to any message, and what it
 *   drops goes to dead letters.
 * - **Restored**: the timers are part of every snapshot. A restart from a snapshot re-arms those
 *   armed then, at the times they were due; timers started by messages processed again after the
 *   restart are started again as those messages are. A timer whose message reached the mailbox
 *   before the restart does not fire a second time. With a snapshot store, the timers are saved
 *   with the state, each with the time it still had to run, and re-armed when the actor starts
 *   from that snapshot (time the actor was not running does not count).
 * - **Undone with a failed handler**: a handler that throws leaves the timers as they were before
 *   it ran.
 * - **Stopped with the actor**: stopping cancels every timer; starting one afterwards does nothing.
 *
 * A timer keeps the process alive while it is armed, as Node's own timers do.
 *
 * @example
 * ```ts
 * receive(state, msg, ctx) {
 *   if (msg.type === 'activity') ctx.timers.startSingle('idle', { type: 'idle' }, 30_000); // pushed back
 *   if (msg.type === 'idle') ctx.stop();
 *   return state;
 * }
 * ```
 */
export interface ActorTimers<TMessage> {
  /**
   * Sends `message` once, `delayMs` from now, replacing the timer under `key`. The timer stays
   * active until its message is handled (or the timer is cancelled).
   * @throws InvalidOptionError naming `delayMs` unless it is a finite number ≥ 0.
   */
  startSingle(key: TimerKey, message: TMessage, delayMs: number): void;

  /**
   * Sends `message` every `intervalMs`, the first time `intervalMs` from now, replacing the timer
   * under `key`. The ticks keep their rhythm; a tick whose message is still waiting for mailbox
   * room when the next falls due makes the ticks it overlapped be skipped, so one timer never has
   * more than one message waiting.
   * @throws InvalidOptionError naming `intervalMs` unless it is a finite number > 0.
   */
  startPeriodic(key: TimerKey, message: TMessage, intervalMs: number): void;

  /** Cancels the timer under `key`; its message, if already queued, is dropped. True when there was one. */
  cancel(key: TimerKey): boolean;

  /** Cancels every timer of this actor. */
  cancelAll(): void;

  /** Whether `key` holds a timer: a single timer stays active until its message is handled. */
  isActive(key: TimerKey): boolean;

  /** The keys that hold a timer, in the order the timers were started. */
  activeKeys(): TimerKey[];
}
