import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DroppedStateError,
  InvalidOptionError,
  MemoryCheckpointStorage,
  fromArray,
  fromGenerator,
  pipeline,
  toArray,
  toJsonLinesFile,
  tumbling,
  type ArraySink,
  type CheckpointOptions,
  type Keyed,
  type PipelineHandle,
  type WindowResult,
} from '../../../src/index.js';
import { guardHost, nextMacrotask } from '../../helpers/host-guard.js';
import { refusedOption } from '../../helpers/refused-option.js';
import { expectExactlyOnce } from './word-count-job.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-savepoint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const words = Array.from({ length: 2_000 }, (_, i) => `w${(i * 7) % 41}`);

interface CountRun {
  readonly partitions: number;
  readonly checkpoint: CheckpointOptions;
  /** Stops itself, with a savepoint when asked, as this many words have been read by this run. */
  readonly stopAfter?: number | undefined;
  readonly stopWith?: { readonly savepoint: true | string } | undefined;
  /** The words read. @defaultValue words */
  readonly input?: readonly string[] | undefined;
}

/** Running word counts into `out.jsonl` of the test's folder (exactly once), with the checkpoints given. */
function countWords({ partitions, checkpoint, stopAfter = Infinity, stopWith, input = words }: CountRun): PipelineHandle {
  let seen = 0;
  let handle: PipelineHandle | undefined;
  handle = pipeline(fromArray(input))
    .tap(() => {
      if (++seen === stopAfter) void handle?.stop(stopWith).catch(() => undefined);
    })
    .keyBy((word) => word, { partitions })
    .reduce(
      (n: number) => n + 1,
      () => 0,
    )
    .to(toJsonLinesFile<Keyed<string, number>>(join(dir, 'out.jsonl')))
    .run({ checkpoint: { interval: Infinity, ...checkpoint }, batchSize: 16 });
  return handle;
}

/** A word count that never ends by itself: words from a generator, counted per key. */
function endless(checkpoint: CheckpointOptions): PipelineHandle {
  const source = fromGenerator(function* (from: number) {
    for (let i = from; ; i++) yield `w${i % 7}`;
  });
  return pipeline(source)
    .keyBy((word) => word, { partitions: 2 })
    .reduce(
      (n: number) => n + 1,
      () => 0,
    )
    .to(toArray())
    .run({ checkpoint: { interval: Infinity, ...checkpoint }, batchSize: 8 });
}

