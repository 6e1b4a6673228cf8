/**
 * A JetStream stream as a replayable pipeline source. Its offset is the stream sequence of the last
 * message taken (0 before any), so a checkpoint records it and a resumed run reads on from the
 * message after it. Each read is an ordered consumer of its own (ephemeral, no acks, in stream
 * order), filtered by at most one subject — all a 2.9 server offers; it is removed, with any
 * connection the read opened, when the read ends, is stopped, or fails.
 */
import type { MsgHdrs } from '@nats-io/nats-core';
import { InvalidOptionError } from '../errors.js';
import { flattenBatches } from '../internal/flatten-batches.js';
import { isFunction, nonNegativeInteger, positiveInteger, withDefault } from '../internal/validate.js';
import type { Source, SourceItem } from '../streams/sources/source.js';
import { JetStreamBatches } from './internal/jetstream-batches.js';
import { checkConnectionChoice, type NatsConnectionChoice } from './nats-connection.js';
import { filterSubject, natsName } from './nats-names.js';

/** What `decode` is told about a message besides its payload. */
export interface JetStreamMessageInfo {
  /** The stream it was read from. */
  readonly stream: string;
  readonly subject: string;
  /** Its stream sequence: the offset after it. */
  readonly sequence: number;
  /** When the stream stored it, in milliseconds since the epoch. */
  readonly timestampMs: number;
  /** Its headers, when it has any. */
  readonly headers: MsgHdrs | undefined;
}

/** Options of {@link fromJetStream}: where to connect, and what to read. */
export type FromJetStreamOptions<TRecord> = NatsConnectionChoice & {
  /** The stream to read. */
  readonly stream: string;
  /**
   * Read only the messages whose subject matches this one (wildcards `*` and `>` allowed). One
   * subject: a 2.9 server has no consumers with several.
   * @defaultValue every message of the stream
   */
  readonly subject?: string | undefined;
  /**
   * Turns a payload into a record. A throw makes the message a dead letter (`malformed`, its
   * payload as text, a MalformedMessageError naming its stream, subject and sequence), and the
   * read goes on.
   * @defaultValue the payload as UTF-8 JSON text
   */
  readonly decode?: ((data: Uint8Array, info: JetStreamMessageInfo) => TRecord) | undefined;
  /**
   * The most messages handed to the pipeline at once, and the most the client fetches ahead.
   * @defaultValue 1024
   */
  readonly batch?: number | undefined;
  /**
   * Stop at the last message the stream held when the read started (a backfill, a batch job, a
   * test), rather than wait for new messages for as long as the pipeline runs.
   * @defaultValue false: the read follows the stream, as a service's input does
   */
  readonly bounded?: boolean | undefined;
  /**
   * Resume even when the stream no longer holds the messages right after the checkpoint's sequence
   * (limits or a purge removed them), skipping to its first message. Without it such a resume fails
   * with JetStreamTruncatedError: those messages were never processed.
   * @defaultValue false
   */
  readonly allowTruncation?: boolean | undefined;
};

/**
 * Reads the messages of a JetStream stream as records, replayable from any sequence.
 *
 * @throws InvalidOptionError naming the option, at once: `stream` not a valid name, `subject` not
 *   a subject, `decode` not a function, `batch` not a positive integer, a `connection` that is not
 *   one or comes with `servers`. A read rejects with InvalidOptionError naming `stream` when there
 *   is no such stream, JetStreamTruncatedError (see `allowTruncation`), NatsUnreachableError.
 * @example
 * ```ts
 * const orders = fromJetStream<Order>({ servers: 'nats://127.0.0.1:4222', stream: 'ORDERS', subject: 'orders.created' });
 * await pipeline(orders).keyBy((o) => o.customer, { partitions: 4 }).reduce(add, zero)
 *   .to(toJetStream({ servers: 'nats://127.0.0.1:4222', subject: 'totals' }))
 *   .run({ checkpoint: { dir: 'state/orders' } }).done;
 * ```
 */
export function fromJetStream<TRecord = unknown>(options: FromJetStreamOptions<TRecord>): Source<TRecord, number> {
  checkConnectionChoice(options);
  const { stream, subject, decode, batch, bounded, allowTruncation, ...connection } = options;
  natsName('stream', stream);
  if (subject !== undefined) filterSubject('subject', subject);
  if (decode !== undefined) isFunction('decode', decode);
  const setup = {
    connection: connection as NatsConnectionChoice,
    stream,
    subject,
    decode,
    batch: withDefault(batch, 1024, (v) => positiveInteger('batch', v)),
    bounded: withDefault(bounded, false, (v) => checkBoolean('bounded', v)),
    allowTruncation: withDefault(allowTruncation, false, (v) => checkBoolean('allowTruncation', v)),
  };
  const readBatches = (from = 0): AsyncIterable<SourceItem<TRecord, number>[]> => {
    const after = nonNegativeInteger('from', from);
    return { [Symbol.asyncIterator]: () => new JetStreamBatches<TRecord>({ ...setup, from: after }) };
  };
  return {
    name: `jetstream:${stream}${subject === undefined ? '' : `:${subject}`}`,
    replayable: true,
    start: 0,
    read: (from) => flattenBatches(readBatches(from)),
    readBatches,
  };
}

function checkBoolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionError(option, 'true or false', value);
  return value;
}
