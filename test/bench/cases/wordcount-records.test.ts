import { describe, expect, it } from 'vitest';
import { wordcountRecordsCase, wordRecordsInput } from '../../../bench/cases/wordcount-records.js';
import { checksumsOfEveryImplementation, expectAllEqual } from '../fixtures.js';

describe('wordcountRecordsCase', () => {
  it('counts records by their word field, with rising timestamps', () => {
    const records = wordRecordsInput('quick');
    expect(records).toHaveLength(200_000);
    expect(records.every((record, i) => typeof record.word === 'string' && (i === 0 || record.ts > (records[i - 1] as { ts: number }).ts))).toBe(true);
  });

  it('has every formulation reach the same counts as the plain loop', async () => {
    const checksums = await checksumsOfEveryImplementation(wordcountRecordsCase);
    expectAllEqual(checksums, checksums.get('plain loop')?.[0]);
    expect([...checksums.keys()]).toEqual([
      'plain loop',
      'node object-mode streams, router to 4 Writables',
      'node object-mode streams, one Transform',
      'rxjs groupBy partition (4) + reduce',
      'rxjs groupBy word + reduce',
      'effect Stream groupByKey partition (4) + runFold',
      'xstate, 4 actors by hash',
      'sluice pipeline, 4 partitions',
    ]);
  });
});
