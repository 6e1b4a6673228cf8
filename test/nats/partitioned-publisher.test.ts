import { fc, test } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { fromJetStream } from '../../src/nats/from-jetstream.js';
import { partitionedPublisher, sluicePartition } from '../../src/nats/partitioned-publisher.js';
import { InvalidOptionError, fromArray, pipeline, type PartitionKey, type Sink } from '../../src/index.js';
import { partitionKeyArb } from '../streams/partitioning/arbitraries.js';
import { checkNats } from '../helpers/services.js';
import { testStream, type TestStream } from './jetstream-fixtures.js';

const nats = await checkNats();
const url = nats.url as string;

let streams: TestStream[] = [];
afterEach(async () => {
  await Promise.all(streams.map((s) => s.remove()));
  streams = [];
});

/** The partition a pipeline's `keyBy` routes each record to, as its sink is told. */
async function pipelinePartitions(keys: readonly PartitionKey[], partitions: number, maxParallelism: number): Promise<number[]> {
  const seen: number[] = [];
  const sink: Sink<{ readonly value: number }> = {
    name: 'origins',
    write(records, origin) {
      for (const record of records) seen[record.value] = origin?.partition ?? -1;
    },
  };
  await pipeline(fromArray(keys.map((key, index) => ({ key, index }))))
    .keyBy((record) => record.key, { partitions, maxParallelism })
    .reduce(
      (_: number, record) => record.index,
      () => -1,
    )
    .to(sink)
    .run({ batchSize: 16 }).done;
  return seen;
}

describe('sluicePartition', () => {
  test.prop([fc.array(partitionKeyArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom(12, 64, 128, 1000)], { numRuns: 60 })(
    'puts every key where the pipeline’s own keyBy routes it',
    async (keys, partitions, maxParallelism) => {
      const routed = await pipelinePartitions(keys, partitions, maxParallelism);
      expect(keys.map((key) => sluicePartition(key, partitions, maxParallelism))).toEqual(routed);
    },
  );

  it('refuses a partition count outside 1 to maxParallelism, naming it', () => {
    expect(() => sluicePartition('a', 0)).toThrow(/`partitions`/);
    expect(() => sluicePartition('a', 200)).toThrow(/`partitions`/);
    expect(() => sluicePartition('a', 4, 40_000)).toThrow(/`maxParallelism`/);
  });
});

describe('partitionedPublisher', () => {
  it.each([
    [{ subjectPrefix: 'a.*', partitions: 2, key: String }, 'subjectPrefix'],
    [{ subjectPrefix: 'a', partitions: 0, key: String }, 'partitions'],
    [{ subjectPrefix: 'a', partitions: 2, maxParallelism: 1, key: String }, 'partitions'],
    [{ subjectPrefix: 'a', partitions: 2, key: 'id' }, 'key'],
    [{ subjectPrefix: 'a', partitions: 2, key: String, msgId: 'id' }, 'msgId'],
    [{ subjectPrefix: 'a', partitions: 2, key: String, maxInFlight: 0 }, 'maxInFlight'],
  ])('refuses %j at construction, naming `%s`', (options, option) => {
    const make = (): unknown => partitionedPublisher(options as never);
    expect(make).toThrow(InvalidOptionError);
    expect(make).toThrow(`\`${option}\``);
  });

  it('names the subject of each record’s partition', () => {
    const publisher = partitionedPublisher<{ user: string }>({ subjectPrefix: 'clicks', partitions: 5, key: (c) => c.user });
    for (const user of ['ada', 'bob', 'cy']) {
      expect(publisher.subjectOf({ user })).toBe(`clicks.${sluicePartition(user, 5)}`);
      expect(publisher.partitionOf({ user })).toBe(sluicePartition(user, 5));
    }
  });

  it.skipIf(nats.url === undefined)('publishes each record on its partition’s subject, where a pipeline per partition reads it', async () => {
    const s = await testStream(url, 'partitioned');
    streams.push(s);
    const orders = Array.from({ length: 500 }, (_, i) => ({ id: i, customer: `c${(i * 13) % 97}` }));
    const publisher = partitionedPublisher<{ id: number; customer: string }>({
      servers: url,
      subjectPrefix: `${s.subject}.orders`,
      partitions: 4,
      key: (o) => o.customer,
      msgId: (o) => `order-${o.id}`,
      maxInFlight: 64,
    });
    for (const order of orders) await publisher.publish(order);
    // Published again, as a restarted producer would: the ids make the stream drop them.
    for (const order of orders.slice(0, 50)) await publisher.publish(order);
    await publisher.close();
    expect(publisher.stats()).toMatchObject({ stored: 500, duplicates: 50 });

    for (let partition = 0; partition < 4; partition++) {
      const read: { id: number; customer: string }[] = [];
      const source = fromJetStream<{ id: number; customer: string }>({
        servers: url,
        stream: s.name,
        subject: `${s.subject}.orders.${partition}`,
        bounded: true,
      });
      for await (const item of source.read()) if (item.kind === 'record') read.push(item.value);
      expect(read).toEqual(orders.filter((o) => sluicePartition(o.customer, 4) === partition));
    }
  });
});
