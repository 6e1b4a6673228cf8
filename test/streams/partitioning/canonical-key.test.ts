import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidKeyError, canonicalKeyBytes, type PartitionKey } from '../../../src/index.js';
import { partitionKeyArb } from './arbitraries.js';

const hex = (key: unknown) => Buffer.from(canonicalKeyBytes(key)).toString('hex');

describe('canonicalKeyBytes', () => {
  it('encodes a tuple as its tag and length, then each element with its own tag', () => {
    expect(hex(['a', 1])).toBe('0700000002040000000161033ff0000000000000');
  });

  it('gives equal keys equal bytes, however they were built', () => {
    expect(hex(['tenant', 7])).toBe(hex(['ten' + 'ant', 3 + 4]));
    expect(hex(new Uint8Array([1, 2]))).toBe(hex(Uint8Array.from([1, 2])));
  });

  it('writes -0 as 0 and every NaN as one NaN', () => {
    expect(hex(-0)).toBe(hex(0));
    expect(hex(Number.NaN)).toBe(hex(0 / 0));
  });

  it('keeps keys of different types apart', () => {
    const keys: PartitionKey[] = ['1', 1, 1n, true, 'true', null, 'null', new Uint8Array([0x31]), ['1'], [[]], []];
    expect(new Set(keys.map(hex)).size).toBe(keys.length);
  });

  it('is injective: different keys never share bytes', () => {
    fc.assert(
      fc.property(partitionKeyArb, partitionKeyArb, (a, b) => {
        const same = hex(a) === hex(b);
        expect(same).toBe(sameKey(a, b));
      }),
    );
  });

  it.each([
    ['an object', { id: 1 }],
    ['undefined', undefined],
    ['a symbol', Symbol('k')],
    ['a function', () => 1],
    ['a Date', new Date(0)],
  ])('refuses %s with InvalidKeyError carrying the key', (_what, key) => {
    let thrown: unknown;
    try {
      canonicalKeyBytes(key);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidKeyError);
    expect((thrown as InvalidKeyError).key).toBe(key);
    expect((thrown as InvalidKeyError).code).toBe('INVALID_KEY');
  });

  it('refuses tuples nested deeper than 16 levels', () => {
    let key: PartitionKey = 'leaf';
    for (let i = 0; i < 17; i++) key = [key];
    expect(() => canonicalKeyBytes(key)).toThrow(InvalidKeyError);
  });
});

/** Key equality as partitioning defines it (-0 equals 0, NaN equals NaN, bytes by content). */
function sameKey(a: PartitionKey, b: PartitionKey): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameKey(x, b[i] as PartitionKey));
  return a === b;
}
