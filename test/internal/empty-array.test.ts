import { describe, expect, it } from 'vitest';
import { emptyArray } from '../../src/internal/empty-array.js';

describe('emptyArray', () => {
  it('removes every element in place, and leaves an empty array empty', () => {
    const array = [1, 2, 3];
    emptyArray(array);
    expect(array).toEqual([]);
    emptyArray(array);
    expect(array).toHaveLength(0);
  });
});
