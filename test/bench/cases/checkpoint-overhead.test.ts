import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkpointOverheadCase } from '../../../bench/cases/checkpoint-overhead.js';
import { measure } from '../../../bench/harness/measure.js';

describe('checkpointOverheadCase', () => {
  it('compares each checkpointed Sluice run with the one without checkpoints', () => {
    expect(checkpointOverheadCase.implementations).toEqual([
      { impl: 'plain loop', role: 'floor' },
      { impl: 'sluice pipeline, 4 partitions, no checkpoints', role: 'sluice' },
      { impl: 'sluice pipeline, 4 partitions, checkpoints every 1 s', role: 'sluice', compareWith: ['sluice pipeline, 4 partitions, no checkpoints'] },
      { impl: 'sluice pipeline, 4 partitions, checkpoints every 100 ms', role: 'sluice', compareWith: ['sluice pipeline, 4 partitions, no checkpoints'] },
    ]);
  });

  it('counts the same words with and without checkpoints, and leaves no checkpoint behind', async () => {
    const checksums = [];
    for (const { impl } of checkpointOverheadCase.implementations) {
      const { operations, runner } = checkpointOverheadCase.load(impl, 'quick');
      expect(operations).toBe(200_000);
      checksums.push(...(await measure(runner, operations, { warmups: 0, runs: 1 })).checksums);
    }
    expect(new Set(checksums).size).toBe(1);
    expect(readdirSync(tmpdir()).filter((entry) => entry.startsWith('sluice-bench-checkpoint-overhead-'))).toEqual([]);
  });
});
