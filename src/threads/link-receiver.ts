/**
 * The receiving end of a link from another thread: it grants the sender as many credits as it has
 * room for, passes each message on in order (waiting while the one before is still being taken,
 * when `deliver` returns a promise), and grants a credit back for each message passed on.
 */
import { positiveInteger } from '../internal/validate.js';
import { RingBuffer } from '../mailbox/ring-buffer.js';
import { fromFrame, type Frame } from './link-frames.js';
import type { Downstream, Upstream } from './link-protocol.js';
import type { LinkPort } from './link-port.js';

/** Options of {@link LinkReceiver}. */
export interface LinkReceiverOptions<TMessage> {
  /** Messages that may be in flight or waiting here at once: the sender's credits. */
  readonly room: number;
  /** Takes one message; a promise holds the next ones back until it settles. */
  readonly deliver: (message: TMessage) => void | Promise<void>;
  /** A message could not be decoded or taken: the link stops taking any. */
  readonly failed: (error: unknown) => void;
  /** The sender closed the link, or its thread went away. */
  readonly closed?: (() => void) | undefined;
}

/**
 * Receives messages from a {@link LinkSender} over `port`.
 *
 * @throws InvalidOptionError naming `room` when it is not a positive integer.
 * @example
 * ```ts
 * new LinkReceiver<Batch>(port2, { room: 4, deliver: (batch) => ref.send(batch), failed: fail });
 * ```
 */
export class LinkReceiver<TMessage> {
  readonly #port: LinkPort;
  readonly #options: LinkReceiverOptions<TMessage>;
  /** Frames that arrived while one before them was still being taken; never more than `room`. */
  readonly #queue: RingBuffer<Frame>;
  #taking = false;
  /** Credits earned by messages passed on and not granted yet. */
  #owed = 0;
  /** Credits granted and not used yet: what the sender may still send, or has sent and is on its way. */
  #outstanding = 0;
  readonly #grantEvery: number;
  /** The sender closed the link: what arrived before is still taken, then the port is closed. */
  #closing = false;
  #done = false;

  constructor(port: LinkPort, options: LinkReceiverOptions<TMessage>) {
    const room = positiveInteger('room', options.room);
    this.#port = port;
    this.#options = options;
    this.#queue = new RingBuffer<Frame>(room);
    port.on('message', (message: Downstream) => {
      if (message.type === 'message') return this.#arrived(message.frame);
      this.#closing = true;
      if (!this.#taking) this.#take();
    });
    // The other end went away without a word (its thread died): nothing more can come.
    port.on('close', () => this.#end(true));
    this.#grantEvery = Math.ceil(room / 2);
    this.#owed = room;
    this.#owe(0);
  }

  /** Messages that arrived and wait to be taken. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Closes the link from this side: the sender's waiting messages are refused. */
  close(): void {
    if (this.#done) return;
    const closing: Upstream = { type: 'close' };
    this.#port.postMessage(closing);
    this.#end(false);
  }

  #arrived(frame: Frame): void {
    if (this.#done) return;
    this.#outstanding--;
    // The sender never has more credits than there is room: a full queue is a broken sender.
    if (!this.#queue.push(frame)) return this.#fail(new Error(`a link's sender sent more than the ${this.#queue.capacity} messages it had room for`));
    if (!this.#taking) this.#take();
  }

  /** Passes queued messages on, in order, owing a credit for each, until one must be waited for. */
  #take(): void {
    while (this.#queue.size > 0 && !this.#done) {
      let pending: void | Promise<void>;
      try {
        pending = this.#options.deliver(fromFrame(this.#queue.shift() as Frame) as TMessage);
      } catch (error) {
        return this.#fail(error);
      }
      if (pending instanceof Promise) {
        this.#taking = true;
        pending.then(
          () => {
            this.#taking = false;
            this.#owe(1);
            this.#take();
          },
          (error: unknown) => this.#fail(error),
        );
        return;
      }
      this.#owe(1);
    }
    this.#owe(0);
    if (this.#closing && this.#queue.size === 0) this.#end(true);
  }

  /**
   * Owes the sender `credits` more, and grants what it owes once that is half the room, or at once
   * when every credit granted before is used: the sender may be waiting then, and only a grant lets
   * it go on. Granting in halves spares a message (and a wake-up of the sender's thread) per message
   * at full speed.
   */
  #owe(credits: number): void {
    this.#owed += credits;
    if (this.#owed === 0 || this.#done) return;
    if (this.#owed < this.#grantEvery && this.#outstanding > 0) return;
    const credit: Upstream = { type: 'credit', credits: this.#owed };
    this.#outstanding += this.#owed;
    this.#owed = 0;
    this.#port.postMessage(credit);
  }

  #fail(error: unknown): void {
    if (this.#done) return;
    this.close();
    this.#options.failed(error);
  }

  #end(bySender: boolean): void {
    if (this.#done) return;
    this.#done = true;
    while (this.#queue.size > 0) this.#queue.shift();
    this.#port.close();
    if (bySender) this.#options.closed?.();
  }
}
