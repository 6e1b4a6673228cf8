import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkpointStatsProbe } from '../../../bench/probes/checkpoint-stats.js';

describe('checkpointStatsProbe', () => {
  it('reports the rate ratio with and without checkpoints, one checkpoint’s duration and size, and cleans up', async () => {
    const { summary, values } = await checkpointStatsProbe.run('quick');
    expect(values['records']).toBe(400_000);
    expect(values['rateRatio']).toBeGreaterThan(0);
    // At least the end-of-input checkpoint; with the one asked for halfway, at least two.
    expect(values['checkpointsPerRun']).toBeGreaterThanOrEqual(1);
    expect(values['statsRunCheckpoints']).toBeGreaterThanOrEqual(2);
    expect(values['midwayDurationMs']).toBeGreaterThan(0);
    expect(values['midwayBytes']).toBeGreaterThan(10_000);
    expect(values['finalBytes']).toBeGreaterThan(10_000);
    expect(summary).toMatch(
      /^wordcount, 400,000 records: with checkpoints every 1 s, \d+\.\d\dx the rate without \(-?\d+% lost; median of 5 interleaved pairs/,
    );
    expect(readdirSync(tmpdir()).filter((entry) => entry.startsWith('sluice-bench-checkpoint-stats-'))).toEqual([]);
  }, 60_000);
});
