/**
 * Worker threads run with a young generation of 8 MB unless `workerResourceLimits` says otherwise:
 * what keeps a threaded run's resident memory near what it holds (docs/scaling.md).
 */
import { describe, expect, it } from 'vitest';
import { lastOutput, youngGeneration } from './fixtures/jobs.job.js';

describe('worker thread limits', { timeout: 60_000 }, () => {
  it('give each thread an 8 MB young generation by default', async () => {
    await youngGeneration.run({ args: { lines: ['a', 'b'], partitions: 1 }, workers: 2 }).done;
    expect(lastOutput()).toEqual([{ key: 'limit', value: 8 }]);
  });

  it('take the young generation workerResourceLimits gives, with the other limits', async () => {
    await youngGeneration.run({
      args: { lines: ['a'], partitions: 1 },
      workers: 2,
      workerResourceLimits: { maxYoungGenerationSizeMb: 24, maxOldGenerationSizeMb: 256 },
    }).done;
    expect(lastOutput()).toEqual([{ key: 'limit', value: 24 }]);
  });
});
