import { afterEach, describe, expect, it } from 'vitest';
import { fromJetStream } from '../../src/nats/from-jetstream.js';
import { InvalidOptionError, JetStreamTruncatedError, MalformedMessageError, pipeline, toArray, type SourceItem } from '../../src/index.js';
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
async function stream(label: string, values: readonly unknown[] = []): Promise<TestStream> {
  const made = await testStream(url, label);
  streams.push(made);
  await made.publish(values);
  return made;
}

/** Every item of a read, as `[sequence, value]` pairs (the raw text for malformed ones). */
async function readAll<T>(items: AsyncIterable<SourceItem<T, number>>): Promise<[number, unknown][]> {
  const read: [number, unknown][] = [];
  for await (const item of items) read.push([item.next, item.kind === 'record' ? item.value : item.raw]);
  return read;
}

describe('fromJetStream options', () => {
  it.each([
    [{ stream: 'a.b' }, 'stream'],
    [{ stream: 'S', subject: 'a..b' }, 'subject'],
    [{ stream: 'S', subject: 'a.>.b' }, 'subject'],
    [{ stream: 'S', batch: 0 }, 'batch'],
    [{ stream: 'S', bounded: 'yes' }, 'bounded'],
    [{ stream: 'S', decode: 'json' }, 'decode'],
    [{ stream: 'S', connection: {} }, 'connection'],
  ])('refuses %j at construction, naming `%s`', (options, option) => {
    const make = (): unknown => fromJetStream(options as never);
    expect(make).toThrow(InvalidOptionError);
    expect(make).toThrow(`\`${option}\``);
  });

  it('refuses a connection given with servers', () => {
    const connection = { publish: () => undefined, subscribe: () => undefined, close: () => undefined };
    expect(() => fromJetStream({ stream: 'S', connection, servers: 'nats://127.0.0.1:4222' } as never)).toThrow(/`connection`/);
  });

  it('refuses an offset that is not a sequence', () => {
    expect(() => fromJetStream({ stream: 'S' }).readBatches?.(-1)).toThrow(/`from`/);
  });
});

withNats('fromJetStream', () => {
  it('reads a stream from the start, each record with its sequence as the offset, and stops at the end when bounded', async () => {
    const s = await stream('read', ['a', 'b', 'c']);
    const source = fromJetStream<string>({ servers: url, stream: s.name, bounded: true });
    expect(source).toMatchObject({ replayable: true, start: 0 });
    expect(await readAll(source.read())).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it('resumes after the sequence a checkpoint recorded', async () => {
    const s = await stream('resume', ['a', 'b', 'c', 'd']);
    const source = fromJetStream<string>({ servers: url, stream: s.name, bounded: true });
    expect(await readAll(source.read(2))).toEqual([
      [3, 'c'],
      [4, 'd'],
    ]);
    expect(await readAll(source.read(4))).toEqual([]);
  });

  it('reads only the subject it filters on, offsets still stream sequences', async () => {
    const s = await stream('filter', ['a']);
    await s.publish(['b'], 'other');
    await s.publish(['c']);
    await s.publish(['d'], 'other');
    const source = fromJetStream<string>({ servers: url, stream: s.name, subject: `${s.subject}.in`, bounded: true });
    expect(await readAll(source.read())).toEqual([
      [1, 'a'],
      [3, 'c'],
    ]);
  });

  it('hands out in one batch what has arrived, up to `batch`', async () => {
    const s = await stream(
      'batches',
      Array.from({ length: 10 }, (_, i) => i),
    );
    const source = fromJetStream<number>({ servers: url, stream: s.name, bounded: true, batch: 4 });
    const sizes: number[] = [];
    for await (const batch of source.readBatches?.() ?? []) sizes.push(batch.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
  });

  it('stops when bounded at the last sequence the stream had when the read began', async () => {
    const s = await stream('bounded', ['a', 'b']);
    const read: string[] = [];
    for await (const item of fromJetStream<string>({ servers: url, stream: s.name, bounded: true, batch: 1 }).read()) {
      if (item.kind === 'record') read.push(item.value);
      // Published while the read is under way: after the bound.
      if (read.length === 1) await s.publish(['late']);
    }
    expect(read).toEqual(['a', 'b']);
  });

  it('ends a bounded read of an empty stream, or of nothing after the offset, at once', async () => {
    const s = await stream('empty');
    expect(await readAll(fromJetStream({ servers: url, stream: s.name, bounded: true }).read())).toEqual([]);
    await s.publish(['a'], 'other');
    expect(await readAll(fromJetStream({ servers: url, stream: s.name, subject: `${s.subject}.in`, bounded: true }).read())).toEqual([]);
  });

  it('follows the stream when not bounded, and stops when the read is returned while it waits', async () => {
    const s = await stream('tail', ['a']);
    const iterator = fromJetStream<string>({ servers: url, stream: s.name }).read()[Symbol.asyncIterator]();
    expect(await iterator.next()).toMatchObject({ value: { value: 'a', next: 1 } });
    const waiting = iterator.next();
    await s.publish(['b']);
    expect(await waiting).toMatchObject({ value: { value: 'b', next: 2 } });
    expect(await iterator.return?.()).toMatchObject({ done: true });
  });

  it('sends a payload that does not decode to dead letters, naming its sequence, and reads on', async () => {
    const s = await stream('malformed', ['a']);
    await s.publish([new TextEncoder().encode('{not json')]);
    await s.publish(['c']);
    const out = toArray<string>();
    const handle = pipeline(fromJetStream<string>({ servers: url, stream: s.name, bounded: true }))
      .to(out)
      .run();
    await handle.done;
    expect(out.records).toEqual(['a', 'c']);
    const [letter] = handle.deadLetters();
    expect(letter).toMatchObject({ reason: 'malformed', record: '{not json' });
    expect(letter?.error).toBeInstanceOf(MalformedMessageError);
    expect(letter?.error).toMatchObject({ stream: s.name, sequence: 2, subject: `${s.subject}.in` });
  });

  it('gives a decoder the payload and where the message is', async () => {
    const s = await stream('decode', ['x']);
    const source = fromJetStream({
      servers: url,
      stream: s.name,
      bounded: true,
      decode: (data, info) => ({ text: new TextDecoder().decode(data), sequence: info.sequence, subject: info.subject, stream: info.stream }),
    });
    expect(await readAll(source.read())).toEqual([[1, { text: '"x"', sequence: 1, subject: `${s.subject}.in`, stream: s.name }]]);
  });

  it('fails a read of a stream that does not exist, naming `stream`', async () => {
    await expect(readAll(fromJetStream({ servers: url, stream: 'NO_SUCH_STREAM_42' }).read())).rejects.toThrow(/`stream`/);
  });

  it('refuses to resume after messages the stream no longer holds, unless told to skip them', async () => {
    const s = await stream('truncated', ['a', 'b', 'c', 'd']);
    await s.jsm.streams.purge(s.name, { seq: 4 });
    const source = fromJetStream<string>({ servers: url, stream: s.name, bounded: true });
    const failure = await readAll(source.read(1)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(JetStreamTruncatedError);
    expect(failure).toMatchObject({ stream: s.name, after: 1, firstSequence: 4 });
    const skipping = fromJetStream<string>({ servers: url, stream: s.name, bounded: true, allowTruncation: true });
    expect(await readAll(skipping.read(1))).toEqual([[4, 'd']]);
  });
});
