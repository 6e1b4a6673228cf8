/**
 * A bounded mailbox: a ring buffer of user messages under an overflow policy, a queue of senders
 * waiting for room (in arrival order), and a separate unbounded lane for system messages that user
 * traffic can never block. Invariant: the user ring never holds more than `capacity` entries, and
 * senders wait only while it is full, so room and waiting senders never coexist.
 */
import { MailboxOverflowError } from '../errors.js';
import { oneOf, positiveInteger, withDefault } from '../internal/validate.js';
import { OVERFLOW_POLICIES, overflowAction, type OverflowAction, type OverflowPolicy } from './overflow.js';
import { Ring } from './ring.js';
import { RingBuffer } from './ring-buffer.js';

/** Options of an actor's mailbox. */
export interface MailboxOptions {
  /**
   * The most user messages the mailbox holds at once.
   * @defaultValue 1024
   */
  capacity?: number | undefined;
  /**
   * What happens to a message that meets a full mailbox; see {@link OverflowPolicy}.
   * @defaultValue 'backpressure'
   */
  overflow?: OverflowPolicy | undefined;
}

/** A point-in-time view of one mailbox. */
export interface MailboxMetrics {
  /** The configured capacity. */
  readonly capacity: number;
  /** User messages queued now. */
  readonly depth: number;
  /** The most user messages ever queued at once. */
  readonly highWaterMark: number;
  /** Messages dropped by the overflow policy. */
  readonly dropped: number;
  /** Messages the actor has finished processing (including ones whose handler threw). */
  readonly processed: number;
  /** Senders (`send`, `ask`) waiting for room. */
  readonly waitingSenders: number;
}

/** Default mailbox capacity. */
export const DEFAULT_MAILBOX_CAPACITY = 1024;

/** Why the mailbox dropped an entry. */
export type DropReason = 'dropped-newest' | 'dropped-oldest';

interface WaitingSender<T> {
  readonly entry: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Who a mailbox belongs to: named in its errors, told of each entry its overflow policy drops, and
 * asked what message an entry carries, for the errors that hand it back.
 */
export interface MailboxOwner<T> {
  /** The owning actor's path. */
  readonly path: string;
  /** Called with each entry the overflow policy drops. */
  dropped(entry: T, reason: DropReason): void;
  /** The user's message inside `entry`. */
  messageOf(entry: T): unknown;
}

/** Entries that were still inside a mailbox when it closed, for the owner to dead-letter. */
export interface ClosedContents<T> {
  readonly queued: T[];
  readonly waiting: { entry: T; reject: (error: unknown) => void }[];
}

/** Mailbox options after validation and defaults. */
export interface ResolvedMailboxOptions {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
}

/** Validates mailbox options, naming each as `mailbox.<field>`. */
export function resolveMailboxOptions(options: MailboxOptions | undefined): ResolvedMailboxOptions {
  return {
    capacity: withDefault(options?.capacity, DEFAULT_MAILBOX_CAPACITY, (v) => positiveInteger('mailbox.capacity', v)),
    overflow: withDefault<OverflowPolicy>(options?.overflow, 'backpressure', (v) => oneOf('mailbox.overflow', v, OVERFLOW_POLICIES)),
  };
}

/**
 * It is its own user lane: it extends the ring rather than holding one, so an actor's mailbox is
 * one object (see `ring.ts`).
 */
export class Mailbox<T, TSystem> extends Ring<T> {
  /** The system lane: made on first use, as most mailboxes never need one. */
  #system: RingBuffer<TSystem> | undefined;
  /**
   * The senders waiting for room, oldest first: made by the first to wait, and let go as soon as
   * none is left, so that `take` asks one question of every message, not two.
   */
  #waiting: RingBuffer<WaitingSender<T>> | undefined;
  readonly #action: OverflowAction;
  /** An object, not a path and callbacks: a mailbox costs no closure, and its owner's path is read only for an error. */
  readonly #owner: MailboxOwner<T>;
  #dropped = 0;
  #processed = 0;

  /**
   * @param options - resolved already (by the owner's spawn options): a mailbox per actor makes no copy of them.
   * @param owner - the owning actor: its path and its messages for errors, and what to do with each entry dropped.
   */
  constructor(options: ResolvedMailboxOptions, owner: MailboxOwner<T>) {
    super(options.capacity);
    this.#action = overflowAction(options.overflow);
    this.#owner = owner;
  }

  /** Nothing queued in either lane, and no sender waiting for room. */
  get isEmpty(): boolean {
    return this.size === 0 && this.systemSize === 0 && this.#waiting === undefined;
  }

  /** System messages queued now. */
  get systemSize(): number {
    return this.#system === undefined ? 0 : this.#system.size;
  }

