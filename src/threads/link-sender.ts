/**
 * The sending end of a link to another thread: `send` posts a message when the receiver has room
 * (a credit), and otherwise waits for it, in order. A message is encoded when it is sent, so one
 * that cannot cross (a function, a symbol) is refused at once, by its sender.
 */
import { RingBuffer } from '../mailbox/ring-buffer.js';
import { toFrame, type Frame } from './link-frames.js';
import { LinkClosedError, type Downstream, type Upstream } from './link-protocol.js';
import type { LinkPort } from './link-port.js';

interface Waiting {
  readonly frame: Frame;
  readonly transfer: ArrayBuffer[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const SENT: Promise<void> = Promise.resolve();

/**
 * Sends messages over `port` to a {@link LinkReceiver}, never more than it has room for.
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const sender = new LinkSender<Batch>(port1);
 * await sender.send(batch); // resolves once the receiver has room for it
 * ```
 */
export class LinkSender<TMessage> {
  readonly #port: LinkPort;
  #credits = 0;
  readonly #waiting = new RingBuffer<Waiting>(Infinity);
  /** Why the link closed; undefined while it is open. */
  #closed: string | undefined;

  constructor(port: LinkPort) {
    this.#port = port;
    port.on('message', (message: Upstream) => (message.type === 'credit' ? this.#credit(message.credits) : this.#shut('the receiver closed it')));
    port.on('close', () => this.#shut('the receiver closed it'));
  }

  /** Messages the receiver has room for now. */
  get credits(): number {
    return this.#credits;
  }

  /** Messages waiting for room. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Sends `message`: at once when the receiver has room, else once it makes some, after every
   * message sent before it.
   * @throws (rejects) the codec's error when `message` cannot be encoded; LinkClosedError when the
   *   link is closed, or closes while the message waits.
   */
  send(message: TMessage): Promise<void> {
    if (this.#closed !== undefined) return Promise.reject(new LinkClosedError(this.#closed));
    let encoded: { frame: Frame; transfer: ArrayBuffer[] };
    try {
      encoded = toFrame(message) as { frame: Frame; transfer: ArrayBuffer[] };
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#credits > 0 && this.#waiting.size === 0) {
      this.#post(encoded.frame, encoded.transfer);
      return SENT;
    }
    return new Promise((resolve, reject) => void this.#waiting.push({ ...encoded, resolve, reject }));
  }

  /**
   * Closes the link: messages already sent are still taken, messages still waiting for room are
   * refused, and the receiver closes the port once it has taken the rest. Until then the port no
   * longer keeps the process alive, so a receiver whose thread died holds nothing open.
   */
  close(): void {
    if (this.#closed !== undefined) return;
    const closing: Downstream = { type: 'close' };
    this.#port.postMessage(closing);
    this.#refuseWaiting('closed by its sender');
    this.#port.unref();
  }

  #credit(credits: number): void {
    this.#credits += credits;
    while (this.#credits > 0 && this.#waiting.size > 0) {
      const next = this.#waiting.shift() as Waiting;
      this.#post(next.frame, next.transfer);
      next.resolve();
    }
  }

  #post(frame: Frame, transfer: ArrayBuffer[]): void {
    this.#credits--;
    const message: Downstream = { type: 'message', frame };
    this.#port.postMessage(message, transfer);
  }

  /** The receiver closed the link, or its thread went away. */
  #shut(why: string): void {
    this.#refuseWaiting(why);
    this.#port.close();
  }

  #refuseWaiting(why: string): void {
    this.#closed ??= why;
    this.#credits = 0;
    while (this.#waiting.size > 0) (this.#waiting.shift() as Waiting).reject(new LinkClosedError(this.#closed));
  }
}
