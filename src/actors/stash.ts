/**
 * An actor's stash (`ctx.stash`): messages a handler sets aside until the actor is ready for them,
 * bounded like every mailbox. Types and option validation only: the implementation is in
 * `internal/stash-buffer.ts`.
 *
 * Invariants: a message is in the stash, put back (unstashed, not taken yet), in the mailbox, or
 * handled — never two of these; what `unstashAll` puts back is taken, oldest first, before anything
 * else the actor has not taken yet.
 */
import { positiveInteger, withDefault } from '../internal/validate.js';

/** Options of an actor's stash (`spawn(definition, { stash })`). */
export interface StashOptions {
  /**
   * The most messages the stash holds at once; one more goes to dead letters as `'stash-overflow'`.
   * @defaultValue the actor's mailbox capacity
   */
  capacity?: number | undefined;
}

/** Stash options after validation and defaults. */
export interface ResolvedStashOptions {
  readonly capacity: number;
}

/**
 * Validates stash options, naming each as `stash.<field>`.
 * @throws InvalidOptionError naming `stash.capacity` unless it is a positive integer.
 */
export function resolveStashOptions(options: StashOptions | undefined, mailboxCapacity: number): ResolvedStashOptions {
  return { capacity: withDefault(options?.capacity, mailboxCapacity, (v) => positiveInteger('stash.capacity', v)) };
}

/**
 * The stash of one actor.
 *
 * - `add()` sets the message being handled aside, with its reply channel: an `ask` stashed now is
 *   answered by `ctx.reply` when the message is handled later.
 * - `unstashAll()` puts every stashed message back, oldest first, in front of everything the actor
 *   has not taken yet; they are handled after the current handler returns, before the mailbox.
 * - **Bounded**: a message that does not fit goes to dead letters as `'stash-overflow'` (an `ask`
 *   rejects with `StashOverflowError`), and `add()` returns false.
 * - **Restarts**: the stash is part of every snapshot, like the state. A restart brings back what
 *   was stashed and put back at the snapshot; the messages taken since are processed again in
 *   order, stashing again what they stashed, so nothing is lost or handled twice (for handlers that
 *   are deterministic, as everywhere). A snapshot store does not keep the stash, as it does not keep
 *   the mailbox: a stashed message goes with the process.
 * - **Failures**: a handler that throws has not stashed its message; if the message is given up, it
 *   goes to dead letters once.
 * - **Stopping**: what is still stashed, or put back and not taken, goes to dead letters as
 *   `'unprocessed'` (a draining stop first handles what was put back).
 *
 * @example
 * ```ts
 * receive(state, msg, ctx) {
 *   if (!state.ready && msg.type !== 'loaded') {
 *     ctx.stash.add();
 *     return state;
 *   }
 *   if (msg.type === 'loaded') ctx.stash.unstashAll();
 *   return { ...state, ready: true };
 * }
 * ```
 */
export interface ActorStash {
  /**
   * Sets the message being handled aside. Returns false when the stash was full (the message then
   * went to dead letters). Stashing the same message twice in one handler keeps it once.
   * @throws InvalidOptionError (naming `ctx.stash.add()`) when no message is being handled: in a
   *   lifecycle hook, or after the handler's promise settled.
   */
  add(): boolean;

  /** Puts every stashed message back in front of the mailbox, oldest first; returns how many. */
  unstashAll(): number;

  /** How many messages are stashed now (not counting those put back and not taken yet). */
  readonly size: number;

  /** The most messages the stash holds. */
  readonly capacity: number;
}
