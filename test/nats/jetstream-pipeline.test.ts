import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromJetStream } from '../../src/nats/from-jetstream.js';
import { toJetStream, type JetStreamSink } from '../../src/nats/to-jetstream.js';
import { pipeline, type CrashPlan, type Keyed, type PipelineHandle, type Sink } from '../../src/index.js';
import { checkNats } from '../helpers/services.js';
import { testStream, type TestStream } from './jetstream-fixtures.js';

const nats = await checkNats();
const url = nats.url as string;

let dir = '';
let streams: TestStream[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-jetstream-'));
});
afterEach(async () => {
  await Promise.all(streams.map((s) => s.remove()));
  streams = [];
  await rm(dir, { recursive: true, force: true });
});
async function stream(label: string): Promise<TestStream> {
  const made = await testStream(url, label);
  streams.push(made);
  return made;
}

const words = Array.from({ length: 4_000 }, (_, i) => `w${(i * 7) % 37}`);

interface CountRun {
  readonly input: TestStream;
  readonly sink: Sink<Keyed<string, number>>;
  readonly partitions: number;
  readonly crashAt?: CrashPlan | undefined;
  readonly bounded?: boolean | undefined;
  /** Told how many words the run has read, after each. */
  readonly onWord?: ((seen: number) => void) | undefined;
}

/** Running word counts from the input stream into `sink`, with a checkpoint asked for every 500 words. */
function countWords({ input, sink, partitions, crashAt, bounded = true, onWord }: CountRun): PipelineHandle {
  let seen = 0;
  let handle: PipelineHandle | undefined;
  handle = pipeline(fromJetStream<string>({ servers: url, stream: input.name, bounded, batch: 64 }))
    .tap(() => {
      // A request that comes as the job ends is refused; the next one is taken anyway.
      if (++seen % 500 === 0) handle?.checkpoint().catch(() => undefined);
      onWord?.(seen);
    })
    .keyBy((word) => word, { partitions })
    .reduce(
      (n: number) => n + 1,
      () => 0,
    )
    .to(sink)
    .run({ checkpoint: { dir: join(dir, 'checkpoints'), interval: Infinity }, batchSize: 32, ...(crashAt === undefined ? {} : { crashAt }) });
  return handle;
}

const counts = (output: TestStream): JetStreamSink<Keyed<string, number>> => toJetStream({ servers: url, subject: `${output.subject}.counts` });

/** `inner`, until `arm()` is called and it has written `after` more records: then it throws, as a process that dies. */
function dyingAfter<T>(inner: Sink<T>, after: number): { sink: Sink<T>; arm(): void } {
  let written = -Infinity;
  return {
    sink: {
      ...inner,
      name: inner.name,
      async write(records, origin) {
        await inner.write(records, origin);
        if ((written += records.length) >= after) throw new Error('the process died');
      },
    },
    arm: () => {
      written = 0;
    },
  };
}

/**
 * Runs the word count over the input stream's first half, following the stream; once a
 * checkpoint has taken all of it in, publishes the second half: the sink dies `after` records into
 * it, between two checkpoints.
 */
async function dyingRun(run: Omit<CountRun, 'sink' | 'bounded' | 'onWord'>, output: TestStream, after: number): Promise<void> {
  const half = words.length / 2;
  await run.input.publish(words.slice(0, half));
  let readHalf = (): void => undefined;
  const halfRead = new Promise<void>((resolve) => {
    readHalf = resolve;
  });
  const dying = dyingAfter(counts(output), after);
  const handle = countWords({ ...run, sink: dying.sink, bounded: false, onWord: (seen) => seen === half && readHalf() });
  await Promise.race([halfRead, handle.done.then(() => Promise.reject(new Error('the run ended before it read the first half')))]);
  // `checkpoint()` resolves with the next checkpoint to complete, which may have begun earlier: the
  // second begins after the whole half was read, and the sink pre-committed all it wrote for it.
  await handle.checkpoint();
  await handle.checkpoint();
  dying.arm();
  await run.input.publish(words.slice(half));
  await expect(handle.done).rejects.toThrow('the process died');
}

