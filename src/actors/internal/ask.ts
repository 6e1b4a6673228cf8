/**
 * One outstanding `ask`: the message travels through the mailbox inside this envelope, and the
 * handler's `ctx.reply` settles it. It settles exactly once — by reply, failure, stop or timeout —
 * and always clears its timer, so no timer outlives it. An ask that times out while still waiting
 * for mailbox room is withdrawn first, so it is never delivered.
 */
import { AskTimeoutError } from '../../errors.js';
import type { Clock, TimerHandle } from '../../clock.js';
import { Envelope } from './envelope.js';

export class Ask<TMessage> extends Envelope<TMessage> {
  /** Path of the actor that was asked. */
  readonly recipient: string;
  readonly promise: Promise<unknown>;
  #resolve!: (value: unknown) => void;
  #reject!: (error: unknown) => void;
  #timer: TimerHandle | undefined;
  #settled = false;
  /** Takes the ask out of the senders waiting for room; set while it may be waiting. */
  #withdraw: ((error: AskTimeoutError) => void) | undefined;
  readonly #clock: Clock;
  readonly #outstanding: Set<Ask<unknown>>;

  /**
   * @param outstanding - the system's set of unsettled asks; this ask leaves it when it settles.
   */
  constructor(message: TMessage, recipient: string, timeoutMs: number, clock: Clock, outstanding: Set<Ask<unknown>>) {
    super(message);
    this.recipient = recipient;
    this.#clock = clock;
    this.#outstanding = outstanding;
    this.promise = new Promise<unknown>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    outstanding.add(this);
    if (timeoutMs !== Infinity) {
      // Kept alive (the clock's default): the caller awaits this ask, and a script whose only
      // pending work it is must see it time out rather than exit.
      this.#timer = clock.setTimeout(() => {
        this.#timer = undefined;
        const error = new AskTimeoutError(recipient, timeoutMs, message);
        this.#withdraw?.(error);
        this.fail(error);
      }, timeoutMs);
    }
  }

  /**
   * The ask waits for mailbox room: a timeout calls `withdraw` before it rejects, so the caller
   * who sees `AskTimeoutError` knows the message was never delivered. (`withdraw` does nothing once
   * the mailbox has admitted the ask: a timeout then leaves it to be processed.)
   */
  waitsForRoom(withdraw: (error: AskTimeoutError) => void): void {
    this.#withdraw = withdraw;
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Resolves with `value`; false when already settled. */
  reply(value: unknown): boolean {
    if (!this.#finish()) return false;
    this.#resolve(value);
    return true;
  }

  /** Rejects with `error`; false when already settled. */
  fail(error: unknown): boolean {
    if (!this.#finish()) return false;
    this.#reject(error);
    return true;
  }

  #finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#outstanding.delete(this);
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    return true;
  }
}
