/**
 * Stop anywhere, resume with any partition count, with or without injected crashes, reading an array,
 * chunks or batches of items with offsets of their own: the output of a checkpointed job written through the
 * exactly-once file sink holds every update once.
 */
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkedSource } from '../sources/chunked-source.js';
import { countWords, expectExactlyOnce } from './word-count-job.js';

describe('pipeline checkpoints', () => {
  it('writes every update exactly once across a stop and a resume, whatever the partitions, batches and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('ada', 'bob', 'cy', 'dee', 'eve'), { minLength: 1, maxLength: 150 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 16 }),
        fc.nat(),
        fc.option(fc.integer(), { nil: undefined }),
        fc.option(fc.array(fc.nat({ max: 150 }), { maxLength: 6 }), { nil: undefined }),
        fc.constantFrom('chunks' as const, 'batches' as const),
        async (input, before, after, batchSize, stopSeed, crashSeed, cuts, via) => {
          const dir = await mkdtemp(join(tmpdir(), 'sluice-checkpoint-prop-'));
          try {
            const stopAfter = 1 + (stopSeed % input.length);
            const chaos = crashSeed === undefined ? undefined : { crashRate: 0.03, seed: crashSeed };
            // With cuts, the words come in chunks of their own arrays (read in place, or as batches
            // of items as from a file), with offsets that are not indexes.
            const source = cuts === undefined ? undefined : chunkedSource(input, cuts, via);
            const first = await countWords({ input, dir, partitions: before, batchSize, stopAfter, chaos, source }).done;
            const second = await countWords({ input, dir, partitions: after, batchSize, chaos, source }).done;
            expect(first.recordsRead + second.recordsRead).toBe(input.length);
            await expectExactlyOnce(dir, input);
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 40, timeout: 20_000 },
    );
  });
});
