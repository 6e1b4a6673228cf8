/**
 * The on-disk format of one journal segment (version 1): a header naming the segment's first
 * record, then frames, one per `append` call, each checksummed as a whole — so recovery keeps or
 * drops an append's records together, never some of them.
 *
 * ```
 * header, 20 bytes
 * 0    4  magic "SLJL"
 * 4    4  format version, u32 big-endian (1)
 * 8    8  index of the segment's first record, u64 big-endian (also its file name)
 * 16   4  crc32 of bytes 0..16
 *
 * frame, 20 + n bytes
 * 0    4  crc32 of bytes 4..20+n (everything after this field)
 * 4    4  n, payload length, u32 big-endian
 * 8    8  index of the frame's first record, u64 big-endian
 * 16   4  count of records, u32 big-endian, ≥ 1
 * 20   n  count × (u32 big-endian length m, m bytes of one encoded record)
 * ```
 *
 * The index in every frame lets a reader prove the sequence has no gap or repeat, and tells a
 * stale frame (old bytes in a reused disk block) from the one that belongs there.
 */
import { crc32 } from './crc32.js';

/** Bytes of a segment header. */
export const HEADER_BYTES = 20;
/** Bytes of a frame's fixed part, before the records. */
export const FRAME_HEADER_BYTES = 20;
/** Bytes of the length before each record. */
export const RECORD_PREFIX_BYTES = 4;
/** The format version this module writes and the only one it reads. */
export const FORMAT_VERSION = 1;

const MAGIC = Buffer.from('SLJL', 'latin1');
const TWO_32 = 2 ** 32;

/**
 * The header of a segment whose first record has index `first`.
 *
 * @example
 * ```ts
 * await handle.write(encodeSegmentHeader(0), 0, HEADER_BYTES, 0);
 * ```
 */
export function encodeSegmentHeader(first: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(FORMAT_VERSION, 4);
  writeIndex(header, 8, first);
  header.writeUInt32BE(crc32(header.subarray(0, 16)), 16);
  return header;
}

/**
 * Why `header` is not the header of a segment starting at `first`, or undefined when it is.
 *
 * @example
 * ```ts
 * const problem = checkSegmentHeader(bytes.subarray(0, HEADER_BYTES), 0);
 * ```
 */
export function checkSegmentHeader(header: Buffer, first: number): string | undefined {
  if (header.length < HEADER_BYTES) return `${header.length} bytes, shorter than the ${HEADER_BYTES}-byte header`;
  if (!header.subarray(0, 4).equals(MAGIC)) return 'bad magic';
  if (header.readUInt32BE(16) !== crc32(header.subarray(0, 16))) return 'header checksum mismatch';
  const version = header.readUInt32BE(4);
  if (version !== FORMAT_VERSION) return `unsupported format version ${version}`;
  const named = readIndex(header, 8);
  if (named !== first) return `header names first record ${named}, the file name ${first}`;
  return undefined;
}

/**
 * Builds one frame record by record, copying each encoded record in as soon as it is made (an
 * encoder may reuse its output buffer), growing by doubling.
 */
export class FrameBuilder {
  #bytes: Buffer;
  #length = FRAME_HEADER_BYTES;
  #count = 0;

  constructor(estimate = 256) {
    this.#bytes = Buffer.allocUnsafe(Math.max(FRAME_HEADER_BYTES + RECORD_PREFIX_BYTES, estimate));
  }

  /** Records added so far. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the frame so far. */
  get length(): number {
    return this.#length;
  }

  /** Adds one encoded record. */
  add(record: Uint8Array): void {
    const needed = this.#length + RECORD_PREFIX_BYTES + record.length;
    if (needed > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#bytes.length * 2));
      this.#bytes.copy(grown, 0, 0, this.#length);
      this.#bytes = grown;
    }
    this.#bytes.writeUInt32BE(record.length, this.#length);
    this.#bytes.set(record, this.#length + RECORD_PREFIX_BYTES);
    this.#length = needed;
    this.#count++;
  }

  /** The finished frame, its records numbered from `first`. */
  finish(first: number): Buffer {
    const frame = this.#bytes.subarray(0, this.#length);
    frame.writeUInt32BE(this.#length - FRAME_HEADER_BYTES, 4);
    writeIndex(frame, 8, first);
    frame.writeUInt32BE(this.#count, 16);
    frame.writeUInt32BE(crc32(frame.subarray(4)), 0);
    return frame;
  }
}

/** The bytes of the whole frame whose fixed part is `head` (at least {@link FRAME_HEADER_BYTES}). */
export function frameLength(head: Buffer): number {
  return FRAME_HEADER_BYTES + head.readUInt32BE(4);
}

/** A frame that checked out: its first record's index and views of its records' bytes. */
export interface DecodedFrame {
  readonly first: number;
  readonly records: readonly Buffer[];
}

/**
 * Checks one whole frame (exactly {@link frameLength} bytes) and splits it into records, or says
 * why it is not a frame.
 *
 * @example
 * ```ts
 * const frame = decodeFrame(bytes);
 * if (typeof frame === 'string') throw new Error(frame);
 * ```
 */
export function decodeFrame(frame: Buffer): DecodedFrame | string {
  if (frame.readUInt32BE(0) !== crc32(frame.subarray(4))) return 'checksum mismatch';
  // From here the bytes are what a writer produced; a failure below is a writer's bug or a
  // hand-made file, and is still reported rather than trusted.
  const first = readIndex(frame, 8);
  if (!Number.isSafeInteger(first)) return `malformed: first record index ${first} is not a safe integer`;
  const count = frame.readUInt32BE(16);
  if (count === 0) return 'malformed: a frame of no records';
  const records: Buffer[] = [];
  let offset = FRAME_HEADER_BYTES;
  for (let k = 0; k < count; k++) {
    if (frame.length - offset < RECORD_PREFIX_BYTES) return `malformed: record ${k} of ${count} runs past the frame`;
    const length = frame.readUInt32BE(offset);
    offset += RECORD_PREFIX_BYTES;
    if (length > frame.length - offset) return `malformed: record ${k} of ${count} runs past the frame`;
    records.push(frame.subarray(offset, offset + length));
    offset += length;
  }
  if (offset !== frame.length) return `malformed: ${frame.length - offset} bytes after the last record`;
  return { first, records };
}

function writeIndex(bytes: Buffer, offset: number, index: number): void {
  bytes.writeUInt32BE(Math.floor(index / TWO_32), offset);
  bytes.writeUInt32BE(index >>> 0, offset + 4);
}

function readIndex(bytes: Buffer, offset: number): number {
  return bytes.readUInt32BE(offset) * TWO_32 + bytes.readUInt32BE(offset + 4);
}
