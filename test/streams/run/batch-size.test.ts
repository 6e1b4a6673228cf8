import { describe, expect, it } from 'vitest';
import { fromArray, pipeline, toArray } from '../../../src/index.js';
import { DEFAULT_BATCH_SIZE, defaultBatchSize } from '../../../src/streams/job/run-settings.js';

describe('the default batch size', () => {
  it('is 1024 records, or under injected crashes at most 0.5 / crashRate (at least 1)', () => {
    expect(DEFAULT_BATCH_SIZE).toBe(1024);
    expect(defaultBatchSize(undefined)).toBe(1024);
    expect(defaultBatchSize({ crashRate: 0, seed: 1 })).toBe(1024);
    expect(defaultBatchSize({ crashRate: 0.0001, seed: 1 })).toBe(1024);
    expect(defaultBatchSize({ crashRate: 0.001, seed: 1 })).toBe(500);
    expect(defaultBatchSize({ crashRate: 0.1, seed: 1 })).toBe(5);
    expect(defaultBatchSize({ crashRate: 0.9, seed: 1 })).toBe(1);
  });

  it('lets a run under a high crash rate get through without a batch size of its own', async () => {
    // A batch of 1024 at a crash rate of 0.2 would almost never get through a replay.
    const words = Array.from({ length: 3000 }, (_, i) => `w${i % 17}`);
    const out = toArray<{ key: string; value: number }>();
    const result = await pipeline(fromArray(words))
      .keyBy((word) => word, { partitions: 2 })
      .reduce(
        (n: number) => n + 1,
        () => 0,
        { emit: 'final' },
      )
      .to(out)
      .run({ chaos: { crashRate: 0.2, seed: 3 }, maxRestarts: Infinity }).done;
    expect(result.recordsRead).toBe(3000);
    const counts = new Map(out.records.map(({ key, value }) => [key, value]));
    expect(counts.size).toBe(17);
    for (let k = 0; k < 17; k++) expect(counts.get(`w${k}`)).toBe(words.filter((w) => w === `w${k}`).length);
  });
});
