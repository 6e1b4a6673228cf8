/**
 * Checkpoints of a job on worker threads: each thread's partitions hand their snapshots to the
 * main thread at every barrier, and the manifest says nothing of threads. So a run stopped after
 * any number of checkpoints resumes with any number of threads (one included) and any partition
 * count, and ends with the output of a run that never stopped.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryCheckpointStorage, type PipelineHandle } from '../../src/index.js';
import { finalCounts, lastOutput, type WordArgs } from './fixtures/jobs.job.js';

/** `count` lines of one to five words, drawn from `seed`: long enough that a run can be stopped midway. */
function linesOf(count: number, seed: number): string[] {
  let state = seed >>> 0;
  const next = (n: number): number => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % n;
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + next(5) }, () => `w${next(500)}`).join(' '));
}

/** Stops `handle` once `count` checkpoints completed (or lets it end when it ends first). */
async function stopAfter(handle: PipelineHandle, count: number): Promise<void> {
  let seen = 0;
  const off = handle.events.subscribe((event) => {
    if (event.type === 'checkpoint-completed' && ++seen === count) void handle.stop();
  });
  await handle.done.finally(off);
}

const sorted = (records: readonly unknown[]): string[] => records.map((record) => JSON.stringify(record)).sort();

// Each case starts threads (0.3–1 s each, more under load): the whole property takes its time.
describe('checkpoints of a job on worker threads', { timeout: 180_000 }, () => {
  it('resume with any threads and partitions and end as a run that never stopped', async () => {
    let resumes = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 20_000, max: 60_000 }).chain((count) => fc.nat().map((seed) => linesOf(count, seed))),
        fc.record({ partitions: fc.integer({ min: 1, max: 5 }), workers: fc.integer({ min: 2, max: 3 }) }),
        fc.record({ partitions: fc.integer({ min: 1, max: 5 }), workers: fc.integer({ min: 1, max: 3 }) }),
        fc.integer({ min: 1, max: 3 }),
        async (lines, first, second, checkpoints) => {
          await finalCounts.run({ args: { lines, partitions: 3 } }).done;
          const expected = sorted(lastOutput());
          const storage = new MemoryCheckpointStorage();
          const checkpoint = { storage, interval: 1 };
          const args = (partitions: number): WordArgs => ({ lines, partitions });
          await stopAfter(finalCounts.run({ args: args(first.partitions), workers: first.workers, checkpoint, batchSize: 64 }), checkpoints);
          const resumed = await finalCounts.run({ args: args(second.partitions), workers: second.workers, checkpoint, batchSize: 64 }).done;
          if (resumed.alreadyComplete) return;
          resumes++;
          expect(resumed.resumedFrom).toBeGreaterThanOrEqual(checkpoints);
          expect(resumed.recordsRead).toBeLessThan(lines.length);
          expect(sorted(lastOutput())).toEqual(expected);
        },
      ),
      { numRuns: 4 },
    );
    // Most stops land before the end: the property is about resuming, not about runs that finished.
    expect(resumes).toBeGreaterThan(0);
  });
});
