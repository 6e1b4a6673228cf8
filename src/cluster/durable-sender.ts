/**
 * The sending end of a durable link: what it sends is stored in the job's link stream before the
 * receiver reads it, so a receiver restarted on another process reads it again, and a sender
 * restarted elsewhere (a later incarnation) sends on under its own numbers. The same contract as a
 * thread's `LinkSender`: `send` resolves at once while the receiver has room (its credits) and
 * waits in order when it has none, so what is in flight stays bounded.
 *
 * One frame is being stored at a time: messages sent meanwhile go together in the next frame (cut
 * at the server's payload limit and at each epoch change, since a frame's subject names its
 * epoch). A frame the server did not acknowledge is published again under the same message id
 * until it is, so it is stored once; a stream at its byte limit is waited out the same way.
 * Credits come over core NATS as `[incarnation, taken, room]`: the sender may have sent `taken +
 * room` messages of its incarnation. A grant for a later incarnation means this sender was
 * replaced: it closes. While it waits for room it asks for a grant now and then, since core NATS
 * may lose one.
 */
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Packr, Unpackr } from 'msgpackr';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';
import { RingBuffer } from '../mailbox/ring-buffer.js';
import { LinkClosedError } from '../threads/link-protocol.js';
import { creditSubject, frameSubject, helloSubject, packMessage, packMessages, packPart, type DurableLinkAddress } from './durable-link-frames.js';

const packr = new Packr(MSGPACK_OPTIONS);
const unpackr = new Unpackr(MSGPACK_OPTIONS);

/** Bytes a frame's envelope may take beside its messages, kept free under the payload limit. */
const FRAME_ROOM = 256;

/** How often a sender waiting for room asks for a grant again. */
const ASK_AGAIN_MS = 500;

/** The longest wait before storing a refused frame again. */
const MAX_RETRY_MS = 1_000;

export interface DurableSenderSetup<TMessage> {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly address: DurableLinkAddress;
  /** This sender's incarnation: a sender restarted elsewhere has a later one. */
  readonly incarnation: number;
  /** The epoch its first message is sent in: the checkpoint it starts from. */
  readonly epoch: number;
  /** The checkpoint whose barrier `message` is, when it is one: what follows it is sent in that epoch. */
  readonly barrierOf: (message: TMessage) => number | undefined;
}

interface Accepted {
  readonly epoch: number;
  readonly index: number;
  readonly bytes: Uint8Array;
}

interface Waiting<TMessage> {
  readonly message: TMessage;
  readonly bytes: Uint8Array;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const SENT: Promise<void> = Promise.resolve();

export class DurableSender<TMessage> {
  readonly #setup: DurableSenderSetup<TMessage>;
  readonly #maxBody: number;
  readonly #subscription: Subscription;
  /** Messages accepted and not stored yet, in order. */
  readonly #outgoing: Accepted[] = [];
  readonly #waiting = new RingBuffer<Waiting<TMessage>>(Infinity);
  /** The index the next accepted message gets. */
  #index = 0;
  /** Messages of this incarnation the receiver has room for, counted from its first. */
  #allowed = 0;
  #epoch: number;
  #storing = false;
  #timer: NodeJS.Timeout | undefined;
  /** The wait before storing a refused frame again, and what ends it early. */
  #retry: NodeJS.Timeout | undefined;
  #resume: (() => void) | undefined;
  #closed: string | undefined;
  /** Resolves once every accepted message is stored (for `drained`). */
  #idle: (() => void)[] = [];

