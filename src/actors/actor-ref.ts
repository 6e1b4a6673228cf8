/**
 * An `ActorRef` is the only handle to an actor: it sends messages and never exposes state. Refs
 * are cheap, comparable by `id`, and stay valid (refusing into dead letters) after the actor stops.
 */
import type { MailboxMetrics } from '../mailbox/mailbox.js';

/** Where an actor is in its life. */
export type ActorStatus = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped';

/** Options of {@link ActorRef.ask}. */
export interface AskOptions {
  /**
   * How long to wait for the reply (including any wait for mailbox room), in milliseconds;
   * `Infinity` waits for ever. The timer keeps the process alive until the ask settles.
   * @defaultValue the system's `askTimeoutMs` (5000)
   */
  timeoutMs?: number | undefined;
}

/**
 * A typed handle to an actor that accepts `TMessage`.
 *
 * @example
 * ```ts
 * const ref = system.spawn(account, { name: 'alice' });
 * ref.tell({ type: 'deposit', amount: 5 });
 * const balance = await ref.ask<number>({ type: 'balance' }, { timeoutMs: 1000 });
 * ```
 */
export interface ActorRef<TMessage> {
  /** A unique id (nanoid), different for every spawn even when a name is reused. */
  readonly id: string;
  /** The actor's name, unique among its siblings. */
  readonly name: string;
  /** Its readable path, e.g. `/user/job/partition-3`. */
  readonly path: string;
  /** Where the actor is in its life now. */
  readonly status: ActorStatus;

  /**
   * Enqueues `message` without waiting. Returns false when it was not enqueued: the mailbox was full
   * under `'backpressure'` (the caller keeps the message), the policy dropped it (`'drop-newest'`,
   * into dead letters), or the actor is stopping or stopped (into dead letters).
   * @throws MailboxOverflowError when full under the `'fail'` policy; the error carries the message.
   */
  tell(message: TMessage): boolean;

  /**
   * Enqueues `message`, waiting for room under `'backpressure'`; concurrent sends are enqueued in
   * the order they were called. Resolves once the mailbox accepted the message. The wait has no
   * timeout: it ends when there is room or the actor stops.
   * @throws (rejects) ActorStoppedError when the actor is stopping or stopped, or stops while the
   * sender waits; MailboxOverflowError when the policy dropped or refused the message.
   */
  send(message: TMessage): Promise<void>;

  /**
   * Enqueues `message` as `send` does and resolves with the value the actor passes to `ctx.reply`.
   * An ask that times out while still waiting for mailbox room is withdrawn and never delivered;
   * one the mailbox already accepted is still processed, and its reply goes to dead letters as a
   * `'late-reply'`.
   * @throws (rejects) AskTimeoutError after `timeoutMs`; ActorStoppedError at once when the actor is
   * stopped, or when it stops before taking the message; ActorFailedError when its handler throws on
   * this message; MailboxOverflowError when the policy dropped or refused it.
   */
  ask<TReply = unknown>(message: TMessage, options?: AskOptions): Promise<TReply>;

  /**
   * Stops the actor: lets its current message finish, dead-letters what is still queued, stops its
   * children (last started first), runs its `stopping` hook. Resolves once it has stopped — at the
   * latest after its `shutdownMs`, when the stop is forced.
   */
  stop(): Promise<void>;

  /** A snapshot of the actor's mailbox counters. */
  metrics(): MailboxMetrics;
}

/** A ref whose message type is unknown: it can be stored, compared, watched and stopped, not told. */
export type AnyActorRef = ActorRef<never>;
