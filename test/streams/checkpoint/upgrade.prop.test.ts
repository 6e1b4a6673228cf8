/**
 * A live swap at any record, to any partition count, with or without injected crashes: every word
 * is counted once, those before the swap by the version that ran, the rest by the next one; and
 * when the next version cannot start, the previous one goes on from the same point to the output of
 * a run that was never upgraded. Either way the host is left as it was found.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DroppedStateError, MemoryCheckpointStorage, UpgradeFailedError, fromArray, type PipelineHandle, type PipelineResult } from '../../../src/index.js';
import { guardHost, nextMacrotask } from '../../helpers/host-guard.js';
import { brokenVersion, expectCountedOnce, version1, version2, type VersionOutput } from './upgrade-versions.js';

describe('PipelineHandle', () => {
  describe('upgrade', () => {
    it('counts every record once across a swap at any record, and goes on with the previous version when the next cannot start', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom('ada', 'bob', 'cy', 'dee', 'eve'), { minLength: 1, maxLength: 200 }),
          fc.nat(),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 16 }),
          fc.option(fc.integer(), { nil: undefined }),
          fc.boolean(),
          async (input, atSeed, before, after, batchSize, crashSeed, nextFails) => {
            const guard = guardHost();
            try {
              // The swap is asked for by the first version itself, right after it read word `at`.
              const at = 1 + (atSeed % input.length);
              const source = fromArray(input);
              const out: VersionOutput = [];
              const storage = new MemoryCheckpointStorage();
              const next = (nextFails ? brokenVersion : version2)({ source, partitions: after, out });
              let handle: PipelineHandle | undefined;
              let upgrading: Promise<PipelineHandle> | undefined;
              const first = version1({
                source,
                partitions: before,
                out,
                onWord: (seen) => {
                  if (seen === at) upgrading = (handle as PipelineHandle).upgrade(next);
                },
              });
              handle = first.run({
                checkpoint: { storage, interval: Infinity },
                batchSize,
                ...(crashSeed === undefined ? {} : { chaos: { crashRate: 0.03, seed: crashSeed } }),
              });
              const stopped = await handle.done;
              expect(stopped).toMatchObject({ stopped: true, recordsRead: at, checkpoints: 1 });
              const swapped = await (upgrading as Promise<PipelineHandle>).then(
                (h) => ({ handle: h, error: undefined }),
                (error: unknown) => ({ handle: undefined, error }),
              );
              let rest: PipelineResult;
              if (nextFails) {
                expect(swapped.error).toBeInstanceOf(UpgradeFailedError);
                const failure = swapped.error as UpgradeFailedError;
                expect(failure.cause).toBeInstanceOf(DroppedStateError);
                expect((failure.cause as DroppedStateError).dropped).toEqual(['reduce']);
                rest = await failure.previous.done;
                expectCountedOnce(out, input, [], [1]);
              } else {
                expect(swapped.error).toBeUndefined();
                rest = await (swapped.handle as PipelineHandle).done;
                expectCountedOnce(out, input, [at], [1, 2]);
              }
              expect(rest).toMatchObject({ resumedFrom: 1, recordsRead: input.length - at, stopped: false });
              await nextMacrotask();
              await nextMacrotask();
              expect(guard.unhandled).toEqual([]);
              expect(guard.leftoverHandles(), 'timers and immediates left').toBeLessThanOrEqual(0);
            } finally {
              guard.stop();
            }
          },
        ),
        { numRuns: 150, timeout: 20_000 },
      );
    });
  });
});