/** The updates in the output stream, per key. */
async function updates(output: TestStream): Promise<Map<string, number[]>> {
  const perKey = new Map<string, number[]>();
  for (const { text } of await output.messages()) {
    const { key, value } = JSON.parse(text) as Keyed<string, number>;
    perKey.set(key, [...(perKey.get(key) ?? []), value]);
  }
  return perKey;
}

function totals(input: readonly string[]): Map<string, number> {
  const found = new Map<string, number>();
  for (const word of input) found.set(word, (found.get(word) ?? 0) + 1);
  return found;
}

/** Waits, a turn of the event loop at a time, until no more sockets and timers are open than `baseline` had. */
async function untilReleased(baseline: readonly string[]): Promise<void> {
  const count = (resources: readonly string[]): number => resources.filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
  for (let turn = 0; turn < 100_000 && count(process.getActiveResourcesInfo()) > count(baseline); turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(count(process.getActiveResourcesInfo())).toBeLessThanOrEqual(count(baseline));
}

describe.skipIf(nats.url === undefined)('fromJetStream → keyBy → toJetStream, checkpointed', () => {
  it('writes every update exactly once into the output stream when a run dies between checkpoints and the next resumes', async () => {
    const input = await stream('in');
    const output = await stream('out');

    const baseline = process.getActiveResourcesInfo();
    // Partition actors crash too, now and then, and are restarted from their snapshots.
    const crashAt: CrashPlan = (target, ordinal) => target.partition === 1 && ordinal % 400 === 0;
    await dyingRun({ input, partitions: 3, crashAt }, output, 300);
    await untilReleased(baseline);

    const resumedSink = counts(output);
    const second = await countWords({ input, sink: resumedSink, partitions: 3 }).done;
    expect(second.resumedFrom).toBeGreaterThan(0);
    // What the first run wrote after its last checkpoint was written again, and dropped.
    expect(resumedSink.stats().duplicates).toBeGreaterThan(0);

    const perKey = await updates(output);
    for (const [key, total] of totals(words)) expect(perKey.get(key), key).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(perKey.size).toBe(totals(words).size);
    await untilReleased(baseline);
  });

  it('loses nothing when the resume changes the partition count: what came after the checkpoint may come twice', async () => {
    const input = await stream('in');
    const output = await stream('out');

    await dyingRun({ input, partitions: 3 }, output, 200);
    await countWords({ input, sink: counts(output), partitions: 2 }).done;

    const perKey = await updates(output);
    for (const [key, total] of totals(words)) {
      const seen = perKey.get(key) ?? [];
      expect(new Set(seen), key).toEqual(new Set(Array.from({ length: total }, (_, i) => i + 1)));
    }
  });

  it('closes its connections, consumer and timers when a tailing run is stopped', async () => {
    const input = await stream('in');
    const output = await stream('out');
    await input.publish(words.slice(0, 100));
    const baseline = process.getActiveResourcesInfo();

    const sink = toJetStream<string>({ servers: url, subject: `${output.subject}.words` });
    let handle: PipelineHandle | undefined;
    let seen = 0;
    const stopped = new Promise<void>((resolve) => {
      handle = pipeline(fromJetStream<string>({ servers: url, stream: input.name }))
        .tap(() => {
          if (++seen === 100) resolve();
        })
        .to(sink)
        .run({ checkpoint: { dir: join(dir, 'checkpoints'), interval: Infinity } });
    });
    await stopped;
    // The source now waits for messages that never come.
    const result = await (handle as PipelineHandle).stop();
    expect(result).toMatchObject({ stopped: true, recordsRead: 100 });
    await untilReleased(baseline);
    expect(sink.stats().stored).toBe(100);
    expect(await input.jsm.consumers.list(input.name).next()).toEqual([]);
  });
});
