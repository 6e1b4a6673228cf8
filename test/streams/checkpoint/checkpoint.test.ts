import { mkdtemp, readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CheckpointUnusableError,
  DroppedStateError,
  InvalidOptionError,
  fromArray,
  fromGenerator,
  fromIterable,
  pipeline,
  toArray,
  toJsonLinesFile,
  toCallback,
  tumbling,
  type PipelineHandle,
  type Sink,
  type WindowResult,
} from '../../../src/index.js';
import { countWords as countWordsJob, expectExactlyOnce } from './word-count-job.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-checkpoint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const words = Array.from({ length: 3_000 }, (_, i) => `w${(i * 7) % 41}`);

const countWords = (partitions: number, stopAfter = Infinity) => countWordsJob({ input: words, dir, partitions, stopAfter });

describe('pipeline checkpoints', () => {
  it('stops with a checkpoint and resumes from it: state, source offset and output, exactly once', async () => {
    const out = join(dir, 'out.jsonl');
    const first = await countWords(2, 1_000).done;
    expect(first).toMatchObject({ stopped: true, recordsRead: 1_000, checkpoints: 1, resumedFrom: undefined });
    // A stopped job is not complete: nothing is visible in the output file yet.
    await expect(readFile(out, 'utf8')).rejects.toThrow();

    const second = await countWords(2).done;
    expect(second).toMatchObject({ stopped: false, recordsRead: 2_000, resumedFrom: 1, alreadyComplete: false });
    await expectExactlyOnce(dir, words);
  });

  it('redistributes state by key when the partition count changes: 1 → 4 → 3', async () => {
    await countWords(1, 700).done;
    // Each run counts from where it resumed: this one stops 700 words further on.
    const middle = await countWords(4, 700).done;
    expect(middle).toMatchObject({ resumedFrom: 1, recordsRead: 700 });
    const last = await countWords(3).done;
    expect(last).toMatchObject({ resumedFrom: 2, recordsRead: 3_000 - 1_400 });
    await expectExactlyOnce(dir, words);
  });

  it('says a completed job is complete, and leaves its output alone', async () => {
    const out = join(dir, 'out.jsonl');
    // The job's last checkpoint, taken at the end of input, counts among the run's.
    expect(await countWords(2).done).toMatchObject({ checkpoints: 1, alreadyComplete: false });
    const before = await readFile(out, 'utf8');
    const again = await countWords(3).done;
    expect(again).toMatchObject({ alreadyComplete: true, resumedFrom: 1, recordsRead: 0 });
    expect(await readFile(out, 'utf8')).toBe(before);
  });

  it('keeps going under injected crashes with a checkpoint asked for every millisecond', async () => {
    const input = Array.from({ length: 20_000 }, (_, i) => `w${(i * 7) % 41}`);
    let seen = 0;
    let handle: PipelineHandle | undefined;
    // One checkpoint at a time: requests made while one is under way wait for it, so what a
    // partition holds back while aligning never piles up into turns too long to get through.
    handle = pipeline(fromArray(input))
      .tap(() => {
        if (++seen % 50 === 0) void handle?.checkpoint();
      })
      .keyBy((word) => word, { partitions: 3 })
      .reduce(
        (n: number) => n + 1,
        () => 0,
      )
      .to(toJsonLinesFile(join(dir, 'out.jsonl')))
      .run({ checkpoint: { dir: join(dir, 'checkpoints'), interval: 1 }, batchSize: 8, maxRestarts: Infinity, chaos: { crashRate: 0.01, seed: 6 } });
    const result = await handle.done;
    expect(result.checkpoints).toBeGreaterThan(1);
    expect(handle.metrics().restarts).toBeGreaterThan(0);
    await expectExactlyOnce(dir, input);
  });

  it('takes a checkpoint asked for while another is under way once that one completes', async () => {
    // The sink holds the first checkpoint open in its pre-commit: it is under way until the gate opens.
    let openGate = (): void => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let underWay = (): void => {};
    const firstUnderWay = new Promise<void>((resolve) => {
      underWay = resolve;
    });
    const source = fromGenerator(function* (from: number) {
      for (let i = from; ; i++) yield `w${i % 7}`;
    });
    const sink: Sink<unknown> = {
      name: 'held',
      write: () => undefined,
      async preCommit(id) {
        if (id !== 1) return null;
        underWay();
        await gate;
        return null;
      },
    };
    const handle = pipeline(source)
      .keyBy((word) => word, { partitions: 2 })
      .reduce(
        (n: number) => n + 1,
        () => 0,
      )
      .to(sink)
      .run({ checkpoint: { dir: join(dir, 'checkpoints'), interval: Infinity }, batchSize: 8 });
    const first = handle.checkpoint();
    await firstUnderWay;
    const second = handle.checkpoint();
    openGate();
    expect(await first).toBe(1);
    // `checkpoint()` resolves with the next one to complete, which may have begun before it asked.
    expect(await second).toBe(1);
    // The request still stands: once the first is over, a second one is taken, with no other ask.
    while ((handle.metrics().checkpoints?.completed ?? 0) < 2) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(handle.metrics().checkpoints?.lastId).toBe(2);
    await handle.stop();
  });

  it('fails the run when a checkpoint cannot be written, with more asked for meanwhile', async () => {
    const folder = join(dir, 'checkpoints');
    const source = fromGenerator(function* (from: number) {
      for (let i = from; ; i++) yield `w${i % 7}`;
    });
    const handle = pipeline(source)
      .keyBy((word) => word, { partitions: 2 })
      .reduce(
        (n: number) => n + 1,
        () => 0,
        { emit: 'final' },
      )
      .to(toCallback(() => undefined))
      // A checkpoint asked for every millisecond: some requests wait behind the one that fails.
      .run({ checkpoint: { dir: folder, interval: 1 }, batchSize: 8 });
    await handle.checkpoint();
    // A file where the folder was: the next checkpoint's writes fail. The folder is moved away, not
    // deleted: a checkpoint may be writing into it (one is asked for every millisecond), and
    // deleting a folder that something writes into fails now and then with ENOTEMPTY.
    // A checkpoint under way may make the folder again between the move and the write: then it is
    // moved away once more, until the file holds its place.
    for (let moves = 0; ; moves++) {
      await rename(folder, `${folder}-moved-${moves}`);
      try {
        await writeFile(folder, 'not a folder', { flag: 'wx' });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' && (error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
      }
    }
    await expect(handle.done).rejects.toThrow();
  });

  it('settles a failed run only once its checkpoint writes ended: a resume started at once reads a consistent folder', async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const runDir = join(dir, `attempt-${attempt}`);
      const input = Array.from({ length: 400 }, (_, i) => `w${i % 37}`);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      // Fails as soon as it is asked for more after the gate opens: while a checkpoint it was
      // asked for is being written (snapshots on their way to disk, the sink pre-committing).
      const failing = fromGenerator(async function* (from: number) {
        for (let i = from; i < input.length; i++) yield input[i] as string;
        await gate;
        throw new Error('the source broke');
      });
      const first = countWordsJob({ input, dir: runDir, partitions: 3, source: failing });
      const asked = first.checkpoint().catch(() => undefined);
      release();
      await expect(first.done).rejects.toThrow('the source broke');
      await asked;
      const resumed = await countWordsJob({ input, dir: runDir, partitions: 3 }).done;
      expect(resumed.alreadyComplete).toBe(false);
      await expectExactlyOnce(runDir, input);
    }
  });

  it('takes a checkpoint on demand and reports it in the metrics', async () => {
    const handle = countWords(2);
    const id = await handle.checkpoint();
    expect(id).toBe(1);
    expect(handle.metrics().checkpoints).toMatchObject({ completed: 1, lastId: 1 });
    expect(handle.metrics().checkpoints?.lastBytes).toBeGreaterThan(0);
    await handle.done;
  });

  interface TimedEvent {
    readonly key: string;
    readonly ts: number;
  }
  type WindowSink = ReturnType<typeof toArray<WindowResult<string, number>>>;

  /** Counts `events` per key in 1-second tumbling windows, checkpointing into `folder`; stops itself after `stopAfter`. */
  const countWindows = (events: readonly TimedEvent[], run: { partitions: number; folder: string; stopAfter?: number }, out: WindowSink): PipelineHandle => {
    let seen = 0;
    let handle: PipelineHandle | undefined;
    handle = pipeline(fromArray(events))
      .tap(() => {
        if (++seen === run.stopAfter) void handle?.stop();
      })
      .withTimestamps((e) => e.ts, { maxOutOfOrdernessMs: 0 })
      .keyBy((e) => e.key, { partitions: run.partitions })
      .window(tumbling(1_000))
      .reduce(
        (n: number) => n + 1,
        () => 0,
      )
      .to(out)
      .run({ checkpoint: { dir: join(dir, run.folder), interval: Infinity }, batchSize: 8 });
    return handle;
  };
  /** Each window's last firing: toArray is not transactional, so windows that fired before a stop may come again after it. */
  const lastFirings = (records: readonly WindowResult<string, number>[]) => new Map(records.map((r) => [`${r.key}@${r.window.start}`, r.value]));

  it('carries event-time windows across a stop and a resume', async () => {
    const events = Array.from({ length: 600 }, (_, i) => ({ key: `k${i % 5}`, ts: i * 10 }));
    const before = toArray<WindowResult<string, number>>();
    await countWindows(events, { partitions: 2, folder: 'checkpoints', stopAfter: 333 }, before).done;
    const after = toArray<WindowResult<string, number>>();
    await countWindows(events, { partitions: 2, folder: 'checkpoints' }, after).done;
    // Every window's last firing counts all 20 of its key's records.
    const last = lastFirings([...before.records, ...after.records]);
    expect(last.size).toBe(5 * 6);
    for (const value of last.values()) expect(value).toBe(20);
  });

  it('keeps event time across a resume: a record too late before the stop is too late after it, whatever the partition count', async () => {
    // Two windows' worth in order, then one record for the first window, long expired, then more.
    const events = [
      ...Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 3}`, ts: i * 10 })),
      { key: 'k0', ts: 500 },
      ...Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 3}`, ts: 2_000 + i * 10 })),
    ];
    const whole = toArray<WindowResult<string, number>>();
    const uninterrupted = await countWindows(events, { partitions: 2, folder: 'uninterrupted' }, whole).done;
    expect(uninterrupted.lateRecords).toBe(1);
    for (const resumeWith of [2, 3]) {
      const folder = `resumed-with-${resumeWith}`;
      const before = toArray<WindowResult<string, number>>();
      // Stopped right before the late record: it is the first one the resumed run reads.
      const first = await countWindows(events, { partitions: 2, folder, stopAfter: 200 }, before).done;
      const after = toArray<WindowResult<string, number>>();
      const second = await countWindows(events, { partitions: resumeWith, folder }, after).done;
      // The first window had fired before the stop; the record for it is late after the resume too.
      expect(first.lateRecords + second.lateRecords).toBe(1);
      expect(lastFirings([...before.records, ...after.records])).toEqual(lastFirings(whole.records));
    }
  });

  describe('damaged checkpoints', () => {
    async function twoCheckpoints(): Promise<{ newest: string }> {
      await countWords(2, 800).done;
      await countWords(2, 1_600).done;
      const folders = (await readdir(join(dir, 'checkpoints'))).sort();
      expect(folders).toHaveLength(2);
      return { newest: join(dir, 'checkpoints', folders[1] as string) };
    }

    for (const [damage, harm] of [
      ['a truncated snapshot file', (folder: string) => truncate(join(folder, 's0-p1.snap'), 40)],
      ['a flipped byte in a snapshot file', (folder: string) => flipByte(join(folder, 's0-p0.snap'))],
      ['a missing snapshot file', (folder: string) => rm(join(folder, 's0-p0.snap'))],
      ['a flipped byte in the manifest', (folder: string) => flipByte(join(folder, 'manifest'))],
    ] as const) {
      it(`falls back to the previous checkpoint past ${damage}`, async () => {
        const { newest } = await twoCheckpoints();
        await harm(newest);
        const result = await countWords(3).done;
        expect(result.resumedFrom).toBe(1);
        expect(result.skippedCheckpoints).toHaveLength(1);
        expect(result.skippedCheckpoints[0]?.id).toBe(2);
        await expectExactlyOnce(dir, words);
      });
    }

    it('refuses to start over when no checkpoint is usable', async () => {
      await countWords(2, 800).done;
      const [only] = await readdir(join(dir, 'checkpoints'));
      await flipByte(join(dir, 'checkpoints', only as string, 'manifest'));
      await expect(countWords(2).done).rejects.toThrow(CheckpointUnusableError);
    });
  });

  describe('options', () => {
    it('needs a source that can be read again from an offset', () => {
      const once = pipeline(fromIterable(['a'])).to(toArray());
      expect(() => once.run({ checkpoint: { dir } })).toThrow(InvalidOptionError);
    });

    it('names the option that is wrong', () => {
      const job = pipeline(fromArray(['a'])).to(toArray());
      expect(() => job.run({ checkpoint: { dir: '' } })).toThrow(/checkpoint\.dir/);
      expect(() => job.run({ checkpoint: { dir, interval: 0 } })).toThrow(/checkpoint\.interval/);
      expect(() => job.run({ checkpoint: { dir, keep: 0 } })).toThrow(/checkpoint\.keep/);
    });

    it('refuses another pipeline’s checkpoints', async () => {
      await countWords(2, 500).done;
      const other = pipeline(fromArray(words))
        .keyBy((w) => w, { partitions: 2 })
        .reduce(
          (n: number) => n + 1,
          () => 0,
          { name: 'another' },
        )
        .to(toArray())
        .run({ checkpoint: { dir: join(dir, 'checkpoints') } });
      await expect(other.done).rejects.toThrow(DroppedStateError);
      await expect(other.done).rejects.toThrow(/stage reduce, which this pipeline does not have \(the checkpoint's stages: reduce; the pipeline's: another\)/);
    });

    it('rejects checkpoint() on a run without checkpoints', async () => {
      const handle = pipeline(fromArray(['a']))
        .to(toArray())
        .run();
      await expect(handle.checkpoint()).rejects.toThrow(InvalidOptionError);
      await handle.done;
    });
  });
});

async function flipByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] as number) ^ 0xff;
  await writeFile(path, bytes);
}
