import { AckPolicy, DiscardPolicy, RetentionPolicy, jetstream } from '@nats-io/jetstream';
import { afterEach, describe, expect, it } from 'vitest';
import { toJetStream } from '../../src/nats/to-jetstream.js';
import { InvalidOptionError, JetStreamWriteError, MessageTooLargeError, fromArray, pipeline, type SinkBatchOrigin } from '../../src/index.js';
import { checkNats } from '../helpers/services.js';
import { testStream, type TestStream } from './jetstream-fixtures.js';

const nats = await checkNats();
const url = nats.url as string;
const withNats = describe.skipIf(nats.url === undefined);

let streams: TestStream[] = [];
afterEach(async () => {
  await Promise.all(streams.map((s) => s.remove()));
  streams = [];
});
async function stream(label: string, config: Parameters<typeof testStream>[2] = {}): Promise<TestStream> {
  const made = await testStream(url, label, config);
  streams.push(made);
  return made;
}

/** The origin of a batch from `partition` of `partitions`. */
const from = (partition: number, partitions: number): SinkBatchOrigin => ({ partition, partitions });
const texts = async (s: TestStream): Promise<string[]> => (await s.messages()).map((m) => JSON.parse(m.text) as string);

describe('toJetStream options', () => {
  it.each([
    [{ subject: 'a.*' }, 'subject'],
    [{ subject: 42 }, 'subject'],
    [{ subject: 'a', encode: 'json' }, 'encode'],
    [{ subject: 'a', stream: 'a b' }, 'stream'],
    [{ subject: 'a', maxInFlight: 0 }, 'maxInFlight'],
    [{ subject: 'a', ackTimeoutMs: -1 }, 'ackTimeoutMs'],
    [{ subject: 'a', minDuplicateWindowMs: -5 }, 'minDuplicateWindowMs'],
    [{ subject: 'a', retryBackoff: { minMs: 50, maxMs: 10 } }, 'retryBackoff.maxMs'],
    [{ subject: 'a', connection: 'nats://x' }, 'connection'],
  ])('refuses %j at construction, naming `%s`', (options, option) => {
    const make = (): unknown => toJetStream(options as never);
    expect(make).toThrow(InvalidOptionError);
    expect(make).toThrow(`\`${option}\``);
  });
});

