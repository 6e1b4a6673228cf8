/**
 * A job on worker threads (one handle across restarts) takes savepoints and upgrades like a job on
 * one thread: the savepoint it writes starts a run on any number of threads, and an upgrade stops
 * every thread at a checkpoint before the next version starts from it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryCheckpointStorage, type ArraySink, type Keyed } from '../../src/index.js';
import wordCount, { held, releaseHeld, sinks } from './fixtures/jobs.job.js';

const lines = Array.from({ length: 20_000 }, (_, i) => `ant w${i % 300} bee`);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-threaded-savepoints-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Each word's counts as the given sinks took them, in order. */
function countsIn(from: readonly ArraySink<unknown>[]): Map<string, number[]> {
  const counts = new Map<string, number[]>();
  for (const sink of from) {
    for (const { key, value } of sink.records as Keyed<string, number>[]) counts.set(key, [...(counts.get(key) ?? []), value]);
  }
  return counts;
}

describe('a job on worker threads', { timeout: 120_000 }, () => {
  it('writes a savepoint another run starts from, and upgrades to a run on one thread, each word counted once', async () => {
    const storage = new MemoryCheckpointStorage();
    const args = { lines, partitions: 4 };
    // Held at half the lines, so the run is still reading when the upgrade comes.
    const handle = held.run({ args: { ...args, holdAt: lines.length / 2 }, workers: 2, checkpoint: { storage, interval: Infinity }, batchSize: 64 });
    const firstSink = sinks.length - 1;
    expect(await handle.started).toBe(true);
    const savepoint = await handle.savepoint(join(dir, 'sp'));
    expect(savepoint).toEqual({ id: 1, dir: join(dir, 'sp') });

    const next = await handle.upgrade(wordCount, { args: { lines, partitions: 3 } });
    releaseHeld();
    const first = await handle.done;
    expect(first).toMatchObject({ stopped: true, checkpoints: 2 });
    const rest = await next.done;
    expect(rest).toMatchObject({ resumedFrom: 2, recordsRead: lines.length - first.recordsRead });
    const totals = new Map<string, number>();
    for (const word of lines.flatMap((line) => line.split(' '))) totals.set(word, (totals.get(word) ?? 0) + 1);
    const counts = countsIn(sinks.slice(firstSink));
    expect(new Set(counts.keys())).toEqual(new Set(totals.keys()));
    for (const [word, total] of totals) expect(counts.get(word), word).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    // From the savepoint, on three threads, with its own checkpoints elsewhere.
    const fromSavepoint = await wordCount.run({ args, workers: 3, checkpoint: { storage: new MemoryCheckpointStorage(), savepoint: savepoint.dir } }).done;
    expect(fromSavepoint).toMatchObject({ resumedFrom: 1, resumedFromSavepoint: savepoint.dir });
  });
});
