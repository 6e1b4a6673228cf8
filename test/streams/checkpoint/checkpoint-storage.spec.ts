/**
 * The promises every CheckpointStorage keeps (see checkpoint-storage.ts), written once and run
 * against each storage: in memory, in a folder (checkpoint-storage.test.ts), in PostgreSQL
 * (test/postgres). Damage is each storage's own to test, since each is damaged in its own way.
 */
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  CheckpointUnusableError,
  MemoryCheckpointStorage,
  type CheckpointManifest,
  type CheckpointStorage,
  type PartitionSnapshotRef,
  type SnapshotEntry,
} from '../../../src/index.js';
import { countWords, expectExactlyOnce } from './word-count-job.js';

/** A storage made for one test, and how to let go of it. */
export interface StorageFixture {
  readonly storage: CheckpointStorage;
  readonly dispose: () => Promise<void>;
}

/** Makes a fresh, empty storage. */
export type StorageSetup = () => Promise<StorageFixture>;

/** The manifest of checkpoint `id` of one keyed stage whose partitions were written as `snapshots`. */
export function manifest(id: number, snapshots: readonly PartitionSnapshotRef[]): CheckpointManifest {
  return {
    format: 1,
    id,
    completed: false,
    source: { name: 'test', offset: id * 10 },
    stages: [
      {
        name: 'reduce',
        partitions: snapshots.length,
        maxParallelism: 128,
        snapshots,
      },
    ],
    sink: { through: id },
    createdAt: new Date(0).toISOString(),
  };
}

/** Writes checkpoint `id`: partition `p` holds `[['k', id * 10 + p]]`; the manifest last, unless `complete` is false. */
export async function writeCheckpoint(storage: CheckpointStorage, id: number, partitions = 2, complete = true): Promise<void> {
  const snapshots: PartitionSnapshotRef[] = [];
  for (let p = 0; p < partitions; p++) snapshots.push(await storage.writePartition(id, 0, p, [['k', id * 10 + p]]));
  if (complete) await storage.writeManifest(manifest(id, snapshots));
}

/** What `latest()` finds, as plain data: the id, entries and skips, undefined, or the skips of CheckpointUnusableError. */
export async function latestOutcome(storage: CheckpointStorage): Promise<unknown> {
  try {
    const restored = await storage.latest();
    return restored === undefined ? undefined : { id: restored.manifest.id, entries: restored.entries, skipped: restored.skipped };
  } catch (error) {
    return error instanceof CheckpointUnusableError ? { unusable: error.skipped } : error;
  }
}

