/**
 * Publishing from outside a pipeline onto per-partition subjects, `<prefix>.<partition>`, where the
 * partition is exactly the one a Sluice `keyBy(key, { partitions, maxParallelism })` gives the key:
 * the canonical key bytes, MurmurHash3, the key group, the partition owning that group's range. A
 * pipeline (or one per partition) reading `<prefix>.<p>` then finds every key where its own routing
 * would have put it. The server's `{{partition(n, …)}}` subject mapping cannot do this: it hashes
 * with FNV-1a, so its partitions and Sluice's disagree.
 */
import { nanoid } from 'nanoid';
import { isFunction, withDefault } from '../internal/validate.js';
import type { PartitionKey } from '../streams/partitioning/canonical-key.js';
import { DEFAULT_MAX_PARALLELISM, checkParallelism, keyGroupOf, partitionOfKeyGroup } from '../streams/partitioning/key-groups.js';
import { hashPartitioning } from '../streams/partitioning/partitioner.js';
import { holdPublisher, publishSettings, type HeldPublisher } from './internal/held-publisher.js';
import type { JetStreamWriteOptions, JetStreamWriteStats } from './jetstream-writing.js';
import { checkConnectionChoice, type NatsConnectionChoice } from './nats-connection.js';
import { publishSubject } from './nats-names.js';

/**
 * The partition Sluice routes `key` to in a stage of `partitions` partitions over `maxParallelism`
 * key groups: the same answer as `keyBy(…, { partitions, maxParallelism })`, in every process.
 *
 * @throws InvalidOptionError naming `partitions` or `maxParallelism` unless 1 ≤ partitions ≤
 *   maxParallelism ≤ 32768; InvalidKeyError for a key that is not a PartitionKey.
 * @example
 * ```ts
 * sluicePartition('customer-42', 8); // the partition of keyBy((o) => o.customer, { partitions: 8 })
 * ```
 */
export function sluicePartition(key: PartitionKey, partitions: number, maxParallelism: number = DEFAULT_MAX_PARALLELISM): number {
  const checked = checkParallelism(partitions, maxParallelism);
  return partitionOfKeyGroup(keyGroupOf(key, checked.maxParallelism), checked.maxParallelism, checked.partitions);
}

/** Options of {@link partitionedPublisher}: where to connect, how to partition, how to write. */
export type PartitionedPublisherOptions<TRecord> = NatsConnectionChoice & {
  /** Records go to `<subjectPrefix>.<partition>`. */
  readonly subjectPrefix: string;
  /** As the pipeline's `keyBy` has it. */
  readonly partitions: number;
  /**
   * As the pipeline's `keyBy` has it.
   * @defaultValue 128
   */
  readonly maxParallelism?: number | undefined;
  /** The record's key: the function the pipeline's `keyBy` takes. */
  readonly key: (record: TRecord) => PartitionKey;
  /**
   * Turns a record into a payload.
   * @defaultValue `JSON.stringify`, as UTF-8
   */
  readonly encode?: ((record: TRecord) => Uint8Array | string) | undefined;
  /**
   * The record's `Nats-Msg-Id`: give one derived from the record (an order id) and the stream drops
   * what a restarted producer publishes again within its duplicate window.
   * @defaultValue a fresh id per message, which only makes a resend after a lost acknowledgement safe
   */
  readonly msgId?: ((record: TRecord) => string) | undefined;
} & JetStreamWriteOptions;

