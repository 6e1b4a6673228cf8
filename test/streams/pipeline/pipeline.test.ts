import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  InvalidKeyError,
  InvalidOptionError,
  fromArray,
  fromFileLines,
  fromGenerator,
  fromIterable,
  fromJsonLines,
  pipeline,
  toArray,
  toCallback,
  type Keyed,
  type PipelineDeadLetter,
} from '../../../src/index.js';
import { controlledSource } from './controlled-source.js';

describe('pipeline', () => {
  describe('backpressure', () => {
    it('never reads the source more than the bounded buffers ahead of a slow sink, and loses nothing', async () => {
      let read = 0;
      let written = 0;
      let maxAhead = 0;
      const source = fromGenerator(function* (from) {
        for (let i = from; i < 2_000; i++) {
          read++;
          maxAhead = Math.max(maxAhead, read - written);
          yield i;
        }
      });
      const seen: number[] = [];
      const result = await pipeline(source)
        .keyBy((n) => n % 5, { partitions: 2 })
        .reduce(
          (count: number) => count + 1,
          () => 0,
        )
        .to(
          toCallback(async ({ value }) => {
            await new Promise<void>((resolve) => setImmediate(resolve)); // a slow sink: one turn per record
            written++;
            seen.push(value);
          }),
        )
        .run({ batchSize: 4, mailboxBatches: 2 }).done;
      expect(result).toMatchObject({ recordsRead: 2_000, recordsWritten: 2_000, deadLetters: 0 });
      expect(seen).toHaveLength(2_000);
      // Source batcher + 2 partitions × 2 batches + sink's 2 batches, each of 4, plus one batch in
      // flight per sender: the source's and each partition's waiting for room, the sink's being written.
      expect(maxAhead).toBeLessThanOrEqual(4 * (1 + 2 * 2 + 2) + (1 + 2 + 1) * 4 + 1);
    });
  });

  describe('dead letters', () => {
    it('dead-letters a record whose function keeps throwing, with its stage and error, and goes on', async () => {
      const out = toArray<number>();
      const letters = toArray<PipelineDeadLetter>();
      let attempts = 0;
      const handle = pipeline(fromArray([1, 2, 3, 4]))
        .map((n) => {
          if (n === 3) {
            attempts++;
            throw new Error('three is bad');
          }
          return n * 10;
        }, 'times-ten')
        .to(out)
        .run({ retries: 2, deadLetters: letters });
      const result = await handle.done;
      expect(out.records).toEqual([10, 20, 40]);
      expect(attempts).toBe(3);
      expect(result.deadLetters).toBe(1);
      expect(letters.records).toHaveLength(1);
      expect(letters.records[0]).toMatchObject({ reason: 'operator-failed', stage: 'times-ten', record: 3 });
      expect(handle.deadLetters()).toEqual(letters.records);
    });

    it('dead-letters a record whose keyed function throws, keeping the key’s state', async () => {
      const out = toArray<{ key: string; value: number }>();
      const handle = pipeline(fromArray(['a', 'a', 'boom', 'a']))
        .keyBy((word) => (word === 'boom' ? 'a' : word), { partitions: 2 })
        .reduce(
          (count: number, word) => {
            if (word === 'boom') throw new Error('bad word');
            return count + 1;
          },
          () => 0,
          { emit: 'final', name: 'count' },
        )
        .to(out)
        .run({ retries: 0 });
      await handle.done;
      expect(out.records).toEqual([{ key: 'a', value: 3 }]);
      expect(handle.deadLetters()).toMatchObject([{ reason: 'operator-failed', stage: 'count', record: 'boom' }]);
    });

    it('dead-letters a record whose key cannot be partitioned', async () => {
      const handle = pipeline(fromArray([{ id: 'x' }, { id: { nested: true } }]))
        .keyBy((r) => r.id as string, { partitions: 2 })
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(toArray())
        .run();
      const result = await handle.done;
      expect(result.deadLetters).toBe(1);
      const [letter] = handle.deadLetters();
      expect(letter?.reason).toBe('invalid-key');
      expect(letter?.error).toBeInstanceOf(InvalidKeyError);
    });

    it('tries a key function that throws again, as every user function, and dead-letters the record once every try threw', async () => {
      const calls = new Map<string, number>();
      const handle = pipeline(fromArray(['flaky', 'broken', 'fine']))
        .keyBy(
          (word) => {
            const call = (calls.get(word) ?? 0) + 1;
            calls.set(word, call);
            if (word === 'broken' || (word === 'flaky' && call <= 2)) throw new Error(`no key for ${word} yet`);
            return word;
          },
          { partitions: 2 },
        )
        .reduce(
          (n: number) => n + 1,
          () => 0,
          { emit: 'final' },
        )
        .to(toArray())
        .run({ retries: 2 });
      const result = await handle.done;
      // Two throws then a key: counted. Three throws (1 + retries): dead-lettered.
      expect(Object.fromEntries(calls)).toEqual({ flaky: 3, broken: 3, fine: 1 });
      expect(result.deadLetters).toBe(1);
      expect(handle.deadLetters()).toMatchObject([{ reason: 'operator-failed', stage: 'reduce.keyBy', record: 'broken' }]);
    });

    it('does not try a key that cannot be partitioned again', async () => {
      let calls = 0;
      const handle = pipeline(fromArray([{ id: { nested: true } }]))
        .keyBy(
          (r) => {
            calls++;
            return r.id as never;
          },
          { partitions: 2 },
        )
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(toArray())
        .run({ retries: 5 });
      await handle.done;
      expect(calls).toBe(1);
      expect(handle.deadLetters()).toMatchObject([{ reason: 'invalid-key' }]);
    });

    it('dead-letters a malformed JSON line with its line number', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sluice-pipeline-'));
      try {
        const path = join(dir, 'in.jsonl');
        await writeFile(path, '{"n":1}\n{"n":\n{"n":3}\n');
        const out = toArray<number>();
        const handle = pipeline(fromJsonLines<{ n: number }>(path))
          .map((r) => r.n)
          .to(out)
          .run();
        await handle.done;
        expect(out.records).toEqual([1, 3]);
        expect(handle.deadLetters()).toMatchObject([{ reason: 'malformed', record: '{"n":', line: 2 }]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('stop', () => {
    it('stops reading an endless source, drains what was read, and reports stopped', async () => {
      const out = toArray<Keyed<number, number>>();
      const handle = pipeline(
        fromGenerator(function* (from) {
          for (let i = from; ; i++) yield i;
        }),
      )
        .keyBy((n) => n % 3, { partitions: 3 })
        .reduce(
          (count: number) => count + 1,
          () => 0,
          { emit: 'final' },
        )
        .to(out)
        .run({ batchSize: 8 });
      await new Promise<void>((resolve) => setImmediate(resolve));
      const result = await handle.stop();
      expect(result.stopped).toBe(true);
      expect(result.recordsRead).toBeGreaterThan(0);
      expect(out.records.reduce((sum, { value }) => sum + value, 0)).toBe(result.recordsRead);
    });

    it('stops while the source is waiting for its next record, and ends the source', async () => {
      const source = controlledSource<string>();
      const out = toArray<Keyed<string, number>>();
      const handle = pipeline(source)
        .keyBy((w) => w, { partitions: 2 })
        .reduce(
          (count: number) => count + 1,
          () => 0,
          { emit: 'final' },
        )
        .to(out)
        .run({ batchSize: 1 });
      source.push('a', 'b', 'a');
      while (handle.metrics().operators[0]?.recordsIn !== 3) await new Promise<void>((resolve) => setImmediate(resolve));
      // Nothing more comes: the driver is waiting on the source when the stop arrives.
      const result = await handle.stop();
      expect(result).toMatchObject({ stopped: true, recordsRead: 3 });
      expect(new Map(out.records.map((r) => [r.key, r.value]))).toEqual(
        new Map([
          ['a', 2],
          ['b', 1],
        ]),
      );
      expect(source.returned).toBe(true);
    });

    it('stops on an aborted signal', async () => {
      const controller = new AbortController();
      controller.abort();
      const result = await pipeline(fromArray([1, 2, 3]))
        .to(toArray())
        .run({ signal: controller.signal }).done;
      expect(result.stopped).toBe(true);
      expect(result.recordsRead).toBeLessThanOrEqual(1);
    });
  });

  describe('metrics', () => {
    it('counts records in and out per operator and reports every mailbox', async () => {
      const handle = pipeline(fromArray(['a', 'b', 'a']))
        .keyBy((w) => w, { partitions: 2 })
        .reduce(
          (n: number) => n + 1,
          () => 0,
          { emit: 'final', name: 'count' },
        )
        .to(toArray())
        .run({ name: 'words' });
      await handle.done;
      const metrics = handle.metrics();
      expect(metrics.operators).toEqual([
        { name: 'source:array', recordsIn: 3, recordsOut: 3 },
        { name: 'count', recordsIn: 3, recordsOut: 2 },
        { name: 'sink:array', recordsIn: 2, recordsOut: 2 },
      ]);
      expect(Object.keys(metrics.mailboxes).sort()).toEqual(['/user/words/count-0-partition-0', '/user/words/count-0-partition-1', '/user/words/sink']);
    });
  });

  describe('validation', () => {
    it('rejects a partition count outside [1, maxParallelism] at build time, naming it', () => {
      const stream = pipeline(fromArray([1]));
      expect(() => stream.keyBy((n) => n, { partitions: 0 })).toThrow('`partitions`');
      expect(() => stream.keyBy((n) => n, { partitions: 200 })).toThrow('`partitions`');
    });

    it('rejects something that is not a source or a sink, naming it', () => {
      expect(() => pipeline({} as never)).toThrow('`source`');
      expect(() => pipeline(fromArray([1])).to({} as never)).toThrow('`sink`');
    });

    it('rejects invalid run options, naming them', () => {
      const built = pipeline(fromArray([1])).to(toArray());
      expect(() => built.run({ batchSize: 0 })).toThrow(InvalidOptionError);
      expect(() => built.run({ batchSize: 0 })).toThrow('`batchSize`');
      expect(() => built.run({ name: 'a/b' })).toThrow('`name`');
    });

    it('fails the run when the sink fails, with the sink’s error', async () => {
      const error = new Error('disk full');
      const done = pipeline(fromArray([1, 2]))
        .to(
          toCallback(() => {
            throw error;
          }),
        )
        .run().done;
      await expect(done).rejects.toBe(error);
    });
  });
});

describe('pipeline with chaos', () => {
  it('restarts crashing partitions and still counts every record exactly once', async () => {
    const words = Array.from({ length: 600 }, (_, i) => `w${i % 37}`);
    const out = toArray<Keyed<string, number>>();
    const handle = pipeline(fromArray(words))
      .keyBy((w) => w, { partitions: 3 })
      .reduce(
        (n: number) => n + 1,
        () => 0,
        { emit: 'final' },
      )
      .to(out)
      .run({ batchSize: 5, chaos: { crashRate: 0.05, seed: 7 } });
    await handle.done;
    expect(handle.metrics().restarts).toBeGreaterThan(0);
    const expected = new Map<string, number>();
    for (const w of words) expected.set(w, (expected.get(w) ?? 0) + 1);
    expect(new Map(out.records.map(({ key, value }) => [key, value]))).toEqual(expected);
  });
});

describe('pipeline with planned crashes', () => {
  it('asks crashAt at every record and marker of every partition, and crashes where it says', async () => {
    const asked: string[] = [];
    const out = toArray<Keyed<string, number>>();
    const handle = pipeline(fromArray(['a', 'a', 'a', 'b']))
      .keyBy((w) => w, { partitions: 2, maxParallelism: 2 })
      .reduce(
        (n: number) => n + 1,
        () => 0,
        { emit: 'final', name: 'count' },
      )
      .to(out)
      .run({
        batchSize: 4,
        crashAt: (target, ordinal) => {
          asked.push(`${target.actor} ${target.operator} ${target.stage}/${target.stages} ${target.partition}/${target.partitions} #${ordinal}`);
          return target.partition === 0 && ordinal === 2;
        },
      });
    await handle.done;
    expect(handle.metrics().restarts).toBe(1);
    expect(new Map(out.records.map(({ key, value }) => [key, value]))).toEqual(
      new Map([
        ['a', 3],
        ['b', 1],
      ]),
    );
    expect(asked).toContain('count-0-partition-0 count 0/1 0/2 #2');
    // The batch that failed is taken again: its records are asked about again, with new ordinals.
    expect(asked.filter((line) => line.startsWith('count-0-partition-0')).length).toBeGreaterThan(
      asked.filter((line) => line.startsWith('count-0-partition-1')).length,
    );
  });

  it('rejects a crashAt or a system that is not a function, naming it', () => {
    expect(() =>
      pipeline(fromArray([1]))
        .to(toArray())
        .run({ crashAt: 1 as never }),
    ).toThrow('`crashAt`');
    expect(() =>
      pipeline(fromArray([1]))
        .to(toArray())
        .run({ system: {} as never }),
    ).toThrow('`system`');
  });
});

describe('pipeline linger', () => {
  it('sends a partly filled batch on while the source waits for more', async () => {
    let releaseSource!: () => void;
    const sourceWaits = new Promise<void>((resolve) => (releaseSource = resolve));
    let sawThree!: () => void;
    const threeArrived = new Promise<void>((resolve) => (sawThree = resolve));
    async function* trickle() {
      yield 1;
      yield 2;
      yield 3;
      await sourceWaits; // the source goes quiet with three records in a batch of 100
      yield 4;
    }
    const seen: number[] = [];
    const done = pipeline(fromIterable(trickle()))
      .to(
        toCallback((n: number) => {
          seen.push(n);
          if (seen.length === 3) sawThree();
        }),
      )
      .run({ batchSize: 100, lingerMs: 1 }).done;
    await threeArrived;
    expect(seen).toEqual([1, 2, 3]);
    releaseSource();
    await done;
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('rejects a negative linger, naming it', () => {
    expect(() =>
      pipeline(fromArray([1]))
        .to(toArray())
        .run({ lingerMs: -1 }),
    ).toThrow('`lingerMs`');
  });
});

describe('pipeline range partitioning', () => {
  it('sends each key to the partition of its range', async () => {
    const handle = pipeline(fromArray([5, 15, 25, 7]))
      .keyBy((n) => n, { boundaries: [10, 20] })
      .reduce(
        (count: number) => count + 1,
        () => 0,
        { emit: 'final', name: 'bucket' },
      )
      .to(toArray())
      .run({ name: 'ranges' });
    await handle.done;
    const inboxes = handle.metrics().mailboxes;
    expect(Object.keys(inboxes).filter((path) => path.includes('bucket-0-partition-'))).toHaveLength(3);
    expect(handle.metrics().operators.find((o) => o.name === 'bucket')).toEqual({ name: 'bucket', recordsIn: 4, recordsOut: 4 });
  });

  it('dead-letters a key of another type than the boundaries', async () => {
    const handle = pipeline(fromArray<number | string>([1, 'one']))
      .keyBy((k) => k, { boundaries: [10] })
      .reduce(
        (n: number) => n + 1,
        () => 0,
      )
      .to(toArray())
      .run();
    const result = await handle.done;
    expect(result.deadLetters).toBe(1);
    expect(handle.deadLetters()[0]).toMatchObject({ reason: 'invalid-key', record: 'one' });
  });

  it('rejects unsorted boundaries at build time, naming them', () => {
    expect(() => pipeline(fromArray([1])).keyBy((n) => n, { boundaries: [3, 1] })).toThrow('`boundaries`');
  });
});

describe('pipeline failures', () => {
  it('rejects done with the source’s error and leaves nothing running', async () => {
    const done = pipeline(fromFileLines('/nonexistent/sluice/input.txt'))
      .keyBy((line) => line, { partitions: 2 })
      .reduce(
        (n: number) => n + 1,
        () => 0,
      )
      .to(toArray())
      .run().done;
    await expect(done).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