/** Declares the shared tests inside the caller's `describe`. */
export function describeCheckpointStorageContract(setup: StorageSetup): void {
  const fixtures: StorageFixture[] = [];
  const make = async (): Promise<CheckpointStorage> => {
    const fixture = await setup();
    fixtures.push(fixture);
    return fixture.storage;
  };
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-storage-contract-'));
  });
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((fixture) => fixture.dispose()));
    await rm(dir, { recursive: true, force: true });
  });

  it('holds a checkpoint once its manifest is written, and gives back copies of what was written', async () => {
    const storage = await make();
    const state = new Map([['a', { seen: [1, 2] }]]);
    const ref = await storage.writePartition(1, 0, 0, state);
    expect(await storage.latest()).toBeUndefined();
    expect(await storage.highestId()).toBe(1);
    await storage.writeManifest(manifest(1, [ref]));
    // Changing the state after the checkpoint changes nothing in it, as after a restart from disk.
    (state.get('a') as { seen: number[] }).seen.push(3);
    const first = await storage.latest();
    expect(first?.entries).toEqual([[[['a', { seen: [1, 2] }]]]]);
    expect(first?.manifest).toEqual(manifest(1, [ref]));
    expect(first?.skipped).toEqual([]);
    const second = await storage.latest();
    expect(second?.entries[0]?.[0]?.[0]?.[1]).not.toBe(first?.entries[0]?.[0]?.[0]?.[1]);
  });

  it('gives back the manifest as JSON keeps it, a copy for each reader, whatever the sink token holds', async () => {
    const storage = await make();
    const token = { at: new Date(5), gone: undefined, ratio: NaN, seen: new Map([['a', 1]]), list: [1, undefined] };
    const written = { ...manifest(1, [await storage.writePartition(1, 0, 0, [])]), sink: token };
    await storage.writeManifest(written);
    // Changing the token after the checkpoint changes nothing in it, as after a restart from disk.
    token.list.push(2);
    const first = await storage.latest();
    expect(first?.manifest).toStrictEqual(JSON.parse(JSON.stringify({ ...written, sink: { ...token, list: [1, undefined] } })));
    expect(first?.manifest.sink).toStrictEqual({ at: '1970-01-01T00:00:00.005Z', ratio: null, seen: {}, list: [1, null] });
    const second = await storage.latest();
    expect(second?.manifest).toStrictEqual(first?.manifest);
    expect(second?.manifest.stages[0]).not.toBe(first?.manifest.stages[0]);
  });

  it('keeps Maps and plain objects apart, and Dates, Sets and bigints whole, as snapshot files do', async () => {
    const storage = await make();
    const entries: SnapshotEntry[] = [
      ['m', new Map([['x', 1]])],
      ['o', { x: 1 }],
      ['d', new Date(5)],
      [2n, new Set([1])],
    ];
    await storage.writeManifest(manifest(1, [await storage.writePartition(1, 0, 0, entries)]));
    expect((await storage.latest())?.entries[0]?.[0]).toEqual(entries);
  });

  it('passes over a checkpoint without a manifest, prunes all but the newest complete ones, and discards what lies above', async () => {
    const storage = await make();
    for (const id of [1, 2, 3]) await writeCheckpoint(storage, id, 1);
    await writeCheckpoint(storage, 4, 1, false);
    expect((await storage.latest())?.manifest.id).toBe(3);
    await storage.prune(2);
    await storage.discardAbove(3);
    expect(await storage.highestId()).toBe(3);
    await storage.discardAbove(2);
    expect((await storage.latest())?.entries).toEqual([[[['k', 20]]]]);
    await storage.discardAbove(1);
    // Checkpoint 1 was pruned: nothing is left.
    expect(await storage.latest()).toBeUndefined();
    expect(await storage.highestId()).toBe(0);
  });

  it('agrees with MemoryCheckpointStorage on any run of writes, prunes and discards', async () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('checkpoint' as const), partitions: fc.integer({ min: 1, max: 3 }), complete: fc.boolean() }),
      fc.record({ op: fc.constant('prune' as const), keep: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ op: fc.constant('discardAbove' as const), below: fc.nat({ max: 3 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 10 }), async (ops) => {
        const fixture = await setup();
        try {
          const model = new MemoryCheckpointStorage();
          for (const step of ops) {
            const next = (await model.highestId()) + 1;
            for (const each of [fixture.storage, model]) {
              if (step.op === 'checkpoint') await writeCheckpoint(each, next, step.partitions, step.complete);
              else if (step.op === 'prune') await each.prune(step.keep);
              else await each.discardAbove(Math.max(0, next - 1 - step.below));
            }
            expect(await fixture.storage.highestId()).toBe(await model.highestId());
            expect(await latestOutcome(fixture.storage)).toEqual(await latestOutcome(model));
          }
        } finally {
          await fixture.dispose();
        }
      }),
      { numRuns: 20 },
    );
  });

  it('carries a job through a stop and a resume with another partition count, exactly once', async () => {
    const storage = await make();
    const words = Array.from({ length: 2_000 }, (_, i) => `w${(i * 7) % 41}`);
    expect(await countWords({ input: words, dir, partitions: 2, stopAfter: 700, storage, batchSize: 16 }).done).toMatchObject({
      stopped: true,
      checkpoints: 1,
    });
    expect(await countWords({ input: words, dir, partitions: 3, storage, batchSize: 16 }).done).toMatchObject({ resumedFrom: 1, recordsRead: 1_300 });
    await expectExactlyOnce(dir, words);
  });
}
