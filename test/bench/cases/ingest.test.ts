import { describe, expect, it } from 'vitest';
import { ingestCase, ingestInput } from '../../../bench/cases/ingest.js';
import { checksumsOfEveryImplementation, expectAllEqual } from '../fixtures.js';

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
    const checksums = await checksumsOfEveryImplementation(ingestCase);
    expectAllEqual(checksums, checksums.get('plain loop')?.[0]);
  });
});
