/**
 * MurmurHash3, x86 32-bit variant, over bytes: a fast, well-distributed, non-cryptographic hash
 * whose output is fixed by its published reference, so a key hashes the same in every run, on every
 * machine and in every language that implements it.
 */
import { mix32 } from '../../internal/mix32.js';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * The MurmurHash3 x86_32 of `bytes` as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * murmur3(new TextEncoder().encode('abcd'), 0x9747b28c); // 0xf0478627
 * ```
 */
export function murmur3(bytes: Uint8Array, seed = 0): number {
  return murmur3Signed(bytes, seed) >>> 0;
}

/** {@link murmur3} as a signed 32-bit integer, which V8 returns unboxed; see {@link murmur3Finish}. */
export function murmur3Signed(bytes: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const length = bytes.length;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    h = murmur3Block(h, (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24));
  }
  const tail = length & 3;
  let k = 0;
  if (tail === 3) k ^= (bytes[blocks + 2] as number) << 16;
  if (tail >= 2) k ^= (bytes[blocks + 1] as number) << 8;
  if (tail > 0) k ^= bytes[blocks] as number;
  return murmur3Finish(h, k, tail, length);
}

/**
 * Mixes one 4-byte block (its bytes little-endian in `k`) into the hash state `h`: for hashing
 * bytes that are not in a Uint8Array, block by block, exactly as {@link murmur3} would.
 */
export function murmur3Block(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * The hash, from the state after the last whole block, the `tail` (0–3) bytes left (little-endian
 * in `k`) and the total `length` in bytes, as a signed 32-bit integer (`>>> 0` gives
 * {@link murmur3}'s unsigned value). Signed, because V8 keeps it unboxed across a call: an unsigned
 * result of 2³¹ or more would be returned as a heap number, an allocation per hash.
 */
export function murmur3Finish(h: number, k: number, tail: number, length: number): number {
  if (tail > 0) {
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  return mix32(h ^ length);
}
