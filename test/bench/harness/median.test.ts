import { describe, expect, it } from 'vitest';
import { median } from '../../../bench/harness/median.js';

describe('median', () => {
  it('returns the middle value of an odd count, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([5])).toBe(5);
  });

  it('returns the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('leaves its input unsorted', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('throws for no values', () => {
    expect(() => median([])).toThrow(/at least one value/);
  });
});
