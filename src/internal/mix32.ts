/**
 * MurmurHash3's 32-bit finalizer (fmix32): every input bit affects every output bit, so even the low
 * bits of the result are well mixed. Returns a signed 32-bit integer, which V8 keeps unboxed.
 */
export function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
