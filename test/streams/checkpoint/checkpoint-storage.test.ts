import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionError, MemoryCheckpointStorage, fromArray, pipeline, toJsonLinesFile, type CheckpointManifest, type Keyed } from '../../../src/index.js';
import { checkCheckpointOptions } from '../../../src/streams/checkpoint/checkpoint-options.js';
import { FolderCheckpointStorage } from '../../../src/streams/checkpoint/folder-checkpoint-storage.js';
import { expectExactlyOnce } from './word-count-job.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-storage-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function manifest(id: number, partitions: number): CheckpointManifest {
  return {
    format: 1,
    id,
    completed: false,
    source: { name: 'test', offset: id * 10 },
    stages: [
      {
        name: 'reduce',
        partitions,
        maxParallelism: 128,
        snapshots: Array.from({ length: partitions }, (_, p) => ({ partition: p, file: `s0-p${p}`, entries: 1, bytes: 1 })),
      },
    ],
    sink: { through: id },
    createdAt: new Date(0).toISOString(),
  };
}

describe('MemoryCheckpointStorage', () => {
  it('holds a checkpoint once its manifest is written, and gives back copies of what was written', async () => {
    const storage = new MemoryCheckpointStorage();
    const state = new Map([['a', { seen: [1, 2] }]]);
    await storage.writePartition(1, 0, 0, state);
    expect(await storage.latest()).toBeUndefined();
    expect(await storage.highestId()).toBe(1);
    await storage.writeManifest(manifest(1, 1));
    // Changing the state after the checkpoint changes nothing in it, as after a restart from disk.
    (state.get('a') as { seen: number[] }).seen.push(3);
    const first = await storage.latest();
    expect(first?.entries).toEqual([[[['a', { seen: [1, 2] }]]]]);
    expect(first?.manifest).toEqual(manifest(1, 1));
    const second = await storage.latest();
    expect(second?.entries[0]?.[0]?.[0]?.[1]).not.toBe(first?.entries[0]?.[0]?.[0]?.[1]);
  });

  it('keeps Maps and plain objects apart, as snapshot files do', async () => {
    const storage = new MemoryCheckpointStorage();
    await storage.writePartition(1, 0, 0, [
      ['m', new Map([['x', 1]])],
      ['o', { x: 1 }],
    ]);
    await storage.writeManifest(manifest(1, 1));
    const entries = (await storage.latest())?.entries[0]?.[0];
    expect(entries).toEqual([
      ['m', new Map([['x', 1]])],
      ['o', { x: 1 }],
    ]);
  });

  it('passes over a checkpoint without a manifest, prunes all but the newest complete ones, and discards what lies above', async () => {
    const storage = new MemoryCheckpointStorage();
    for (const id of [1, 2, 3]) {
      await storage.writePartition(id, 0, 0, [['k', id]]);
      await storage.writeManifest(manifest(id, 1));
    }
    await storage.writePartition(4, 0, 0, [['k', 4]]);
    expect((await storage.latest())?.manifest.id).toBe(3);
    await storage.prune(2);
    await storage.discardAbove(3);
    expect(await storage.highestId()).toBe(3);
    await storage.discardAbove(2);
    expect((await storage.latest())?.entries).toEqual([[[['k', 2]]]]);
    await storage.discardAbove(1);
    // Checkpoint 1 was pruned: nothing is left.
    expect(await storage.latest()).toBeUndefined();
  });

  it('carries a job through a stop and a resume with another partition count, exactly once', async () => {
    const storage = new MemoryCheckpointStorage();
    const words = Array.from({ length: 2_000 }, (_, i) => `w${(i * 7) % 41}`);
    const run = (partitions: number, stopAfter: number) => {
      let seen = 0;
      const handle = pipeline(fromArray(words))
        .tap(() => {
          if (++seen === stopAfter) void handle.stop();
        })
        .keyBy((word) => word, { partitions })
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(toJsonLinesFile<Keyed<string, number>>(join(dir, 'out.jsonl')))
        .run({ checkpoint: { storage, interval: Infinity }, batchSize: 16 });
      return handle.done;
    };
    expect(await run(2, 700)).toMatchObject({ stopped: true, checkpoints: 1 });
    expect(await run(3, Infinity)).toMatchObject({ resumedFrom: 1, recordsRead: 1_300 });
    await expectExactlyOnce(dir, words);
  });
});

describe('checkCheckpointOptions', () => {
  it('takes a folder or a storage, and names the option it refuses', () => {
    expect(checkCheckpointOptions({ dir })?.storage).toBeInstanceOf(FolderCheckpointStorage);
    const storage = new MemoryCheckpointStorage('tests');
    expect(checkCheckpointOptions({ storage })).toEqual({ storage, at: { option: 'checkpoint.storage', location: 'tests' }, interval: 10_000, keep: 2 });
    const refusal = (options: unknown) => {
      try {
        checkCheckpointOptions(options);
      } catch (error) {
        return error instanceof InvalidOptionError ? `${error.option}: ${error.message}` : String(error);
      }
      return 'accepted';
    };
    expect(refusal({})).toMatch(/^checkpoint\.dir: .*a folder path \(or a checkpoint\.storage instead\)/);
    expect(refusal({ dir, storage })).toMatch(/^checkpoint\.storage: .*one place for checkpoints/);
    expect(refusal({ storage: { location: 'x', latest() {} } })).toMatch(/^checkpoint\.storage: .*it has no highestId method/);
  });
});
