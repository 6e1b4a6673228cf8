import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { checkpointStatsProbe } from '../../../bench/probes/checkpoint-stats.js';

describe('checkpointStatsProbe', () => {
  it('reports the checkpoints of a run, the halfway one’s duration and size, and cleans up', async () => {
    const { summary, values } = await checkpointStatsProbe.run('quick');
    expect(values['records']).toBe(200_000);
    // The one asked for halfway and the one at the end of input, at least.
    expect(values['checkpoints']).toBeGreaterThanOrEqual(2);
    expect(values['midwayDurationMs']).toBeGreaterThan(0);
    expect(values['midwayBytes']).toBeGreaterThan(10_000);
    expect(values['finalBytes']).toBeGreaterThan(10_000);
    expect(summary).toMatch(/^wordcount, 200,000 records, checkpoints every 1 s plus one asked for halfway: \d+ checkpoints in a \d+ ms run/);
    expect(readdirSync(tmpdir()).filter((entry) => entry.startsWith('sluice-bench-checkpoint-stats-'))).toEqual([]);
  });
});