  constructor(setup: DurableSenderSetup<TMessage>) {
    this.#setup = setup;
    this.#epoch = setup.epoch;
    this.#maxBody = Math.max(1024, (setup.nc.info?.max_payload ?? 1024 * 1024) - FRAME_ROOM);
    this.#subscription = setup.nc.subscribe(creditSubject(setup.address), {
      callback: (error, msg) => {
        if (error === null) this.#granted(msg.data);
      },
    });
    this.#ask();
  }

  /** Messages the receiver has room for now. */
  get credits(): number {
    return Math.max(0, this.#allowed - this.#index);
  }

  /** Messages waiting for room. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Sends `message`: accepted at once when the receiver has room, else once it makes some, after
   * every message sent before it; stored in the link stream soon after.
   * @throws (rejects) the encoder's error when `message` cannot be encoded; LinkClosedError when
   *   the sender is closed, or closes while the message waits.
   */
  send(message: TMessage): Promise<void> {
    if (this.#closed !== undefined) return Promise.reject(new LinkClosedError(this.#closed));
    let bytes: Uint8Array;
    try {
      bytes = packMessage(message);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#waiting.size === 0 && this.#index < this.#allowed) {
      this.#accept(message, bytes);
      return SENT;
    }
    const waiting = new Promise<void>((resolve, reject) => void this.#waiting.push({ message, bytes, resolve, reject }));
    this.#askSoon();
    return waiting;
  }

  /** Resolves once every message accepted so far is stored (at once when closed). */
  drained(): Promise<void> {
    if (this.#outgoing.length === 0 || this.#closed !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops: messages waiting for room are refused, accepted ones not stored yet are dropped (the run is over). */
  close(why = 'closed by its sender'): void {
    if (this.#closed !== undefined) return;
    this.#closed = why;
    this.#subscription.unsubscribe();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#resume?.();
    this.#outgoing.length = 0;
    while (this.#waiting.size > 0) (this.#waiting.shift() as Waiting<TMessage>).reject(new LinkClosedError(why));
    this.#wakeIdle();
  }

  #accept(message: TMessage, bytes: Uint8Array): void {
    this.#outgoing.push({ epoch: this.#epoch, index: this.#index++, bytes });
    const barrier = this.#setup.barrierOf(message);
    if (barrier !== undefined) this.#epoch = barrier;
    if (!this.#storing) void this.#store();
  }

  #granted(data: Uint8Array): void {
    if (this.#closed !== undefined) return;
    let grant: unknown;
    try {
      grant = unpackr.unpack(data);
    } catch {
      return;
    }
    if (!Array.isArray(grant)) return;
    const [incarnation, taken, room] = grant as [number, number, number];
    if (incarnation > this.#setup.incarnation) return this.close('a later incarnation of its sender took its place');
    // A grant for an earlier incarnation: the receiver has read nothing of this one yet.
    const allowed = (incarnation === this.#setup.incarnation ? taken : 0) + room;
    if (allowed > this.#allowed) this.#allowed = allowed;
    while (this.#waiting.size > 0 && this.#index < this.#allowed) {
      const next = this.#waiting.shift() as Waiting<TMessage>;
      this.#accept(next.message, next.bytes);
      next.resolve();
    }
    if (this.#waiting.size === 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Asks the receiver for a grant. */
  #ask(): void {
    const { nc, address, incarnation } = this.#setup;
    if (this.#closed !== undefined || nc.isClosed()) return;
    try {
      nc.publish(helloSubject(address.prefix, address.to), packr.pack([address.from, incarnation]));
    } catch {
      // Draining or closed: the run is ending.
    }
  }

  /** Asks again every so often while messages wait for room. */
  #askSoon(): void {
    if (this.#timer !== undefined || this.#closed !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#waiting.size === 0) return;
      this.#ask();
      this.#askSoon();
    }, ASK_AGAIN_MS);
    this.#timer.unref();
  }

  /** Stores the accepted messages, a frame at a time, until none is left. */
  async #store(): Promise<void> {
    this.#storing = true;
    let retryMs = 25;
    while (this.#outgoing.length > 0 && this.#closed === undefined) {
      const { count, epoch, payloads } = this.#nextFrame();
      try {
        const subject = frameSubject(this.#setup.address, epoch);
        // Parts of a large message go one after the other; published again, each is stored once.
        for (const { data, id } of payloads) await this.#setup.js.publish(subject, data, { msgID: id });
      } catch {
        // Not stored (the server away, the stream full): the same frame again, a little later.
        await this.#pause(retryMs);
        retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
        continue;
      }
      retryMs = 25;
      if (this.#closed === undefined) this.#outgoing.splice(0, count);
    }
    this.#storing = false;
    if (this.#outgoing.length === 0) this.#wakeIdle();
  }

  /** The next frame from the front of what was accepted: messages of one epoch up to the payload limit, or a large message's parts. */
  #nextFrame(): { readonly count: number; readonly epoch: number; readonly payloads: readonly { readonly data: Uint8Array; readonly id: string }[] } {
    const { address, incarnation } = this.#setup;
    const first = this.#outgoing[0] as Accepted;
    const id = `${address.prefix}|${address.to}|${address.from}|${incarnation}|${first.index}`;
    if (first.bytes.length > this.#maxBody) {
      const parts = Math.ceil(first.bytes.length / this.#maxBody);
      const payloads = Array.from({ length: parts }, (_, part) => ({
        data: packPart(incarnation, first.index, part, parts, first.bytes.subarray(part * this.#maxBody, (part + 1) * this.#maxBody)),
        id: `${id}|${part}`,
      }));
      return { count: 1, epoch: first.epoch, payloads };
    }
    let bytes = 0;
    let count = 0;
    for (const accepted of this.#outgoing) {
      if (accepted.epoch !== first.epoch || (count > 0 && bytes + accepted.bytes.length > this.#maxBody)) break;
      bytes += accepted.bytes.length;
      count++;
    }
    const messages = this.#outgoing.slice(0, count).map((accepted) => accepted.bytes);
    return { count, epoch: first.epoch, payloads: [{ data: packMessages(incarnation, first.index, messages), id }] };
  }

  /** Resolves after `ms`, or at once when the sender closes. */
  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#resume = resolve;
      this.#retry = setTimeout(resolve, ms);
    }).then(() => {
      clearTimeout(this.#retry);
      this.#retry = undefined;
      this.#resume = undefined;
    });
  }

  #wakeIdle(): void {
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}