describe('PipelineHandle', () => {
  describe('savepoint', () => {
    it('writes the checkpoint it takes into savepoints/ of the checkpoint folder, and the run goes on', async () => {
      const checkpoints = join(dir, 'checkpoints');
      const handle = endless({ dir: checkpoints });
      const info = await handle.savepoint();
      expect(info).toEqual({ id: 1, dir: join(checkpoints, 'savepoints', 'savepoint-0000000001') });
      expect(await readdir(info.dir)).toEqual(['chk-0000000001']);
      expect((await readdir(join(info.dir, 'chk-0000000001'))).sort()).toEqual(['manifest', 's0-p0.snap', 's0-p1.snap']);
      expect(handle.status).toBe('running');
      await handle.stop();
    });

    it('takes one savepoint at a time: two asked for together hold two checkpoints', async () => {
      const checkpoints = join(dir, 'checkpoints');
      const handle = endless({ dir: checkpoints });
      const both = await Promise.all([handle.savepoint(), handle.savepoint()]);
      expect(both.map((info) => info.id)).toEqual([1, 2]);
      expect((await readdir(join(checkpoints, 'savepoints'))).sort()).toEqual(['savepoint-0000000001', 'savepoint-0000000002']);
      await handle.stop();
    });

    it('keeps a savepoint however many checkpoints complete after it: pruning never touches it', async () => {
      const checkpoints = join(dir, 'checkpoints');
      const handle = endless({ dir: checkpoints, keep: 1 });
      const info = await handle.savepoint();
      const manifest = await readFile(join(info.dir, 'chk-0000000001', 'manifest'), 'utf8');
      for (let i = 0; i < 12; i++) await handle.checkpoint();
      const result = await handle.stop();
      expect(result.checkpoints).toBe(14);
      expect((await readdir(checkpoints)).sort()).toEqual(['chk-0000000014', 'savepoints']);
      expect(await readFile(join(info.dir, 'chk-0000000001', 'manifest'), 'utf8')).toBe(manifest);
    });

    it('writes into the folder it is given, and refuses one that holds anything, naming dir, while the run goes on', async () => {
      const handle = endless({ dir: join(dir, 'checkpoints') });
      const target = join(dir, 'elsewhere', 'v1');
      expect(await handle.savepoint(target)).toEqual({ id: 1, dir: target });
      expect(await refusedOption(handle.savepoint(target))).toBe('dir');
      await mkdir(join(dir, 'empty'));
      await writeFile(join(dir, 'a-file'), 'not a folder');
      expect(await handle.savepoint(join(dir, 'empty'))).toMatchObject({ dir: join(dir, 'empty') });
      expect(await refusedOption(handle.savepoint(join(dir, 'a-file')))).toBe('dir');
      expect(await refusedOption(handle.savepoint(''))).toBe('dir');
      expect(handle.status).toBe('running');
      await handle.stop();
      // What was refused was left as it was; no half-written savepoint lies beside it.
      expect(await readFile(join(dir, 'a-file'), 'utf8')).toBe('not a folder');
      expect((await readdir(dir)).sort()).toEqual(['a-file', 'checkpoints', 'elsewhere', 'empty']);
      expect(await readdir(join(dir, 'elsewhere'))).toEqual(['v1']);
    });

    it('needs a folder with checkpoints kept elsewhere, and checkpoints at all, naming dir and checkpoint', async () => {
      const storage = new MemoryCheckpointStorage();
      const inMemory = endless({ storage });
      expect(await refusedOption(inMemory.savepoint())).toBe('dir');
      expect(await inMemory.savepoint(join(dir, 'from-memory'))).toEqual({ id: 1, dir: join(dir, 'from-memory') });
      await inMemory.stop();

      const unchecked = pipeline(fromArray(words)).to(toArray()).run();
      expect(await refusedOption(unchecked.savepoint(join(dir, 'never')))).toBe('checkpoint');
      expect(await refusedOption(unchecked.stop({ savepoint: join(dir, 'never') }))).toBe('savepoint');
      await unchecked.done;
      await expect(readdir(join(dir, 'never'))).rejects.toThrow();
    });

    it('rejects once the run is over, naming checkpoint', async () => {
      const handle = countWords({ partitions: 2, checkpoint: { dir: join(dir, 'checkpoints') } });
      await handle.done;
      expect(await refusedOption(handle.savepoint())).toBe('checkpoint');
      expect(await refusedOption(handle.stop({ savepoint: true }))).toBe('savepoint');
    });
  });

  describe('stop', () => {
    it('keeps the last checkpoint as a savepoint, from which another version goes on with other partitions, exactly once', async () => {
      const guard = guardHost();
      const first = await countWords({ partitions: 2, checkpoint: { dir: join(dir, 'v1') }, stopAfter: 700, stopWith: { savepoint: true } }).done;
      expect(first).toMatchObject({ stopped: true, recordsRead: 700, savepoint: { id: 1, dir: join(dir, 'v1', 'savepoints', 'savepoint-0000000001') } });
      const savepoint = first.savepoint?.dir as string;
      // Another folder of checkpoints, three partitions: the savepoint's state is spread over them.
      const second = await countWords({ partitions: 3, checkpoint: { dir: join(dir, 'v2'), savepoint } }).done;
      expect(second).toMatchObject({ resumedFrom: 1, resumedFromSavepoint: savepoint, recordsRead: words.length - 700, checkpoints: 1 });
      // Its checkpoints are numbered on from the savepoint's.
      expect(await readdir(join(dir, 'v2'))).toEqual(['chk-0000000002']);
      await expectExactlyOnce(dir, words);
      await nextMacrotask();
      expect(guard.unhandled).toEqual([]);
      expect(guard.leftoverHandles(), 'timers and immediates left').toBeLessThanOrEqual(0);
      guard.stop();
    });

    it('writes the savepoint into the folder it is given, and refuses one that holds anything before it stops', async () => {
      await mkdir(join(dir, 'taken'));
      await writeFile(join(dir, 'taken', 'x'), '');
      const handle = endless({ dir: join(dir, 'checkpoints') });
      expect(await handle.started).toBe(true);
      expect(await refusedOption(handle.stop({ savepoint: join(dir, 'taken') }))).toBe('savepoint');
      expect(await refusedOption(handle.stop({ savepoint: 7 as unknown as string }))).toBe('savepoint');
      expect(handle.status).toBe('running');
      const result = await handle.stop({ savepoint: join(dir, 'kept') });
      expect(result).toMatchObject({ stopped: true, savepoint: { dir: join(dir, 'kept') } });
      expect(await readdir(join(dir, 'kept'))).toEqual([`chk-${String(result.savepoint?.id).padStart(10, '0')}`]);
    });
  });
});

