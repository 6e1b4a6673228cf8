import { describe, expect, it } from 'vitest';
import { murmur3 } from '../../../src/index.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('murmur3', () => {
  // Published MurmurHash3 x86_32 vectors; every tail length (0–3 bytes past a block) is covered.
  it.each([
    ['', 0, 0x00000000],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['a', 0x9747b28c, 0x7fa09ea6],
    ['ab', 0x9747b28c, 0x74875592],
    ['abc', 0x9747b28c, 0xc84a62dd],
    ['abcd', 0x9747b28c, 0xf0478627],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  ])('hashes %j with seed %i to the reference value', (text, seed, expected) => {
    expect(murmur3(utf8(text), seed)).toBe(expected);
  });

  it('hashes four zero bytes to the reference value', () => {
    expect(murmur3(new Uint8Array(4), 0)).toBe(0x2362f9de);
  });

  it('returns an unsigned 32-bit integer', () => {
    for (let n = 0; n < 200; n++) {
      const hash = murmur3(utf8(`key-${n}`));
      expect(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff).toBe(true);
    }
  });
});
