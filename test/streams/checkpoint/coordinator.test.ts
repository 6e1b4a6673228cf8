import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderCheckpointStorage } from '../../../src/streams/checkpoint/folder-checkpoint-storage.js';
import { CheckpointAbandonedError, CheckpointCoordinator, type StageLayout } from '../../../src/streams/checkpoint/coordinator.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-coordinator-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stages: StageLayout[] = [{ name: 'reduce', partitions: 2, maxParallelism: 128 }];

function coordinator(commits: unknown[] = []): { coordinator: CheckpointCoordinator; failures: unknown[]; store: FolderCheckpointStorage } {
  const store = new FolderCheckpointStorage(dir);
  const failures: unknown[] = [];
  const made = new CheckpointCoordinator({
    store,
    keep: 3,
    sourceName: 'test',
    stages,
    lastId: 0,
    commit: async (token) => void commits.push(token),
    now: () => 0,
    failed: (error) => void failures.push(error),
  });
  return { coordinator: made, failures, store };
}

/** Every partition of every stage snapshots `id`, with a few entries each. */
function snapshotAll(coordinator: CheckpointCoordinator, id: number, released: string[]): void {
  for (let p = 0; p < 2; p++) {
    coordinator.snapshot(id, 0, p, [[`k${p}`, p]], () => void released.push(`0/${p}`));
  }
}

describe('CheckpointCoordinator', () => {
  describe('began', () => {
    it('resolves when the next checkpoint begins, not before', async () => {
      const { coordinator: c } = coordinator();
      let begun = false;
      const waiting = c.began().then(() => (begun = true));
      await Promise.resolve();
      expect(begun).toBe(false);
      expect(c.busy).toBe(false);
      c.begin(3, Number.NEGATIVE_INFINITY, false);
      await waiting;
      expect(c.busy).toBe(true);
    });
  });

  describe('writesEnded', () => {
    it('waits also for the manifest that the last acknowledgement begins, not only for the writes begun before the call', async () => {
      const commits: unknown[] = [];
      const { coordinator: c } = coordinator(commits);
      const { id, done } = c.begin(10, Number.NEGATIVE_INFINITY, false);
      c.preCommitted(id, { part: 1 });
      const released: string[] = [];
      snapshotAll(c, id, released);
      // Called while only the snapshot files are being written: their end begins the manifest.
      await c.writesEnded();
      const names = await readdir(join(dir, 'chk-0000000001'));
      expect(names.sort()).toEqual(['manifest', 's0-p0.snap', 's0-p1.snap']);
      await done;
      expect(commits).toEqual([{ part: 1 }]);
      expect(released.sort()).toEqual(['0/0', '0/1']);
    });
  });

  describe('close', () => {
    it('abandons a checkpoint under way: its done rejects, no manifest is written, and writes begun still end', async () => {
      const { coordinator: c, failures } = coordinator();
      const { id, done } = c.begin(10, Number.NEGATIVE_INFINITY, false);
      const released: string[] = [];
      c.preCommitted(id, null);
      c.snapshot(id, 0, 0, [['a', 1]], () => void released.push('0/0'));
      c.close();
      // A partition that aligns after the close writes nothing.
      c.snapshot(id, 0, 1, [['b', 2]], () => void released.push('0/1'));
      await expect(done).rejects.toBeInstanceOf(CheckpointAbandonedError);
      await c.writesEnded();
      expect(await readdir(join(dir, 'chk-0000000001'))).toEqual(['s0-p0.snap']);
      expect(released.sort()).toEqual(['0/0', '0/1']);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toBeInstanceOf(CheckpointAbandonedError);
      expect(c.stats.completed).toBe(0);
    });

    it('completes a checkpoint whose manifest is durable though its commit is still under way: its done resolves, nothing fails', async () => {
      const store = new FolderCheckpointStorage(dir);
      const failures: unknown[] = [];
      let commitStarted!: () => void;
      const committing = new Promise<void>((resolve) => (commitStarted = resolve));
      // The commit that ends the run: the run closes the coordinator while it is under way.
      const c = new CheckpointCoordinator({
        store,
        keep: 3,
        sourceName: 'test',
        stages,
        lastId: 0,
        commit: () => {
          commitStarted();
          return new Promise<void>(() => undefined);
        },
        now: () => 0,
        failed: (error) => void failures.push(error),
      });
      const { id, done } = c.begin(10, Number.NEGATIVE_INFINITY, true);
      c.preCommitted(id, null);
      snapshotAll(c, id, []);
      await committing;
      c.close();
      await expect(done).resolves.toBeUndefined();
      expect(failures).toEqual([]);
      expect(c.stats).toMatchObject({ completed: 1, lastId: 1 });
      expect((await store.latest())?.manifest).toMatchObject({ id: 1, completed: true });
    });
  });

  describe('snapshot', () => {
    it('counts a partition that acknowledges twice (a replay after a restart) once, and releases both views', async () => {
      const { coordinator: c } = coordinator();
      const { id, done } = c.begin(0, Number.NEGATIVE_INFINITY, false);
      const released: string[] = [];
      c.snapshot(id, 0, 0, [['a', 1]], () => void released.push('first'));
      c.snapshot(id, 0, 0, [['a', 1]], () => void released.push('again'));
      c.preCommitted(id, null);
      expect(c.busy).toBe(true);
      c.snapshot(id, 0, 1, [], () => void released.push('other'));
      await done;
      expect(c.busy).toBe(false);
      expect(c.stats).toMatchObject({ completed: 1, lastId: 1 });
      expect(released.sort()).toEqual(['again', 'first', 'other']);
    });
  });
});