describe('run({ checkpoint: { savepoint } })', () => {
  it('goes on from its own checkpoints once it has some: a restart never goes back to the savepoint', async () => {
    // With a folder named, the stop waits for the folder's check: it comes a few words after the 500th.
    const first = await countWords({ partitions: 2, checkpoint: { dir: join(dir, 'v1') }, stopAfter: 500, stopWith: { savepoint: join(dir, 'sp') } }).done;
    expect(first.savepoint).toEqual({ id: 1, dir: join(dir, 'sp') });
    expect(first.recordsRead).toBeGreaterThanOrEqual(500);
    const checkpoint = { dir: join(dir, 'v2'), savepoint: join(dir, 'sp') };
    const second = await countWords({ partitions: 4, checkpoint, stopAfter: 600 }).done;
    expect(second).toMatchObject({ resumedFrom: 1, resumedFromSavepoint: join(dir, 'sp'), recordsRead: 600 });
    const third = await countWords({ partitions: 1, checkpoint }).done;
    expect(third).toMatchObject({ resumedFrom: 2, recordsRead: words.length - first.recordsRead - 600 });
    expect(third.resumedFromSavepoint).toBeUndefined();
    await expectExactlyOnce(dir, words);
  });

  it('starts a run whose checkpoints are in memory from a savepoint a folder run wrote, and the other way round', async () => {
    const first = await countWords({ partitions: 3, checkpoint: { dir: join(dir, 'v1') }, stopAfter: 300, stopWith: { savepoint: true } }).done;
    const storage = new MemoryCheckpointStorage();
    const second = await countWords({ partitions: 2, checkpoint: { storage, savepoint: first.savepoint?.dir }, stopAfter: 300 }).done;
    expect(second).toMatchObject({ resumedFrom: 1, recordsRead: 300 });
    const inMemory = countWords({ partitions: 2, checkpoint: { storage }, stopAfter: 300, stopWith: { savepoint: join(dir, 'from-memory') } });
    const third = await inMemory.done;
    expect(third).toMatchObject({ resumedFrom: 2, savepoint: { id: 3, dir: join(dir, 'from-memory') } });
    const last = await countWords({ partitions: 5, checkpoint: { dir: join(dir, 'v3'), savepoint: join(dir, 'from-memory') } }).done;
    expect(last).toMatchObject({ resumedFrom: 3, recordsRead: words.length - 600 - third.recordsRead });
    await expectExactlyOnce(dir, words);
  });

  it('refuses a savepoint folder that holds no intact checkpoint, or another pipeline, naming checkpoint.savepoint', async () => {
    const start = (savepoint: string, partitions = 2): Promise<string> =>
      refusedOption(countWords({ partitions, checkpoint: { dir: join(dir, 'run'), savepoint } }).done);
    expect(await start(join(dir, 'missing'))).toBe('checkpoint.savepoint');
    // Reading it created nothing.
    await expect(readdir(join(dir, 'missing'))).rejects.toThrow();
    await mkdir(join(dir, 'empty'));
    expect(await start(join(dir, 'empty'))).toBe('checkpoint.savepoint');
    await mkdir(join(dir, 'incomplete', 'chk-0000000003'), { recursive: true });
    expect(await start(join(dir, 'incomplete'))).toBe('checkpoint.savepoint');

    const first = await countWords({ partitions: 2, checkpoint: { dir: join(dir, 'v1') }, stopAfter: 100, stopWith: { savepoint: join(dir, 'sp') } }).done;
    const damaged = join(first.savepoint?.dir as string, 'chk-0000000001', 's0-p1.snap');
    const intact = await readFile(damaged);
    await truncate(damaged, intact.length - 3);
    const error = await countWords({ partitions: 2, checkpoint: { dir: join(dir, 'run'), savepoint: join(dir, 'sp') } }).done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe('checkpoint.savepoint');
    expect((error as Error).message).toMatch(/s0-p1\.snap/);
    await writeFile(damaged, intact);

    const other = pipeline(fromArray(words))
      .keyBy((word) => word, { partitions: 2 })
      .reduce(
        (n: number) => n + 1,
        () => 0,
        { id: 'tally' },
      )
      .to(toArray())
      .run({ checkpoint: { dir: join(dir, 'other'), savepoint: join(dir, 'sp') } });
    // Another pipeline's state: the savepoint's stage is not among this pipeline's.
    const dropped = await other.done.catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(DroppedStateError);
    expect((dropped as Error).message).toContain(join(dir, 'sp'));
    // The run that was refused wrote no checkpoint: started again right, it goes on from the savepoint.
    expect(await readdir(join(dir, 'run')).catch(() => [])).toEqual([]);
    expect(await countWords({ partitions: 2, checkpoint: { dir: join(dir, 'run'), savepoint: join(dir, 'sp') } }).done).toMatchObject({ resumedFrom: 1 });
    await expectExactlyOnce(dir, words);
  });

  it('carries event time through a savepoint: a record too late before it is too late after it, with other partitions', async () => {
    // Two windows' worth in order, then one record for the first window, long expired, then more.
    const events = [
      ...Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 3}`, ts: i * 10 })),
      { key: 'k0', ts: 500 },
      ...Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 3}`, ts: 2_000 + i * 10 })),
    ];
    const countWindows = (partitions: number, checkpoint: CheckpointOptions, out: ArraySink<WindowResult<string, number>>, stopAfter = Infinity) => {
      let seen = 0;
      let handle: PipelineHandle | undefined;
      handle = pipeline(fromArray(events))
        .tap(() => {
          if (++seen === stopAfter) void handle?.stop({ savepoint: true });
        })
        .withTimestamps((e) => e.ts)
        .keyBy((e) => e.key, { partitions })
        .window(tumbling(1_000))
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(out)
        .run({ checkpoint: { interval: Infinity, ...checkpoint }, batchSize: 8 });
      return handle;
    };
    const whole = toArray<WindowResult<string, number>>();
    expect(await countWindows(2, { dir: join(dir, 'uninterrupted') }, whole).done).toMatchObject({ lateRecords: 1 });
    const out = toArray<WindowResult<string, number>>();
    // Stopped right before the late record: it is the first one the next version reads.
    const first = await countWindows(2, { dir: join(dir, 'v1') }, out, 200).done;
    const second = await countWindows(3, { dir: join(dir, 'v2'), savepoint: first.savepoint?.dir }, out).done;
    expect(first.lateRecords + second.lateRecords).toBe(1);
    const byWindow = (records: readonly WindowResult<string, number>[]) => records.map((r) => `${r.key}@${r.window.start}=${r.value}`).sort();
    expect(byWindow(out.records)).toEqual(byWindow(whole.records));
  });

  it('refuses a savepoint option that is not a path, naming checkpoint.savepoint', () => {
    expect(() =>
      pipeline(fromArray(words))
        .to(toArray())
        .run({ checkpoint: { dir, savepoint: '' } }),
    ).toThrow(/checkpoint\.savepoint/);
  });
});
