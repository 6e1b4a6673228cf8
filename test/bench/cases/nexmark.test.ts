import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nexmarkBenchCase } from '../../../bench/cases/nexmark.js';
import { measure } from '../../../bench/harness/measure.js';
import { SLUICE_QUERIES } from '../../../bench/nexmark/cases.js';

/** Checkpoint folders of `name` left in the temp folder. */
function leftovers(name: string): string[] {
  return readdirSync(tmpdir()).filter((entry) => entry.startsWith(`sluice-bench-${name}-`));
}

describe('nexmarkBenchCase', () => {
  // A temp folder of this test's own, so a benchmark running beside the suite cannot look like a
  // leftover (os.tmpdir() reads TMPDIR on every call).
  const outerTmp = process.env['TMPDIR'];
  let ownTmp = '';
  beforeAll(() => {
    ownTmp = mkdtempSync(join(tmpdir(), 'sluice-nexmark-test-'));
    process.env['TMPDIR'] = ownTmp;
  });
  afterAll(() => {
    if (outerTmp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = outerTmp;
    rmSync(ownTmp, { recursive: true, force: true });
  });

  it.each(SLUICE_QUERIES)('runs %s as the model and as a checkpointed Sluice pipeline, to one checksum', async (query) => {
    const benchCase = nexmarkBenchCase(query);
    expect(benchCase.name).toBe(`nexmark-${query}`);
    expect(benchCase.implementations.map(({ role }) => role)).toEqual(['floor', 'sluice']);
    expect(benchCase.implementations[1]?.impl).toMatch(/checkpoints every 1 s$/);
    const checksums = [];
    for (const { impl } of benchCase.implementations) {
      const { operations, runner } = benchCase.load(impl, 'quick');
      expect(operations).toBe(query === 'q5' ? 25_000 : 50_000);
      checksums.push(...(await measure(runner, operations, { warmups: 0, runs: 1 })).checksums);
    }
    expect(checksums[1]).toBe(checksums[0]);
    expect(leftovers(benchCase.name)).toEqual([]);
  });
});