withNats('toJetStream', () => {
  it('writes each record as a message, in order, and closes its own connection', async () => {
    const s = await stream('write');
    const sink = toJetStream<string>({ servers: url, subject: `${s.subject}.out` });
    const words = Array.from({ length: 3_000 }, (_, i) => `w${i}`);
    await pipeline(fromArray(words)).to(sink).run({ batchSize: 100 }).done;
    expect(await texts(s)).toEqual(words);
    expect(sink.stats()).toMatchObject({ stored: 3_000, duplicates: 0 });
  });

  it('gives each record the subject the function says, and fails a write on one that is not a subject, naming `subject`', async () => {
    const s = await stream('subjects');
    const sink = toJetStream<{ id: number; kind: string }>({ servers: url, subject: (r) => `${s.subject}.${r.kind}` });
    await sink.write([
      { id: 1, kind: 'a' },
      { id: 2, kind: 'b' },
    ]);
    await expect(sink.write([{ id: 3, kind: 'c d' }])).rejects.toThrow(/`subject`/);
    // What was sent before stays sent: closing waits for its acknowledgements.
    await sink.close?.();
    expect((await s.messages()).map((m) => m.subject)).toEqual([`${s.subject}.a`, `${s.subject}.b`]);
  });

  it('fails on a record larger than the server takes, naming its size and the limit', async () => {
    const s = await stream('large');
    const sink = toJetStream<string>({ servers: url, subject: `${s.subject}.out` });
    const failure = await Promise.resolve(sink.write(['x'.repeat(1_100_000)])).catch((error: unknown) => error);
    await sink.release?.();
    expect(failure).toBeInstanceOf(MessageTooLargeError);
    expect(failure).toMatchObject({ maxPayload: 1_048_576, subject: `${s.subject}.out` });
    expect((failure as MessageTooLargeError).bytes).toBeGreaterThan(1_100_000);
    expect((failure as Error).message).toMatch(/1048576/);
  });

  it('fails when no stream takes the subject, or another than the one named', async () => {
    const s = await stream('nostream');
    const nowhere = toJetStream<string>({ servers: url, subject: `${s.subject}x.out` });
    await nowhere.write(['a']);
    await expect(nowhere.close?.()).rejects.toThrow(JetStreamWriteError);
    await expect(nowhere.close?.()).resolves.toBeUndefined();
    const other = await stream('other');
    const elsewhere = toJetStream<string>({ servers: url, subject: `${s.subject}.out`, stream: other.name });
    await elsewhere.write(['a']);
    await expect(elsewhere.close?.()).rejects.toThrow(/expected stream does not match/);
  });

  it('is exactly-once across a resume: what a run writes again after the last checkpoint is dropped, however partitions interleave', async () => {
    const s = await stream('exactly-once');
    const first = toJetStream<string>({ servers: url, subject: `${s.subject}.out` });
    await first.recover?.(undefined, false);
    await first.write(['a0', 'a1'], from(0, 2));
    await first.write(['b0'], from(1, 2));
    const token = await first.preCommit?.(1);
    // Written after the checkpoint, then the run dies.
    await first.write(['a2'], from(0, 2));
    await first.write(['b1', 'b2'], from(1, 2));
    await first.write(['a3'], from(0, 2));
    // They reach the stream (a pre-commit waits for that), but the checkpoint never completes.
    await first.preCommit?.(2);
    await first.release?.();

    const second = toJetStream<string>({ servers: url, subject: `${s.subject}.out` });
    await second.recover?.(JSON.parse(JSON.stringify(token)), false);
    // The same partitions' output, arriving in another interleaving.
    await second.write(['b1'], from(1, 2));
    await second.write(['a2', 'a3'], from(0, 2));
    await second.write(['b2', 'b3'], from(1, 2));
    await second.preCommit?.(2);
    await second.close?.();

    expect(second.stats()).toMatchObject({ duplicates: 4, stored: 1 });
    expect((await texts(s)).sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3']);
  });

  it('writes again rather than drops when a resume changes the partition count, or a record comes out differently', async () => {
    const s = await stream('rescaled');
    const first = toJetStream<string>({ servers: url, subject: `${s.subject}.out` });
    await first.recover?.(undefined, false);
    await first.write(['a0'], from(0, 2));
    const token = await first.preCommit?.(1);
    await first.write(['a1', 'a2'], from(0, 2));
    await first.preCommit?.(2);
    await first.release?.();

    const rescaled = toJetStream<string>({ servers: url, subject: `${s.subject}.out` });
    await rescaled.recover?.(token, false);
    await rescaled.write(['a1'], from(0, 3));
    await rescaled.write(['a2'], from(2, 3));
    await rescaled.close?.();
    const changed = toJetStream<string>({ servers: url, subject: `${s.subject}.out` });
    await changed.recover?.(token, false);
    await changed.write(['a1', 'a2 changed'], from(0, 2));
    await changed.close?.();

    expect(rescaled.stats()).toMatchObject({ duplicates: 0, stored: 2 });
    expect(changed.stats()).toMatchObject({ duplicates: 1, stored: 1 });
    expect((await texts(s)).sort()).toEqual(['a0', 'a1', 'a1', 'a2', 'a2', 'a2 changed']);
  });

  it('numbers a job started afresh anew: the same records are written again, not dropped', async () => {
    const s = await stream('fresh');
    for (let run = 0; run < 2; run++) {
      const sink = toJetStream<string>({ servers: url, subject: `${s.subject}.out` });
      await sink.recover?.(undefined, false);
      await sink.write(['a', 'b']);
      await sink.preCommit?.(1);
      await sink.close?.();
    }
    expect(await texts(s)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('refuses, in a checkpointed run, a stream whose duplicate window is shorter than minDuplicateWindowMs', async () => {
    const s = await stream('window', { duplicate_window: 1_000_000_000 });
    const strict = toJetStream<string>({ servers: url, subject: `${s.subject}.out` });
    await strict.recover?.(undefined, false);
    await strict.write(['a']);
    await expect(Promise.resolve(strict.preCommit?.(1))).rejects.toThrow(/1000 ms, less than minDuplicateWindowMs \(120000 ms\)/);
    await strict.release?.();

    const named = toJetStream<string>({ servers: url, subject: `${s.subject}.out`, stream: s.name });
    await expect(Promise.resolve(named.recover?.(undefined, false)).then(() => named.preCommit?.(1))).rejects.toThrow(JetStreamWriteError);
    await named.release?.();

    const knowing = toJetStream<string>({ servers: url, subject: `${s.subject}.out`, minDuplicateWindowMs: 1_000 });
    await knowing.recover?.(undefined, false);
    await knowing.write(['b']);
    await knowing.preCommit?.(1);
    await knowing.close?.();
    // Without checkpoints there is nothing to promise: no check.
    const plain = toJetStream<string>({ servers: url, subject: `${s.subject}.out` });
    await plain.write(['c']);
    await plain.close?.();
    expect(await texts(s)).toEqual(['a', 'b', 'c']);
  });

  it('waits while a full stream (discard new) refuses, and loses nothing while a consumer drains it', async () => {
    const s = await stream('full', { retention: RetentionPolicy.Workqueue, max_msgs: 8, discard: DiscardPolicy.New });
    await s.jsm.consumers.add(s.name, { durable_name: 'drain', ack_policy: AckPolicy.Explicit });
    const total = 400;
    const sink = toJetStream<number>({ servers: url, subject: `${s.subject}.out`, retryBackoff: { minMs: 1, maxMs: 20 } });
    const written = pipeline(fromArray(Array.from({ length: total }, (_, i) => i)))
      .to(sink)
      .run({ batchSize: 50 }).done;

    const consumer = await jetstream(s.nc).consumers.get(s.name, 'drain');
    const messages = await consumer.consume({ max_messages: 4 });
    const received: number[] = [];
    for await (const msg of messages) {
      received.push(msg.json<number>());
      msg.ack();
      if (received.length === total) break;
    }
    await written;
    expect(received.sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(sink.stats().refusals).toBeGreaterThan(0);
    expect(sink.stats().stored).toBe(total);
  });
});