/** A publisher onto `<prefix>.<partition>`; see {@link partitionedPublisher}. */
export interface PartitionedPublisher<TRecord> {
  /** The partition of `record`, as the pipeline's `keyBy` would route it. */
  partitionOf(record: TRecord): number;
  /** `<subjectPrefix>.<partitionOf(record)>`. */
  subjectOf(record: TRecord): string;
  /**
   * Publishes `record` on its partition's subject; resolves once it is on its way (at most
   * `maxInFlight` unacknowledged), not stored: `flush` waits for that. A full stream (`discard:
   * new`) is waited out, never dropped.
   * @throws (rejects) MessageTooLargeError, JetStreamWriteError, NatsUnreachableError; InvalidKeyError
   *   for a key that is not a PartitionKey.
   */
  publish(record: TRecord): Promise<void>;
  /** Resolves once every record published so far is stored. @throws (rejects) as `publish`. */
  flush(): Promise<void>;
  /** Flushes, then lets go of the connection (closing it when the publisher opened it). Idempotent. */
  close(): Promise<void>;
  /** Counters since the publisher was made. */
  stats(): JetStreamWriteStats;
}

const encoder = new TextEncoder();

/**
 * A publisher that puts each record on `<subjectPrefix>.<partition>`, the partition a Sluice
 * `keyBy` with the same `key`, `partitions` and `maxParallelism` would route it to. Connects on the
 * first publish.
 *
 * @throws InvalidOptionError naming the option, at once: `subjectPrefix` not a subject, `key` not
 *   a function, `partitions` or `maxParallelism` out of range, a publishing limit not a positive
 *   number, a `connection` that is not one or comes with `servers`.
 * @example
 * ```ts
 * const orders = partitionedPublisher<Order>({ servers: 'nats://127.0.0.1:4222', subjectPrefix: 'orders', partitions: 8, key: (o) => o.customer });
 * for (const order of batch) await orders.publish(order);
 * await orders.close();
 * ```
 */
export function partitionedPublisher<TRecord>(options: PartitionedPublisherOptions<TRecord>): PartitionedPublisher<TRecord> {
  checkConnectionChoice(options);
  const { subjectPrefix, partitions, maxParallelism, key, encode, msgId, maxInFlight, ackTimeoutMs, retryBackoff, clock, ...connection } = options;
  publishSubject('subjectPrefix', subjectPrefix);
  isFunction('key', key);
  if (encode !== undefined) isFunction('encode', encode);
  if (msgId !== undefined) isFunction('msgId', msgId);
  const layout = checkParallelism(
    partitions,
    withDefault(maxParallelism, DEFAULT_MAX_PARALLELISM, (v) => v),
  );
  const settings = publishSettings({ maxInFlight, ackTimeoutMs, retryBackoff, clock });
  const byKey = hashPartitioning(layout.partitions, layout.maxParallelism);
  const subjects = Array.from({ length: layout.partitions }, (_, p) => `${subjectPrefix}.${p}`);
  const idPrefix = `${nanoid(12)}.`;
  let sent = 0;
  let holding: Promise<HeldPublisher> | undefined;
  let held: HeldPublisher | undefined;
  let closing: Promise<void> | undefined;

  const partitionOf = (record: TRecord): number => byKey.partitionOfKey(key(record));
  const hold = (): Promise<HeldPublisher> =>
    (holding ??= holdPublisher(connection as NatsConnectionChoice, settings).then((h) => {
      held = h;
      return h;
    }));
  const flush = async (): Promise<void> => {
    if (holding !== undefined) await (await holding).publisher.settle();
  };

  return {
    partitionOf,
    subjectOf: (record) => subjects[partitionOf(record)] as string,
    async publish(record) {
      const subject = subjects[partitionOf(record)] as string;
      const encoded = encode === undefined ? JSON.stringify(record) : encode(record);
      const payload = typeof encoded === 'string' ? encoder.encode(encoded) : encoded;
      const { publisher } = held ?? (await hold());
      if (!publisher.ready) await publisher.whenReady();
      publisher.send(subject, payload, msgId === undefined ? idPrefix + String(++sent) : msgId(record));
    },
    flush,
    close: () =>
      (closing ??= (async () => {
        try {
          await flush();
        } finally {
          await (await holding?.catch(() => undefined))?.close();
        }
      })()),
    stats: () => held?.publisher.stats() ?? { stored: 0, duplicates: 0, refusals: 0, resent: 0 },
  };
}
