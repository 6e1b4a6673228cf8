import { afterEach, describe, expect, it, vi } from 'vitest';
import { FIRST_RECORD_LINE, firstRecordAt, markingFirstRecord } from '../../../bench/cluster/first-record.js';

describe('markingFirstRecord', () => {
  afterEach(() => vi.restoreAllMocks());

  it('says on standard error when the first record came, once, and passes every record through the step', () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    vi.spyOn(Date, 'now').mockReturnValue(1_767_225_600_123);
    const step = markingFirstRecord((n: number) => n * 2);
    expect([1, 2, 3].map(step)).toEqual([2, 4, 6]);
    expect(written).toEqual([`${FIRST_RECORD_LINE}1767225600123\n`]);
  });
});

describe('firstRecordAt', () => {
  it('reads the earliest time the processes said, among their other lines', () => {
    const stderr = ['sluice worker: worker w2 joined job j', `${FIRST_RECORD_LINE}1767225600500`, `${FIRST_RECORD_LINE}1767225600123`, ''].join('\n');
    expect(firstRecordAt(stderr)).toBe(1_767_225_600_123);
  });

  it('is undefined when no process said it', () => {
    expect(firstRecordAt('sluice worker: worker w1 joined job j\n')).toBeUndefined();
    expect(firstRecordAt(`${FIRST_RECORD_LINE}soon\n`)).toBeUndefined();
  });
});
