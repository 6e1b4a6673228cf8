/**
 * A JetStream sink: one message per record, published with many in flight. In a checkpointed run it
 * is exactly-once through JetStream's duplicate detection: every record carries a `Nats-Msg-Id`
 * that a resumed run gives the same record again (see `internal/output-numbering.ts`), every
 * acknowledgement is in before a checkpoint's pre-commit returns, and the stream drops what a
 * resumed run writes a second time, provided it does so within the stream's duplicate window.
 * Without checkpoints it is at-least-once. A full stream (`discard: new` at a limit) is
 * backpressure: the sink waits and tries again, never drops (`internal/async-publisher.ts`).
 */
import { nanoid } from 'nanoid';
import type { NatsConnection } from '@nats-io/nats-core';
import { InvalidOptionError, JetStreamWriteError } from '../errors.js';
import { isFunction, nonNegativeNumber, withDefault } from '../internal/validate.js';
import type { Sink, SinkBatchOrigin } from '../streams/sinks/sink.js';
import type { JetStreamWriteOptions, JetStreamWriteStats } from './jetstream-writing.js';
import { holdPublisher, publishSettings, type HeldPublisher } from './internal/held-publisher.js';
import { checkNumberingToken, OutputNumbering, type NumberingToken } from './internal/output-numbering.js';
import { checkConnectionChoice, type NatsConnectionChoice } from './nats-connection.js';
import { natsClient } from './nats-peer.js';
import { natsName, publishSubject } from './nats-names.js';

/** Options of {@link toJetStream}: where to connect, where and how to write, and the publishing window. */
export type ToJetStreamOptions<TRecord> = NatsConnectionChoice & {
  /** The subject of every message, or a function of the record that gives each its subject. */
  readonly subject: string | ((record: TRecord) => string);
  /**
   * Turns a record into a payload.
   * @defaultValue `JSON.stringify`, as UTF-8
   */
  readonly encode?: ((record: TRecord) => Uint8Array | string) | undefined;
  /**
   * The stream that must take the messages: the server refuses a message another stream would take
   * (`Nats-Expected-Stream`), and a checkpointed run checks this stream's duplicate window before it
   * writes.
   * @defaultValue whichever stream takes the subject
   */
  readonly stream?: string | undefined;
  /**
   * In a checkpointed run, the shortest duplicate window (`duplicate_window`) a stream written to
   * may have, in milliseconds: what a resumed run writes again is dropped only if it comes within
   * that window of the first write, so the time from a crash to the resumed run's catching up must
   * fit in it. A stream with a shorter window fails the run (JetStreamWriteError) before it relies
   * on it; 0 turns the check off.
   * @defaultValue 120000, the server's default window
   */
  readonly minDuplicateWindowMs?: number | undefined;
} & JetStreamWriteOptions;

/** A sink into JetStream, with its counters. */
export interface JetStreamSink<TRecord> extends Sink<TRecord> {
  /** Counters over all the sink's runs. */
  stats(): JetStreamWriteStats;
}

const encoder = new TextEncoder();
const NO_STATS: JetStreamWriteStats = { stored: 0, duplicates: 0, refusals: 0, resent: 0 };

/**
 * Writes each record as one JetStream message; exactly-once in a checkpointed run (within the
 * stream's duplicate window), at-least-once otherwise.
 *
 * @throws InvalidOptionError naming the option, at once: `subject` not a subject or a function,
 *   `encode` not a function, `stream` not a valid name, a limit not a positive number, a
 *   `connection` that is not one or comes with `servers`. A write rejects with InvalidOptionError
 *   naming `subject` when the function gives something else than a subject, MessageTooLargeError
 *   for a record over the server's `max_payload`, JetStreamWriteError when the server refuses for
 *   another reason than a full stream, NatsUnreachableError.
 * @example
 * ```ts
 * const sink = toJetStream<Total>({ servers: 'nats://127.0.0.1:4222', subject: (t) => `totals.${t.key}`, stream: 'TOTALS' });
 * ```
 */
