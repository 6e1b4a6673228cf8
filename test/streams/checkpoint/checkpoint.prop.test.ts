/**
 * Stop anywhere, resume with any partition count, with or without injected crashes: the output of
 * a checkpointed job written through the exactly-once file sink holds every update once.
 */
import fc from 'fast-check';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromArray, pipeline, toJsonLinesFile, type Keyed, type PipelineHandle } from '../../../src/index.js';

function run(input: readonly string[], dir: string, partitions: number, batchSize: number, stopAfter: number, seed: number | undefined): PipelineHandle {
  let seen = 0;
  let handle: PipelineHandle | undefined;
  handle = pipeline(fromArray(input))
    .tap(() => {
      if (++seen === stopAfter) void handle?.stop();
    })
    .keyBy((word) => word, { partitions })
    .reduce((n: number) => n + 1, () => 0)
    .to(toJsonLinesFile<Keyed<string, number>>(join(dir, 'out.jsonl')))
    .run({
      checkpoint: { dir: join(dir, 'checkpoints'), interval: Infinity },
      batchSize,
      ...(seed === undefined ? {} : { chaos: { crashRate: 0.03, seed } }),
    });
  return handle;
}

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
        async (input, before, after, batchSize, stopSeed, crashSeed) => {
          const dir = await mkdtemp(join(tmpdir(), 'sluice-checkpoint-prop-'));
          try {
            const stopAfter = 1 + (stopSeed % input.length);
            const first = await run(input, dir, before, batchSize, stopAfter, crashSeed).done;
            const second = await run(input, dir, after, batchSize, Infinity, crashSeed).done;
            expect(first.recordsRead + second.recordsRead).toBe(input.length);
            const lines = (await readFile(join(dir, 'out.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
            const perKey = new Map<string, number[]>();
            for (const { key, value } of lines.map((l) => JSON.parse(l) as Keyed<string, number>)) perKey.set(key, [...(perKey.get(key) ?? []), value]);
            const totals = new Map<string, number>();
            for (const word of input) totals.set(word, (totals.get(word) ?? 0) + 1);
            expect(new Map([...perKey].map(([k, values]) => [k, values.length]))).toEqual(totals);
            for (const [key, values] of perKey) expect(values).toEqual(Array.from({ length: totals.get(key) ?? 0 }, (_, i) => i + 1));
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 40, timeout: 20_000 },
    );
  });
});
