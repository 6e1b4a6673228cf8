/**
 * A thread pool keeps the threads of a run that ended well for the next run of the same job
 * module: the next run starts none, computes the same, and a run that fails leaves none of its
 * threads behind. Closing the pool ends its threads; a closed pool starts no run.
 */
import { describe, expect, it } from 'vitest';
import { createThreadPool, InvalidOptionError, type Keyed } from '../../src/index.js';
import wordCount, { dying, exiting, finalCounts, lastOutput } from './fixtures/jobs.job.js';

const lines = Array.from({ length: 400 }, (_, i) => `w${i % 7} w${i % 11} w${i % 3}`);

function counted(input: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const word of input.flatMap((line) => line.split(' '))) counts.set(word, (counts.get(word) ?? 0) + 1);
  return [...counts].map(([key, value]) => JSON.stringify({ key, value })).sort();
}

const sorted = (records: readonly unknown[]): string[] => records.map((record) => JSON.stringify(record)).sort();

// Each pool here starts real threads once (0.3–1 s each, more on a busy machine).
describe('a thread pool', { timeout: 120_000 }, () => {
  it('gives the next run of a job module the threads the last one ended with', async () => {
    const threads = createThreadPool();
    try {
      await finalCounts.run({ args: { lines, partitions: 4 }, workers: 2, threads }).done;
      expect(sorted(lastOutput())).toEqual(counted(lines));
      expect({ size: threads.size, idle: threads.idle }).toEqual({ size: 2, idle: 2 });
      // Other args, another job of the same module: the same two threads run it.
      const fewer = lines.slice(0, 50);
      const handle = wordCount.run({ args: { lines: fewer, partitions: 3 }, workers: 2, threads });
      expect(threads.idle).toBe(0);
      await handle.done;
      expect(threads.size).toBe(2);
      const finals = new Map<string, number>();
      for (const { key, value } of lastOutput() as Keyed<string, number>[]) finals.set(key, value);
      expect([...finals].map(([key, value]) => JSON.stringify({ key, value })).sort()).toEqual(counted(fewer));
      // More workers than the pool holds: it starts the missing one.
      await finalCounts.run({ args: { lines, partitions: 4 }, workers: 3, threads }).done;
      expect(sorted(lastOutput())).toEqual(counted(lines));
      expect({ size: threads.size, idle: threads.idle }).toEqual({ size: 3, idle: 3 });
    } finally {
      await threads.close();
    }
    expect(threads.size).toBe(0);
  });

  it('keeps none of the threads of a run that failed, and the next run starts afresh', async () => {
    const threads = createThreadPool();
    try {
      await finalCounts.run({ args: { lines, partitions: 2 }, workers: 2, threads }).done;
      const error = await exiting.run({ args: { lines: [...lines, 'exit'], partitions: 2 }, workers: 2, threads }).done.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(threads.idle).toBe(0);
      expect(threads.size).toBe(0);
      await finalCounts.run({ args: { lines, partitions: 2 }, workers: 2, threads }).done;
      expect(sorted(lastOutput())).toEqual(counted(lines));
      expect(threads.idle).toBe(2);
    } finally {
      await threads.close();
    }
  });

  it('restarts a run whose pooled thread died from its checkpoint on new threads', async () => {
    const threads = createThreadPool();
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'sluice-pool-'));
    try {
      const input = [...lines, 'exit', ...lines];
      const result = await dying.run({
        args: { lines: input, partitions: 2, once: join(dir, 'exited') },
        workers: 2,
        threads,
        checkpoint: { dir: join(dir, 'cp'), interval: 1 },
      }).done;
      expect(result.recordsRead).toBeGreaterThan(0);
      expect(sorted(lastOutput())).toEqual(counted(input));
      expect(threads.idle).toBe(2);
    } finally {
      await threads.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ends its threads when closed, and a closed pool starts no run', async () => {
    const threads = createThreadPool({ idleMs: 60_000 });
    await finalCounts.run({ args: { lines, partitions: 2 }, workers: 2, threads }).done;
    await threads.close();
    expect(threads.size).toBe(0);
    const error = await finalCounts.run({ args: { lines, partitions: 2 }, workers: 2, threads }).done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(String(error)).toMatch(/threads/);
  });

  it('refuses what is not a pool, and an idle time that is not a number of 0 or more', () => {
    expect(() => finalCounts.run({ args: { lines, partitions: 2 }, workers: 2, threads: {} as never })).toThrow(InvalidOptionError);
    expect(() => createThreadPool({ idleMs: -1 })).toThrow(/idleMs/);
  });
});
