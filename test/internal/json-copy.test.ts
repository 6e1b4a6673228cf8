import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonCopy } from '../../src/internal/json-copy.js';

/** What JSON hands back for `value`, or the kind of error it throws. */
function throughJson(value: unknown): { readonly value: unknown } | { readonly error: string } {
  try {
    const text = JSON.stringify(value) as string | undefined;
    return { value: text === undefined ? undefined : JSON.parse(text) };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

function copied(value: unknown): { readonly value: unknown } | { readonly error: string } {
  try {
    return { value: jsonCopy(value) };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

/** The objects reachable from `value` (arrays and plain objects), to check a copy shares none. */
function objectsIn(value: unknown, into = new Set<object>()): Set<object> {
  if (value === null || typeof value !== 'object' || into.has(value)) return into;
  into.add(value);
  for (const inner of Object.values(value)) objectsIn(inner, into);
  return into;
}

describe('jsonCopy', () => {
  it('hands back what JSON.parse(JSON.stringify(value)) does, or throws as it does, for any value', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), anything), (value) => {
        const copy = copied(value);
        expect(copy).toStrictEqual(throughJson(value));
        if ('value' in copy) {
          const shared = objectsIn(value);
          for (const object of objectsIn(copy.value)) expect(shared.has(object)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('writes non-finite numbers and -0 as JSON does, and leaves out what JSON leaves out', () => {
    const copy = jsonCopy({ nan: NaN, inf: -Infinity, zero: -0, gone: undefined, fn: () => 1, list: [undefined, Symbol('s'), NaN] });
    expect(copy).toStrictEqual({ nan: null, inf: null, zero: 0, list: [null, null, null] });
    expect(Object.is((copy as { zero: number }).zero, 0)).toBe(true);
  });

  it('hands a toJSON, a class instance, a Map or an own __proto__ key to JSON', () => {
    expect(jsonCopy({ at: new Date(5) })).toEqual({ at: '1970-01-01T00:00:00.005Z' });
    expect(jsonCopy({ map: new Map([['a', 1]]) })).toEqual({ map: {} });
    expect(jsonCopy({ custom: { toJSON: () => 'mine' } })).toEqual({ custom: 'mine' });
    const own = JSON.parse('{"__proto__": {"polluted": true}}') as object;
    const copy = jsonCopy(own);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('throws as JSON does for a cycle or a bigint', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => jsonCopy(cycle)).toThrow(TypeError);
    expect(() => jsonCopy({ big: 1n })).toThrow(TypeError);
    expect(jsonCopy(undefined)).toBeUndefined();
  });
});
