/**
 * A job on worker threads computes what it computes on one: for random lines, partition counts,
 * thread counts (1 to 4) and injected crashes, the output holds the same records, and each key's
 * running counts come in the same order, as on a single thread. Through one keyed stage (the head
 * steps on the threads, their outputs merged back into source order), through two (partitions
 * sending to partitions on other threads), and with event time (the head on the main thread).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Keyed } from '../../src/index.js';
import wordCount, { lastOutput, twoStages, windows, type WordArgs } from './fixtures/jobs.job.js';

const word = fc.constantFrom('ant', 'bee', 'cat', 'dog', 'eel', 'fox', 'gnu', 'hen', 'owl', 'yak');
const line = fc.array(word, { minLength: 0, maxLength: 6 }).map((words) => words.join(' '));
const lines = fc.array(line, { minLength: 0, maxLength: 400 });
const crashes = fc.option(fc.record({ crashRate: fc.constantFrom(0.002, 0.01), seed: fc.nat(1_000) }), { nil: undefined });

/** The output in a canonical order, and each key's values in the order they arrived. */
function canonical(records: readonly Keyed<unknown, unknown>[]): { sorted: string[]; perKey: Map<string, unknown[]> } {
  const perKey = new Map<string, unknown[]>();
  for (const { key, value } of records) {
    const id = JSON.stringify(key);
    perKey.set(id, [...(perKey.get(id) ?? []), value]);
  }
  return { sorted: records.map((record) => JSON.stringify(record)).sort(), perKey };
}

// Each case starts threads (0.3–1 s each, more under load): the whole property takes its time.
describe('a job on worker threads', { timeout: 180_000 }, () => {
  it('counts words as one thread does, for any lines, partitions, threads and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(lines, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 4 }), crashes, async (input, partitions, workers, chaos) => {
        const args: WordArgs = { lines: input, partitions };
        await wordCount.run({ args }).done;
        const expected = canonical(lastOutput() as Keyed<string, number>[]);
        const result = await wordCount.run({ args, workers, ...(chaos === undefined ? {} : { chaos }) }).done;
        const actual = canonical(lastOutput() as Keyed<string, number>[]);
        expect(actual.sorted).toEqual(expected.sorted);
        expect(actual.perKey).toEqual(expected.perKey);
        expect(result.recordsRead).toBe(input.length);
      }),
      { numRuns: 6 },
    );
  });

  it('passes records between partitions on different threads, exactly once under crashes', async () => {
    await fc.assert(
      fc.asyncProperty(lines, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 4 }), crashes, async (input, partitions, workers, chaos) => {
        const args: WordArgs = { lines: input, partitions };
        await twoStages.run({ args }).done;
        const expected = canonical(lastOutput() as Keyed<number, number>[]).sorted;
        await twoStages.run({ args, workers, ...(chaos === undefined ? {} : { chaos }) }).done;
        expect(canonical(lastOutput() as Keyed<number, number>[]).sorted).toEqual(expected);
      }),
      { numRuns: 4 },
    );
  });

  /** Windows on threads against one thread: the same records out, the same late records counted. */
  const event = fc.record({ user: fc.constantFrom('ann', 'bob', 'cy'), at: fc.integer({ min: 0, max: 60_000 }) });
  const windowsLikeOneThread = fc.asyncProperty(
    fc.array(event, { maxLength: 300 }),
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 2, max: 3 }),
    async (events, partitions, workers) => {
      const first = await windows.run({ args: { events, partitions } }).done;
      const expected = lastOutput()
        .map((record) => JSON.stringify(record))
        .sort();
      const threaded = await windows.run({ args: { events, partitions }, workers }).done;
      expect(
        lastOutput()
          .map((record) => JSON.stringify(record))
          .sort(),
      ).toEqual(expected);
      expect(threaded.lateRecords).toBe(first.lateRecords);
    },
  );

  it('windows event time as one thread does, late records included', async () => {
    await fc.assert(windowsLikeOneThread, { numRuns: 3 });
  });

  it('counts late records reported by the threads in the result, however late their reports come', async () => {
    // The replay of a run of the property above that once lost the threads' late records from the
    // result: the sink finished before the threads' reports of them arrived on their control ports.
    await fc.assert(windowsLikeOneThread, { seed: 1717269882, path: '1:25:8', endOnFailure: true });
  });
});
