/**
 * The receiving end of every durable link to one partition (or the sink, or a slot's units): one
 * ordered consumer on the link stream reads what all its senders sent, in the order the stream
 * holds it, and that order is the order the partition takes it in. So a partition restarted on
 * another process, reading the same stream from the checkpoint it starts at, takes the same
 * messages in the same order as its predecessor did, and sends the same (`link-epochs.ts`).
 *
 * What to deliver is the {@link InboxBook}'s decision; each message is delivered once the one
 * before it was taken (`deliver` may return a promise: the partition's mailbox had no room), and
 * each sender is granted room again as its messages are taken: `[incarnation, taken, room]` on its
 * credit subject, and on request (a sender's hello), since core NATS may lose a grant.
 */
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { ConsumerMessages, JetStreamClient } from '@nats-io/jetstream';
import { Packr, Unpackr } from 'msgpackr';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';
import { natsClient } from '../nats/nats-peer.js';
import { creditSubject, frameOrigin, helloSubject, inboxFilter, unpackFrame, unpackMessage, type LinkFrame } from './durable-link-frames.js';
import { InboxBook } from './inbox-book.js';

const packr = new Packr(MSGPACK_OPTIONS);
const unpackr = new Unpackr(MSGPACK_OPTIONS);

/** Stream messages the consumer holds ahead of the one being delivered. */
const READ_AHEAD = 64;

export interface DurableInboxSetup<TMessage> {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  /** The link stream's name, and the run's link prefix. */
  readonly stream: string;
  readonly prefix: string;
  /** This end's name: the `<to>` of its links' subjects. */
  readonly to: string;
  /** The checkpoint the receiver starts from: frames of earlier epochs are in it already. */
  readonly fromEpoch: number;
  /** Messages each sender may have in flight here: its credits. */
  readonly room: number;
  /** The senders known at the start, granted their room at once (others ask). */
  readonly senders: readonly string[];
  /** Takes one message from `from`; a promise holds the next ones back until it settles. */
  readonly deliver: (from: string, message: TMessage) => void | Promise<void>;
  /** The inbox could not go on (the stream went away, a message could not be taken). */
  readonly failed: (error: unknown) => void;
}

export class DurableInbox<TMessage> {
  readonly #setup: DurableInboxSetup<TMessage>;
  readonly #book: InboxBook;
  /** Parts of large messages being put back together, by sender, incarnation and index. */
  readonly #parts = new Map<string, Uint8Array[]>();
  #hello: Subscription | undefined;
  #messages: ConsumerMessages | undefined;
  #closed = false;

  constructor(setup: DurableInboxSetup<TMessage>) {
    this.#setup = setup;
    this.#book = new InboxBook(setup.fromEpoch);
  }

  /** Starts reading; resolves once the consumer is there and the known senders have their room. */
  async start(): Promise<void> {
    const { nc, js, stream, prefix, to, senders } = this.#setup;
    const { jetstream } = await natsClient();
    this.#hello = nc.subscribe(helloSubject(prefix, to), {
      callback: (error, msg) => {
        if (error !== null) return;
        try {
          const [from, incarnation] = unpackr.unpack(msg.data) as [string, number];
          this.#grant(from, incarnation);
        } catch {
          // Not a hello: nothing to answer.
        }
      },
    });
    const consumer = await js.consumers.get(stream, { filter_subjects: inboxFilter(prefix, to), deliver_policy: jetstream.DeliverPolicy.All });
    if (this.#closed) return;
    this.#messages = await consumer.consume({ max_messages: READ_AHEAD });
    // Closed while the consumer was being made: it goes at once.
    if (this.#closed) return void (await this.#messages.close().catch(() => undefined));
    for (const from of senders) this.#grant(from, 0);
    void this.#read(this.#messages);
  }

  /** Stops reading and granting; resolves once the consumer is closed (a delivery under way is not waited for). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hello?.unsubscribe();
    await this.#messages?.close().catch(() => undefined);
  }

  async #read(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const stored of messages) {
        if (this.#closed) break;
        const origin = frameOrigin(stored.subject);
        const frame = unpackFrame(stored.data);
        if (origin === undefined || frame === undefined) continue;
        const whole = this.#whole(origin.from, frame);
        if (whole === undefined) continue;
        const verdict = this.#book.read(origin.from, origin.epoch, whole.incarnation, whole.first, whole.messages.length);
        if (verdict.kind === 'deliver') {
          for (let i = verdict.skip; i < whole.messages.length && !this.#closed; i++) {
            const pending = this.#setup.deliver(origin.from, unpackMessage(whole.messages[i] as Uint8Array) as TMessage);
            if (pending !== undefined) await pending;
          }
        }
        if (verdict.kind !== 'ignore' || verdict.why === 'epoch') this.#grant(origin.from, whole.incarnation);
      }
    } catch (error) {
      if (!this.#closed) this.#setup.failed(error);
    }
  }

  /** A frame's messages, once whole: a large message's last part brings the others with it. */
  #whole(from: string, frame: LinkFrame): { readonly incarnation: number; readonly first: number; readonly messages: readonly Uint8Array[] } | undefined {
    if (frame.kind === 'messages') return frame;
    const key = `${from}|${frame.incarnation}|${frame.first}`;
    const parts = frame.part === 0 ? [] : this.#parts.get(key);
    // A part without the ones before it (they were purged, or a zombie's): nothing to join.
    if (parts === undefined || parts.length !== frame.part) {
      this.#parts.delete(key);
      return undefined;
    }
    parts.push(frame.bytes);
    if (parts.length < frame.parts) {
      this.#parts.set(key, parts);
      return undefined;
    }
    this.#parts.delete(key);
    const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      whole.set(part, at);
      at += part.length;
    }
    return { incarnation: frame.incarnation, first: frame.first, messages: [whole] };
  }

  /** Grants `from` its room past what it took of its latest incarnation (or of `incarnation`, when that is later). */
  #grant(from: string, incarnation: number): void {
    const { nc, prefix, to, room } = this.#setup;
    if (this.#closed || nc.isClosed()) return;
    const place = this.#book.place(from);
    const grant = place === undefined || incarnation > place.incarnation ? [incarnation, 0, room] : [place.incarnation, place.taken, room];
    try {
      nc.publish(creditSubject({ prefix, to, from }), packr.pack(grant));
    } catch {
      // Draining or closed: the run is ending.
    }
  }
}
