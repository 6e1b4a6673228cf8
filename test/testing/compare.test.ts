import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonical, compareOutputs, sameCanonical } from '../../src/testing/internal/compare.js';

/** Values and near copies of them: equal ones, and ones one small change away. */
const pairs = fc
  .anything({ withMap: true, withSet: true, withDate: true, withBigInt: true, withNullPrototype: true, withSparseArray: true })
  .chain((value) =>
    fc.tuple(
      fc.constant(value),
      fc.oneof(
        fc.constant(structuredClone(value)),
        fc.anything({ withMap: true, withSet: true, withDate: true, withBigInt: true, withSparseArray: true }),
        fc.constant(Array.isArray(value) ? [...value, 0] : { ...(value as object), extra: 1 }),
      ),
    ),
  );

describe('sameCanonical', () => {
  it('says what comparing canonical texts says', () => {
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        expect(sameCanonical(a, b)).toBe(canonical(a) === canonical(b));
        expect(sameCanonical(b, a)).toBe(canonical(a) === canonical(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('compares structure, not identity or key order', () => {
    expect(sameCanonical({ a: 1, b: [2, { c: 3 }] }, { b: [2, { c: 3 }], a: 1 })).toBe(true);
    expect(sameCanonical({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameCanonical([1, , 3], [1, undefined, 3])).toBe(false);
    expect(sameCanonical(NaN, NaN)).toBe(true);
    expect(sameCanonical(0, -0)).toBe(true);
    expect(sameCanonical(1, '1')).toBe(false);
    expect(sameCanonical(new Map([[1, 'a']]), new Map([[1, 'a']]))).toBe(true);
    expect(sameCanonical(new Set([1, 2]), new Set([2, 1]))).toBe(true);
    expect(sameCanonical(new Date(5), new Date(6))).toBe(false);
    expect(canonical(new Date(Number.NaN))).toBe('Date(invalid)');
  });
});

describe('compareOutputs', () => {
  it('finds the first record that differs in a key’s order', () => {
    const out = (key: string, value: number) => ({ key, value });
    const difference = compareOutputs([out('a', 1), out('b', 1), out('a', 3)], [out('a', 1), out('a', 2), out('b', 1)], 'per-key-order', (r) => r.key);
    expect(difference?.summary).toBe('the output for key "a" differs from the model at position 1');
    expect(compareOutputs([out('b', 1), out('a', 1)], [out('a', 1), out('b', 1)], 'per-key-order', (r) => r.key)).toBeUndefined();
  });

  it('groups per-key-order output by keys equal as canonical texts: 0 and -0, NaN, objects by content', () => {
    const keyed = (key: unknown, value: number) => ({ key, value });
    const actual = [keyed(-0, 1), keyed({ a: 1, b: 2 }, 1), keyed(Number.NaN, 1), keyed('0', 1)];
    const expected = [keyed(0, 1), keyed({ b: 2, a: 1 }, 1), keyed(Number.NaN, 1), keyed('0', 1)];
    expect(compareOutputs(actual, expected, 'per-key-order', (r) => r.key)).toBeUndefined();
    expect(compareOutputs([keyed('0', 1)], [keyed(0, 1)], 'per-key-order', (r) => r.key)?.summary).toBe(
      'the output for key 0 differs from the model at position 0',
    );
  });
});
