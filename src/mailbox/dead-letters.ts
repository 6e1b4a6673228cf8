/**
 * Dead letters: where every message the runtime could not deliver or process ends up, with the
 * reason, so nothing vanishes silently. A bounded buffer keeps the most recent for inspection
 * even when nobody subscribed.
 */
import { Topic, type Unsubscribe } from '../internal/topic.js';
import { Recent } from '../internal/recent.js';

/**
 * Why a message became a dead letter.
 * - `'dropped-newest'` / `'dropped-oldest'`: the recipient's full mailbox dropped it by its overflow policy.
 * - `'recipient-stopped'`: it was sent to an actor that was stopping or had stopped.
 * - `'unprocessed'`: it was still queued (or waiting to be) when its actor stopped without draining.
 * - `'handler-failed'`: the recipient's handler threw on it and it was not retried (its directive
 *   skipped it, or the supervisor gave up restarting); `error` says why.
 * - `'poison'`: the handler threw on it `maxRetries` times in a row; `error` is the last failure.
 * - `'late-reply'`: a reply to an ask that had already timed out or been settled; `message` is the reply.
 * - `'stash-overflow'`: its handler set it aside (`ctx.stash.add()`) while the actor's stash was full.
 */
export type DeadLetterReason =
  'dropped-newest' | 'dropped-oldest' | 'recipient-stopped' | 'unprocessed' | 'handler-failed' | 'poison' | 'late-reply' | 'stash-overflow';

/** One undelivered or unprocessed message. */
export interface DeadLetter {
  /** Why it was not delivered or processed. */
  readonly reason: DeadLetterReason;
  /** Path of the actor it was meant for. */
  readonly recipient: string;
  /** The message itself, untouched. */
  readonly message: unknown;
  /** The error the handler threw, for `'handler-failed'` and `'poison'`. */
  readonly error?: unknown;
  /** When it happened, by the system's clock. */
  readonly at: number;
}

/**
 * The dead letters of one actor system (`system.deadLetters`).
 *
 * @example
 * ```ts
 * system.deadLetters.subscribe((letter) => log.warn(letter.reason, letter.recipient));
 * ```
 */
export interface DeadLetterOffice {
  /** Calls `listener` with each dead letter from now on; returns a function that stops it. */
  subscribe(listener: (letter: DeadLetter) => void): Unsubscribe;
  /** How many dead letters this system has had in all. */
  readonly count: number;
  /** The most recent dead letters, oldest first (at most `deadLetterBuffer` of them). */
  recent(): DeadLetter[];
}

/** The system's dead-letter office; `post` is the runtime's side, not part of the public view. */
export class DeadLetters implements DeadLetterOffice {
  readonly #topic = new Topic<DeadLetter>('dead-letter');
  readonly #recent: Recent<DeadLetter>;

  constructor(bufferSize: number) {
    this.#recent = new Recent<DeadLetter>(bufferSize);
  }

  get count(): number {
    return this.#recent.count;
  }

  subscribe(listener: (letter: DeadLetter) => void): Unsubscribe {
    return this.#topic.subscribe(listener);
  }

  recent(): DeadLetter[] {
    return this.#recent.toArray();
  }

  post(letter: DeadLetter): void {
    this.#recent.add(letter);
    this.#topic.publish(letter);
  }
}
