import { describe, expect, it } from 'vitest';
import { wordcountCase } from '../../../bench/cases/wordcount.js';
import { checksumsOfEveryImplementation, expectAllEqual } from '../fixtures.js';

describe('wordcountCase', () => {
  it('compares the row on 2 worker threads with the one on this thread', () => {
    expect(wordcountCase.implementations.filter((implementation) => implementation.role === 'sluice')).toEqual([
      { impl: 'sluice pipeline, 4 partitions', role: 'sluice' },
      { impl: 'sluice pipeline, 4 partitions, 2 workers', role: 'sluice', compareWith: ['sluice pipeline, 4 partitions'] },
    ]);
  });

  it('has every implementation reach the floor counts, on one thread or on two workers', async () => {
    const checksums = await checksumsOfEveryImplementation(wordcountCase);
    expectAllEqual(checksums, checksums.get('plain loop')?.[0]);
  }, 120_000);
});
