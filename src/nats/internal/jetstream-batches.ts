/**
 * One read of a JetStream stream, in batches: an ordered consumer from the sequence after `from`,
 * whose messages are handed out as many at a time as have already arrived (up to `batch`), so the
 * pipeline pays one asynchronous step per batch. The client prefetches at most `batch` messages,
 * so a slow pipeline holds the read back.
 *
 * It is a {@link StoppableReader} because a tailing read may wait for ever: `return()` ends a
 * pending `next()` at once and then closes everything the read opened (the consumer's subscription
 * and timers, the consumer on the server, the connection when it is the read's own), whichever
 * phase it was in.
 */
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { InvalidOptionError, JetStreamTruncatedError, MalformedMessageError } from '../../errors.js';
import { STOPPED, StoppableReader, type Taken } from '../../internal/stoppable-reader.js';
import type { SourceItem } from '../../streams/sources/source.js';
import type { JetStreamMessageInfo } from '../from-jetstream.js';
import { natsClient } from '../nats-peer.js';
import type { NatsConnectionChoice } from '../nats-connection.js';
import { leaseConnection, type ConnectionLease } from './connection-lease.js';

/** One read's options, checked by `fromJetStream`, and where it starts. */
export interface ReadSetup<TRecord> {
  readonly connection: NatsConnectionChoice;
  readonly stream: string;
  readonly subject: string | undefined;
  readonly decode: ((data: Uint8Array, info: JetStreamMessageInfo) => TRecord) | undefined;
  readonly batch: number;
  readonly bounded: boolean;
  readonly allowTruncation: boolean;
  /** Read the messages after this sequence. */
  readonly from: number;
}

type Item<TRecord> = SourceItem<TRecord, number>;
type Batch<TRecord> = Item<TRecord>[];

/** What the read opened, to read from and to close. */
interface Opened {
  readonly lease: ConnectionLease;
  /** Undefined when a bounded read found nothing to read. */
  readonly reading:
    { readonly messages: ConsumerMessages; readonly iterator: AsyncIterator<JsMsg>; readonly deleteConsumer: () => Promise<unknown> } | undefined;
  /** A bounded read stops after this sequence. */
  readonly last: number;
}

const TURN: unique symbol = Symbol('turn');
const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder();

/** The default decoder: the payload as UTF-8 JSON text. */
function decodeJson(data: Uint8Array): unknown {
  return JSON.parse(strict.decode(data));
}

/** The batches of one read; see above for how it stops. */
export class JetStreamBatches<TRecord> extends StoppableReader<Opened, Batch<TRecord>> {
  readonly #setup: ReadSetup<TRecord>;
  /** The message asked for and not yet handed out: a batch ends when the next one has not arrived. */
  #pendingNext: Promise<IteratorResult<JsMsg>> | undefined;

  constructor(setup: ReadSetup<TRecord>) {
    super();
    this.#setup = setup;
  }

  protected async take(opened: Opened): Promise<Taken<Batch<TRecord>> | undefined> {
    if (opened.reading === undefined) return undefined;
    const batch = await this.#readBatch(opened.reading.iterator, opened.last);
    return batch === undefined ? undefined : { value: batch.items, last: batch.ended };
  }

  protected async close(opened: Opened): Promise<void> {
    try {
      if (opened.reading !== undefined) {
        opened.reading.messages.stop();
        this.#pendingNext?.catch(() => undefined);
        // An ordered consumer is ephemeral, but the server would keep it for minutes: remove it now.
        await opened.reading.deleteConsumer().catch(() => undefined);
      }
    } finally {
      await opened.lease.release();
    }
  }

  protected async open(): Promise<Opened> {
    const { stream, subject, from, bounded, batch } = this.#setup;
    const lease = await leaseConnection(this.#setup.connection);
    try {
      const { jetstream } = await natsClient();
      const jsm = await jetstream.jetstreamManager(lease.nc, { checkAPI: false });
      const info = await jsm.streams.info(stream).catch((error: unknown) => {
        if ((error as { code?: unknown }).code === jetstream.JetStreamApiCodes.StreamNotFound) {
          throw new InvalidOptionError('stream', 'the name of an existing JetStream stream', stream);
        }
        throw error;
      });
      const { first_seq: first, last_seq: last } = info.state;
      if (from > 0 && first > from + 1 && from < last && !this.#setup.allowTruncation) throw new JetStreamTruncatedError(stream, from, first);
      if (bounded && last <= from) return { lease, reading: undefined, last };
      const consumer = await jetstream.jetstream(lease.nc).consumers.get(stream, {
        ...(subject === undefined ? {} : { filter_subjects: subject }),
        ...(from === 0 ? { deliver_policy: jetstream.DeliverPolicy.All } : { deliver_policy: jetstream.DeliverPolicy.StartSequence, opt_start_seq: from + 1 }),
      });
      const deleteConsumer = (): Promise<unknown> => consumer.delete();
      if (bounded && (await consumer.info(true)).num_pending === 0) {
        await deleteConsumer().catch(() => undefined);
        return { lease, reading: undefined, last };
      }
      const messages = await consumer.consume({ max_messages: batch });
      return { lease, reading: { messages, iterator: messages[Symbol.asyncIterator](), deleteConsumer }, last };
    } catch (error) {
      await lease.release();
      throw error;
    }
  }

  /**
   * The messages that have arrived, up to `batch`, waiting only for the first; undefined when the
   * read was stopped or the consumer ended. `ended` when a bounded read reached its last message.
   */
  async #readBatch(iterator: AsyncIterator<JsMsg>, last: number): Promise<{ items: Batch<TRecord>; ended: boolean } | undefined> {
    const { bounded, batch } = this.#setup;
    const first = await this.until(this.#nextMessage(iterator));
    if (first === STOPPED || first.done === true) return undefined;
    this.#pendingNext = undefined;
    const items: Batch<TRecord> = [];
    let msg = first.value;
    // Messages that arrived together are queued in the client: they come in microtasks, before the
    // turn (a macrotask) that ends the batch.
    let turn: Promise<typeof TURN> | undefined;
    for (;;) {
      if (bounded && msg.seq > last) return { items, ended: true };
      items.push(this.#item(msg));
      if (bounded && (msg.seq >= last || msg.info.pending === 0)) return { items, ended: true };
      if (items.length >= batch) return { items, ended: false };
      turn ??= new Promise((resolve) => setImmediate(resolve, TURN));
      const next = await Promise.race([this.#nextMessage(iterator), turn]);
      if (next === TURN) return { items, ended: false };
      this.#pendingNext = undefined;
      if (next.done === true) return { items, ended: true };
      msg = next.value;
    }
  }

  /** The pending `next()` of the consumer's messages, asked for once; cleared by whoever takes its result. */
  #nextMessage(iterator: AsyncIterator<JsMsg>): Promise<IteratorResult<JsMsg>> {
    return (this.#pendingNext ??= iterator.next());
  }

  #item(msg: JsMsg): Item<TRecord> {
    const { decode, stream } = this.#setup;
    const next = msg.seq;
    try {
      const value =
        decode === undefined
          ? (decodeJson(msg.data) as TRecord)
          : decode(msg.data, { stream, subject: msg.subject, sequence: next, timestampMs: msg.info.timestampNanos / 1e6, headers: msg.headers });
      return { kind: 'record', value, next };
    } catch (error) {
      return { kind: 'malformed', raw: lenient.decode(msg.data), error: new MalformedMessageError(stream, msg.subject, next, error), next };
    }
  }
}
