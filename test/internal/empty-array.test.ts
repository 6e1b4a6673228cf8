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
  it('sets the elements from `from` up to `to` to undefined, keeping the length and the rest', () => {
    const held = { big: 'value' };
    const array: unknown[] = ['a', held, 3, 'd'];
    clearSlots(array, 1, 3);
    expect(array).toEqual(['a', undefined, undefined, 'd']);
    expect(array).toHaveLength(4);
  });

  it('changes nothing for an empty or reversed range', () => {
    const array = ['a', 'b'];
    clearSlots(array, 1, 1);
    clearSlots(array, 2, 0);
    expect(array).toEqual(['a', 'b']);
  });
});
