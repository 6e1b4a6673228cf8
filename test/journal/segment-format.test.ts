import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Portable } from '../../src/journal/internal/crc32.js';
import {
  checkSegmentHeader,
  decodeFrame,
  encodeSegmentHeader,
  FRAME_HEADER_BYTES,
  FrameBuilder,
  frameLength,
} from '../../src/journal/internal/segment-format.js';

// Node 20.15 and later only; older ones have just the portable one to test.
const nativeCrc32 = (zlib as { crc32?: ((bytes: Uint8Array) => number) | undefined }).crc32;

function frameOf(first: number, records: readonly Uint8Array[]): Buffer {
  const builder = new FrameBuilder(8);
  for (const record of records) builder.add(record);
  return Buffer.from(builder.finish(first));
}

describe('crc32', () => {
  it('gives the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32Portable(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32Portable(new Uint8Array(0))).toBe(0);
  });

  it('agrees with zlib, whole or continued from a prefix', () => {
    if (nativeCrc32 === undefined) return;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
        const at = cut % (bytes.length + 1);
        expect(crc32Portable(bytes)).toBe(nativeCrc32(bytes));
        expect(crc32Portable(bytes.subarray(at), crc32Portable(bytes.subarray(0, at)))).toBe(nativeCrc32(bytes));
      }),
    );
  });
});

describe('segment header', () => {
  it('checks out for its own first record and no other', () => {
    const header = encodeSegmentHeader(2 ** 40 + 7);
    expect(checkSegmentHeader(header, 2 ** 40 + 7)).toBeUndefined();
    expect(checkSegmentHeader(header, 7)).toMatch(/names first record 1099511627783/);
    expect(checkSegmentHeader(header.subarray(0, 10), 2 ** 40 + 7)).toMatch(/shorter than/);
    const flipped = Buffer.from(header);
    flipped[12] = (flipped[12] as number) ^ 1;
    expect(checkSegmentHeader(flipped, 2 ** 40 + 7)).toBe('header checksum mismatch');
  });
});

describe('FrameBuilder and decodeFrame', () => {
  const records = fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 20 });
  const index = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 100 });

  it('round-trips any records and first index', () => {
    fc.assert(
      fc.property(records, index, (values, first) => {
        const frame = frameOf(first, values);
        expect(frameLength(frame)).toBe(frame.length);
        const decoded = decodeFrame(frame);
        if (typeof decoded === 'string') throw new Error(decoded);
        expect(decoded.first).toBe(first);
        expect(decoded.records.map((record) => [...record])).toEqual(values.map((value) => [...value]));
      }),
    );
  });

  it('refuses a frame with any one bit flipped', () => {
    fc.assert(
      fc.property(records, index, fc.nat(), fc.integer({ min: 0, max: 7 }), (values, first, at, bit) => {
        const frame = frameOf(first, values);
        const position = at % frame.length;
        frame[position] = (frame[position] as number) ^ (1 << bit);
        // A flipped length makes the frame a different size; the reader sees that first.
        if (frameLength(frame.subarray(0, FRAME_HEADER_BYTES)) !== frame.length) return;
        expect(typeof decodeFrame(frame)).toBe('string');
      }),
    );
  });

  it('refuses an all-zero frame, what a torn write often leaves', () => {
    expect(decodeFrame(Buffer.alloc(FRAME_HEADER_BYTES))).toBe('checksum mismatch');
  });
});
