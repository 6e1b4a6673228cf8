import { describe, expect, it } from 'vitest';
import { clearSlots, emptyArray } from '../../src/internal/empty-array.js';

describe('emptyArray', () => {
  it('removes every element in place, and leaves an empty array empty', () => {
    const array = [1, 2, 3];
    emptyArray(array);
    expect(array).toEqual([]);
    emptyArray(array);
    expect(array).toHaveLength(0);
  });
});

describe('clearSlots', () => {
  it('sets the first count elements to undefined, keeping the length and the rest', () => {
    const held = { big: 'value' };
    const array: unknown[] = [held, 'b', 3, 'd'];
    clearSlots(array, 3);
    expect(array).toEqual([undefined, undefined, undefined, 'd']);
    expect(array).toHaveLength(4);
  });

  it('changes nothing for a count of 0', () => {
    const array = ['a'];
    clearSlots(array, 0);
    expect(array).toEqual(['a']);
  });
});
