/**
 * Worker threads run with a young generation of 8 MB, or 16 MB when they also run the head steps,
 * and an old generation limited to just under 2 GB (or the process's own heap limit), unless
 * `workerResourceLimits` says otherwise: what keeps a threaded run's resident memory near what it
 * holds, also over many runs in a pool, and a parsing thread's scavenges few (docs/scaling.md).
 */
import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { lastOutput, oldGeneration, youngGeneration, youngGenerationWithHead } from './fixtures/jobs.job.js';

describe('worker thread limits', { timeout: 60_000 }, () => {
  it('give each thread an 8 MB young generation by default', async () => {
    await youngGeneration.run({ args: { lines: ['a', 'b'], partitions: 1 }, workers: 2 }).done;
    expect(lastOutput()).toEqual([{ key: 'limit', value: 8 }]);
  });

  it('give threads that run the head steps a 16 MB young generation', async () => {
    await youngGenerationWithHead.run({ args: { lines: [' a', 'b '], partitions: 1 }, workers: 2 }).done;
    expect(lastOutput()).toEqual([{ key: 'limit', value: 16 }]);
  });

  it('take the young generation workerResourceLimits gives over the head default', async () => {
    await youngGenerationWithHead.run({ args: { lines: ['a'], partitions: 1 }, workers: 2, workerResourceLimits: { maxYoungGenerationSizeMb: 12 } }).done;
    expect(lastOutput()).toEqual([{ key: 'limit', value: 12 }]);
  });

  it('take the young generation workerResourceLimits gives, with the other limits', async () => {
    await youngGeneration.run({
      args: { lines: ['a'], partitions: 1 },
      workers: 2,
      workerResourceLimits: { maxYoungGenerationSizeMb: 24, maxOldGenerationSizeMb: 256 },
    }).done;
    expect(lastOutput()).toEqual([{ key: 'limit', value: 24 }]);
  });

  it("limit each thread's old generation to 2,047 MB, or the process's heap limit when lower, by default", async () => {
    await oldGeneration.run({ args: { lines: ['a'], partitions: 1 }, workers: 2 }).done;
    const processLimit = Math.floor(getHeapStatistics().heap_size_limit / (1024 * 1024));
    expect(lastOutput()).toEqual([{ key: 'limit', value: Math.min(2047, processLimit) }]);
  });

  it('take the old generation limit workerResourceLimits gives', async () => {
    await oldGeneration.run({ args: { lines: ['a'], partitions: 1 }, workers: 2, workerResourceLimits: { maxOldGenerationSizeMb: 3000 } }).done;
    expect(lastOutput()).toEqual([{ key: 'limit', value: 3000 }]);
  });
});