  /**
   * Offers an entry without waiting. Returns true when it was enqueued, false when the policy
   * refused or dropped it (a drop goes to the owner's `dropped` first).
   * @throws MailboxOverflowError under the `'fail'` policy when full.
   */
  offer(entry: T): boolean {
    // Room means no sender waits (the invariant above): a push that succeeds jumps no queue.
    if (this.push(entry)) return true;
    // Compared rather than returned as it is: where this path meets the one above, optimized code
    // then knows it holds a boolean, and a caller's test of the result is one comparison, not V8's
    // generic truth test (about a dozen instructions on every tell).
    return Mailbox.#overflow(this, entry) === true;
  }

  /**
   * Offers an entry, waiting for room under `'backpressure'`. Returns `undefined` when the entry
   * was enqueued at once (no promise allocated on the fast path), else a promise that resolves once
   * it is enqueued, or rejects with `MailboxOverflowError` when the policy drops or refuses it.
   */
  offerOrWait(entry: T): Promise<void> | undefined {
    if (this.push(entry)) return undefined;
    if (this.#action === 'wait') {
      return new Promise<void>((resolve, reject) => {
        (this.#waiting ??= new RingBuffer(Infinity)).push({ entry, resolve, reject });
      });
    }
    try {
      if (Mailbox.#overflow(this, entry)) return undefined;
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.reject(new MailboxOverflowError(this.#owner.path, this.capacity, this.#owner.messageOf(entry)));
  }

  /**
   * Takes `entry` back out of the senders waiting for room and rejects its promise with `reason`:
   * it will never be enqueued (an ask that timed out, a send whose caller gave up). Returns false
   * when `entry` is not waiting: it was admitted already, or never had to wait. The ring stays
   * full, so the invariant holds.
   */
  withdraw(entry: T, reason: unknown): boolean {
    const waiting = this.#waiting;
    const sender = waiting?.remove((candidate) => candidate.entry === entry);
    if (waiting === undefined || sender === undefined) return false;
    if (waiting.size === 0) this.#waiting = undefined;
    sender.reject(reason);
    return true;
  }

  /** Removes the oldest user entry (the caller checks `size` first), admitting one waiting sender. */
  take(): T {
    const entry = this.shift() as T;
    if (this.#waiting !== undefined) Mailbox.#admitWaiting(this, this.#waiting);
    return entry;
  }

  /** Counts `n` user messages as processed. */
  recordProcessed(n: number): void {
    this.#processed += n;
  }

  /** Enqueues a system message; the system lane has no bound, so this never fails. */
  pushSystem(message: TSystem): void {
    (this.#system ??= new RingBuffer(Infinity)).push(message);
  }

  /** Removes the oldest system message (the caller checks `systemSize` first). */
  takeSystem(): TSystem {
    return this.#system?.shift() as TSystem;
  }

  /** Empties the user ring and the waiting senders, handing them back for dead-lettering. */
  close(): ClosedContents<T> {
    const queued = this.drain();
    const waiting = (this.#waiting?.drain() ?? []).map(({ entry, reject }) => ({ entry, reject }));
    this.#waiting = undefined;
    return { queued, waiting };
  }

  /** Empties the system lane. */
  drainSystem(): TSystem[] {
    return this.#system?.drain() ?? [];
  }

  metrics(): MailboxMetrics {
    return {
      capacity: this.capacity,
      depth: this.size,
      highWaterMark: this.highWaterMark,
      dropped: this.#dropped,
      processed: this.#processed,
      waitingSenders: this.#waiting?.size ?? 0,
    };
  }

  // The helpers below are static: a class with private instance methods gives each instance a
  // brand to check them by, 8 bytes that every actor's mailbox would carry.

  static #overflow<T, S>(mailbox: Mailbox<T, S>, entry: T): boolean {
    switch (mailbox.#action) {
      case 'wait':
        return false;
      case 'drop-new':
        mailbox.#dropped++;
        mailbox.#owner.dropped(entry, 'dropped-newest');
        return false;
      case 'evict-oldest': {
        mailbox.#dropped++;
        mailbox.#owner.dropped(mailbox.shift() as T, 'dropped-oldest');
        mailbox.push(entry);
        return true;
      }
      case 'throw':
        throw new MailboxOverflowError(mailbox.#owner.path, mailbox.capacity, mailbox.#owner.messageOf(entry));
    }
  }

  /** Admits the oldest of `waiting` (never empty: an empty queue is let go), letting the queue go once it is empty. */
  static #admitWaiting<T, S>(mailbox: Mailbox<T, S>, waiting: RingBuffer<WaitingSender<T>>): void {
    const sender = waiting.shift() as WaitingSender<T>;
    if (waiting.size === 0) mailbox.#waiting = undefined;
    mailbox.push(sender.entry);
    sender.resolve();
  }
}
