import { describe, expect, it } from 'vitest';
import { ingestCase, ingestInput } from '../../../bench/cases/ingest.js';
import { measure } from '../../../bench/harness/measure.js';

describe('ingestCase', () => {
  it('feeds JSON lines of about 200 bytes, each an event with a user field', () => {
    const lines = ingestInput('quick');
    expect(lines).toHaveLength(200_000);
    const sizes = lines.slice(0, 1000).map((line) => Buffer.byteLength(line));
    const mean = sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
    expect(mean).toBeGreaterThan(170);
    expect(mean).toBeLessThan(230);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ user: expect.stringMatching(/^user-\d+$/), durationMs: expect.any(Number) });
  });

  it('has every implementation reach the floor totals', async () => {
    const sums = new Map<string, number[]>();
    for (const { impl } of ingestCase.implementations) {
      const { operations, runner } = ingestCase.load(impl, 'quick');
      const measured = await measure(runner, operations, { warmups: 0, runs: 1 });
      sums.set(impl, [measured.coldChecksum, ...measured.checksums]);
    }
    const floor = sums.get('plain loop')?.[0];
    expect(floor).toBeTypeOf('number');
    for (const [impl, values] of sums) expect({ impl, values }).toEqual({ impl, values: values.map(() => floor) });
  });
});
