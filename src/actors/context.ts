/**
 * What a handler can do besides computing the next state: reply, spawn and watch other actors,
 * stop itself, set messages aside, start timers, have a promise's result sent to itself. One
 * context per actor, reused for every message (no allocation per message).
 */
import type { Clock } from '../clock.js';
import type { ActorRef, AnyActorRef } from './actor-ref.js';
import type { ActorDefinition } from './behavior.js';
import type { SpawnOptions } from './spawn-options.js';
import type { ActorStash } from './stash.js';
import type { ActorTimers } from './timers.js';
import type { ActorSystem } from './actor-system.js';
import type { Exit } from './exit.js';
import type { Terminated } from './terminated.js';

/**
 * The handler's view of its own actor.
 *
 * @example
 * ```ts
 * receive(state, msg, ctx) {
 *   if (msg.type === 'get') ctx.reply(state.count);
 *   return state;
 * }
 * ```
 */
export interface ActorContext<TMessage> {
  /** This actor's own ref. */
  readonly self: ActorRef<TMessage>;
  /** The parent's ref; undefined for a top-level actor (its parent is the system). */
  readonly parent: AnyActorRef | undefined;
  /** The system this actor lives in. */
  readonly system: ActorSystem;
  /** The system's clock; use it for time so tests can run on a virtual clock. */
  readonly clock: Clock;

  /**
   * Answers the `ask` that delivered the current message. Returns false when the current message
   * came by `tell`/`send` (nobody is waiting) or the ask has already been settled or timed out (the
   * value then goes to dead letters as a `'late-reply'`). May be called after an `await` in an async
   * handler: the current message stays current until the handler settles.
   */
  reply(value: unknown): boolean;

  /**
   * Tells `ref` on a sequenced link: the message carries this actor's next sequence number, and
   * the receiver drops a number it has already taken. So when this actor restarts from a snapshot
   * and processes messages again, what it tells again reaches nobody twice (for handlers that are
   * deterministic). Returns what `ref.tell` would.
   * @throws MailboxOverflowError when `ref`'s mailbox is full under the `'fail'` policy.
   */
  tell<TOther>(ref: ActorRef<TOther>, message: TOther): boolean;

  /** Sends to `ref` on a sequenced link (see `tell`), waiting for room as `ref.send` does. */
  send<TOther>(ref: ActorRef<TOther>, message: TOther): Promise<void>;

  /**
   * Takes a snapshot once the current message is handled. Resolves when it is taken, or, with a
   * snapshot store, once it is durable; rejects when the store fails to save it.
   */
  snapshot(): Promise<void>;

  /**
   * Spawns a child supervised by this actor, at path `<self.path>/<name>`.
   * @throws InvalidOptionError for an invalid definition or option, or a name a sibling holds.
   */
  spawn<TChildState, TChildMessage>(definition: ActorDefinition<TChildState, TChildMessage>, options?: SpawnOptions): ActorRef<TChildMessage>;

  /** This actor's live children, in start order. */
  children(): AnyActorRef[];

  /**
   * Stops this actor once the current message has been handled; what is still queued goes to
   * dead letters. Children stop first. A `'permanent'` actor restarts from its initial state instead.
   */
  stop(): void;

  /**
   * Watches `ref`: once it stops, this actor receives `toMessage(terminated)` (or, without a
   * mapping, the {@link Terminated} message itself, which its message type must then include).
   * Watching an actor that already stopped delivers the notification at once.
   */
  watch(ref: AnyActorRef, toMessage: (terminated: Terminated) => TMessage): void;
  watch(ref: Terminated extends TMessage ? AnyActorRef : never): void;

  /** Stops watching `ref`; a notification not yet handled is still delivered. */
  unwatch(ref: AnyActorRef): void;

  /**
   * Links this actor and `ref` both ways: when either stops, the other hears of it. A failure
   * stops a partner that does not trap exits (a `'permanent'` one restarts instead); a normal stop
   * leaves it running. A partner that traps exits receives an {@link Exit} message either way.
   * Linking to an actor that already stopped signals its exit at once; linking twice, or to
   * itself, changes nothing. Links survive restarts, as the ref does.
   * @throws InvalidOptionError when `ref` is not a ref of this runtime.
   */
  link(ref: AnyActorRef): void;

  /** Removes the link with `ref`, if any; an exit already signalled is still delivered. */
  unlink(ref: AnyActorRef): void;

  /**
   * Traps exits (true): from now on, exits of linked actors arrive as {@link Exit} messages, and a
   * linked actor's failure no longer stops this one. Only for message types that include `Exit`.
   * @throws InvalidOptionError when `on` is not a boolean.
   */
  trapExits(on: Exit extends TMessage ? boolean : false): void;
  /** This actor's timers: keyed, on the system's clock, restored with its snapshots (see {@link ActorTimers}). */
  readonly timers: ActorTimers<TMessage>;

  /** This actor's stash: messages set aside until it is ready for them (see {@link ActorStash}). */
  readonly stash: ActorStash;

  /**
   * Sends this actor `onValue(value)` or `onError(error)` once `promise` settles, through its mailbox
   * like any message (so never while it handles another one): waiting for room as `send` does,
   * dropped to dead letters as the mailbox's policy says, or as `'recipient-stopped'` when the actor
   * has stopped. The mapping runs when the promise settles; one that throws sends the outcome to
   * dead letters as `'handler-failed'`, with its error.
   *
   * A handler processed again after a restart (or retried after it threw) opens the same pipe
   * again: whichever of the results arrives first is handled, the other dropped, so one call
   * yields one message. A handler that throws and is not retried has opened nothing: the result of
   * its pipe is dropped. A pipe opened in a lifecycle hook always delivers.
   * @throws InvalidOptionError naming `promise`, `onValue` or `onError` when one has the wrong type.
   */
  pipeToSelf<TValue>(promise: PromiseLike<TValue>, onValue: (value: TValue) => TMessage, onError: (error: unknown) => TMessage): void;
}
