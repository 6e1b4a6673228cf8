/** `run({ dispatcher })`: how a run's actors share the event loop with the host. */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, fromArray, pipeline, toArray, type Keyed } from '../../../src/index.js';

describe('RunOptions.dispatcher', () => {
  it('runs with a smaller turn budget and message budget, and gives the same result', async () => {
    const counts = toArray<Keyed<number, number>>();
    const result = await pipeline(fromArray(Array.from({ length: 10_000 }, (_, i) => i)))
      .keyBy((n) => n % 7, { partitions: 3 })
      .reduce(
        (count: number) => count + 1,
        () => 0,
        { emit: 'final' },
      )
      .to(counts)
      .run({ dispatcher: { turnBudgetMs: 0.5, messageBudget: 1 } }).done;
    expect(result.recordsRead).toBe(10_000);
    expect(counts.records.map(({ value }) => value).reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  it('names an invalid budget', () => {
    const build = () => pipeline(fromArray([1])).to(toArray<number>());
    expect(() => build().run({ dispatcher: { turnBudgetMs: 0 } })).toThrow(InvalidOptionError);
    expect(() => build().run({ dispatcher: { turnBudgetMs: 0 } })).toThrow(/dispatcher\.turnBudgetMs/);
  });
});