export function toJetStream<TRecord>(options: ToJetStreamOptions<TRecord>): JetStreamSink<TRecord> {
  checkConnectionChoice(options);
  const { subject, encode, stream, maxInFlight, ackTimeoutMs, retryBackoff, minDuplicateWindowMs, clock, ...connection } = options;
  const subjectOf = subjectFunction(subject);
  if (encode !== undefined) isFunction('encode', encode);
  if (stream !== undefined) natsName('stream', stream);
  const settings = publishSettings({ maxInFlight, ackTimeoutMs, retryBackoff, clock });
  const minWindowMs = withDefault(minDuplicateWindowMs, 120_000, (v) => nonNegativeNumber('minDuplicateWindowMs', v));
  const payloadOf = (record: TRecord): Uint8Array => {
    const encoded = encode === undefined ? JSON.stringify(record) : encode(record);
    return typeof encoded === 'string' ? encoder.encode(encoded) : encoded;
  };

  /** Set by `recover`: the run is checkpointed, so duplicate windows matter. */
  let transactional = false;
  let numbering: OutputNumbering | undefined;
  let connecting: Promise<HeldPublisher> | undefined;
  /** What `connecting` resolved to, for the counters. */
  let connected: HeldPublisher | undefined;
  /** Checks of the duplicate windows of the streams written to; the first failure fails the run. */
  const windowChecks = new Map<string, Promise<void>>();
  let totals = NO_STATS;

  const checkWindow = (nc: NatsConnection, name: string): void => {
    if (!transactional || minWindowMs === 0 || windowChecks.has(name)) return;
    const check = duplicateWindowMs(nc, name).then((windowMs) => {
      if (windowMs < minWindowMs) {
        throw new JetStreamWriteError(
          typeof subject === 'string' ? subject : `stream ${name}`,
          `stream ${name} remembers message ids for ${windowMs} ms, less than minDuplicateWindowMs (${minWindowMs} ms): a resumed run could write again what it had written. Raise the stream's duplicate_window, or lower minDuplicateWindowMs to what a crash and resume take`,
        );
      }
    });
    check.catch(() => undefined);
    windowChecks.set(name, check);
  };
  const connect = (): Promise<HeldPublisher> =>
    (connecting ??= holdPublisher(connection as NatsConnectionChoice, settings, {
      expectedStream: stream,
      onStream: (name) => connected !== undefined && checkWindow(connected.nc, name),
    }).then((held) => {
      connected = held;
      // A stream named up front is checked before anything is written.
      if (stream !== undefined) checkWindow(held.nc, stream);
      return held;
    }));
  /** Ends the run's hold on NATS: the publisher's subscription and timers, the connection if it is ours. */
  const disconnect = async (): Promise<void> => {
    const held = connecting;
    connecting = undefined;
    windowChecks.clear();
    const run = await held?.catch(() => undefined);
    connected = undefined;
    if (run === undefined) return;
    totals = add(totals, run.publisher.stats());
    await run.close();
  };
  /** Every message acknowledged and every duplicate window checked. */
  const settle = async (): Promise<void> => {
    if (connecting === undefined) return;
    const { publisher } = await connecting;
    await publisher.settle();
    await Promise.all(windowChecks.values());
  };

  return {
    name: `jetstream:${typeof subject === 'string' ? subject : (stream ?? 'subject()')}`,
    async write(records, origin?: SinkBatchOrigin) {
      const { publisher } = await connect();
      numbering ??= new OutputNumbering(fresh());
      const partition = origin?.partition ?? 0;
      numbering.begin(origin?.partitions ?? 1);
      for (const record of records) {
        const to = subjectOf(record);
        const payload = payloadOf(record);
        const id = numbering.next(partition, payload);
        if (!publisher.ready) await publisher.whenReady();
        publisher.send(to, payload, id);
      }
    },
    async preCommit(): Promise<NumberingToken> {
      await settle();
      numbering ??= new OutputNumbering(fresh());
      return numbering.token();
    },
    async recover(token) {
      transactional = true;
      numbering = new OutputNumbering(token === undefined || token === null ? fresh() : checkNumberingToken(token));
      if (stream !== undefined) await connect();
    },
    async close() {
      try {
        await settle();
      } finally {
        await disconnect();
        numbering = undefined;
        transactional = false;
      }
    },
    async release() {
      await disconnect();
      numbering = undefined;
      transactional = false;
    },
    stats: () => (connected === undefined ? totals : add(totals, connected.publisher.stats())),
  };
}

/** A numbering for a job that starts without a checkpoint: a new incarnation. */
function fresh(): NumberingToken {
  return { incarnation: nanoid(12), layout: '', partitions: 0, counts: [] };
}

function add(a: JetStreamWriteStats, b: JetStreamWriteStats): JetStreamWriteStats {
  return { stored: a.stored + b.stored, duplicates: a.duplicates + b.duplicates, refusals: a.refusals + b.refusals, resent: a.resent + b.resent };
}

/** `subject` as a function of the record, which checks each subject it has not just checked. */
function subjectFunction<TRecord>(subject: unknown): (record: TRecord) => string {
  if (typeof subject === 'string') {
    publishSubject('subject', subject);
    return () => subject;
  }
  if (typeof subject !== 'function') throw new InvalidOptionError('subject', 'a subject, or a function of the record that returns one', subject);
  const of = subject as (record: TRecord) => unknown;
  let checked = '';
  return (record) => {
    const value = of(record);
    if (value !== checked) checked = publishSubject('subject', value);
    return checked;
  };
}

/** The duplicate window of stream `name`, in milliseconds. */
async function duplicateWindowMs(nc: NatsConnection, name: string): Promise<number> {
  const { jetstream } = await natsClient();
  const jsm = await jetstream.jetstreamManager(nc, { checkAPI: false });
  const info = await jsm.streams.info(name);
  return (info.config.duplicate_window ?? 0) / 1e6;
}
