/**
 * The format of one snapshot (version 1), as a snapshot file holds it; the PostgreSQL store keeps
 * the same bytes, cut into rows. A file is either proven intact — right magic, version and length,
 * checksum over every byte, well-formed frames, the expected key, sequence and entry count — or
 * rejected with a reason; there is no partial read.
 *
 * ```
 * offset   size  field
 * 0        4     magic "SLSN"
 * 4        4     format version, u32 big-endian (1)
 * 8        8     file length in bytes, u64 big-endian (preamble + frames + checksum)
 * 16       8     entry count, u64 big-endian
 * 24       ...   frames, each a u32 big-endian length n ≥ 1 and n bytes of msgpack:
 *                  frame 0     header { key, sequence, meta }
 *                  frames 1…   one chunk each: an array of 1..chunkSize [key, value] pairs
 * length-32  32  checksum: sha256(bytes 0..24 ‖ sha256(bytes 24..length-32))
 * ```
 *
 * The preamble carries the length and entry count, which are known only after the last chunk is
 * written (entries are read lazily), so it is written last, in place; the body is hashed as it
 * streams out and the preamble is folded into the final digest, which therefore covers every byte.
 * sha256 rather than crc32: it is in node:crypto on every Node 20 (zlib.crc32 arrived in 20.15),
 * it hashes at ~1.6 GB/s here (about 12 ms for a million-entry, 20 MB snapshot), and it misses a
 * corruption of any shape — torn pages, runs of zeros, scattered flips — with odds of 2⁻²⁵⁶,
 * where crc32 catches every burst up to 32 bits but misses a random corruption once in 2³².
 *
 * Values are encoded by msgpackr with records and `moreTypes`, which round-trips `undefined`, `null`,
 * booleans, strings, numbers (`-0` comes back as `0`), bigints, arrays, plain objects, `Map` (any
 * keys), `Set`, `Date` (millisecond precision), typed arrays, `Buffer`, and `Error` (message only).
 * Class instances come back as plain objects and functions as `undefined`; a symbol cannot be
 * encoded and makes the save reject; msgpackr renames a property called `__proto__`.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Packr, Unpackr } from 'msgpackr';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';
import { readEntryChunks, yieldToEventLoop } from './chunks.js';
import type { RestoredSnapshot, Snapshot, SnapshotEntry } from './snapshot-store.js';

/**
 * The format version this module writes and the only one it reads; a file of another version is
 * skipped as damaged rather than guessed at.
 *
 * @example
 * ```ts
 * (await readFile(path)).readUInt32BE(4) === FORMAT_VERSION;
 * ```
 */
export const FORMAT_VERSION = 1;

const MAGIC = Buffer.from('SLSN', 'latin1');
const PREAMBLE_BYTES = 24; // magic, version, length, entry count
const CHECKSUM_BYTES = 32;
const FRAME_PREFIX_BYTES = 4;
const MAX_FRAME_BYTES = 0xffff_ffff;
// Hashing a whole file in one call would block for ~20 ms per 30 MB; slices keep each step short.
const HASH_SLICE_BYTES = 4 * 1024 * 1024;

// Records keep plain objects and Maps apart (plain msgpack maps cannot), and without shared
// `structures` every pack call carries its own record definitions, so each frame decodes alone.
const packr = new Packr(MSGPACK_OPTIONS);

/** What {@link writeSnapshotFile} wrote. */
export interface WrittenSnapshot {
  /** Bytes in the file. */
  readonly bytes: number;
  /** Entries in the file. */
  readonly entries: number;
}

/**
 * Where {@link encodeSnapshot} puts a snapshot's bytes, `parts` one after another from `position`.
 * The calls come in this order, each awaited before the next: the frames, in order and without gaps,
 * from byte 24; then the 32-byte checksum right after them; last, the 24-byte preamble at byte 0
 * (its length and entry count are known only once every chunk is read). A file is written in place;
 * a store without files can hold back the start until the preamble arrives and stream the rest.
 */
export type SnapshotWriter = (parts: readonly Buffer[], position: number) => Promise<void>;

/**
 * Encodes `snapshot` of `key` in the format above through `write`, a chunk of `chunkSize` entries at
 * a time with a yield to the event loop between chunks.
 *
 * @throws (rejects) InvalidOptionError naming `entries` when they are not pairs, the encoder's error
 *   when a value cannot be encoded, or what `write` rejected with; what was written is then
 *   incomplete and must be discarded.
 *
 * @example
 * ```ts
 * const pieces = new Map<number, Buffer>();
 * await encodeSnapshot(async (parts, position) => void pieces.set(position, Buffer.concat(parts)), 'counter', { sequence: 1, meta: {} }, 10_000);
 * ```
 */
export async function encodeSnapshot(write: SnapshotWriter, key: string, snapshot: Snapshot, chunkSize: number): Promise<WrittenSnapshot> {
  const body = createHash('sha256');
  let position = PREAMBLE_BYTES;
  const appendFrame = async (payload: Buffer): Promise<void> => {
    if (payload.length >= MAX_FRAME_BYTES) {
      throw new RangeError(`A snapshot frame of ${payload.length} bytes exceeds the 4 GiB frame limit`);
    }
    const prefix = Buffer.allocUnsafe(FRAME_PREFIX_BYTES);
    prefix.writeUInt32BE(payload.length, 0);
    body.update(prefix);
    body.update(payload);
    await write([prefix, payload], position);
    position += prefix.length + payload.length;
  };

  await appendFrame(packr.pack({ key, sequence: snapshot.sequence, meta: snapshot.meta }));
  let entries = 0;
  for await (const chunk of readEntryChunks(snapshot.entries, chunkSize)) {
    await appendFrame(packr.pack(chunk));
    entries += chunk.length;
  }

  const bytes = position + CHECKSUM_BYTES;
  const preamble = encodePreamble(bytes, entries);
  await write([checksum(preamble, body)], position);
  await write([preamble], 0);
  return { bytes, entries };
}

/**
 * Writes `snapshot` of `key` into the empty file behind `handle` ({@link encodeSnapshot} into a
 * file). It does not sync or close the handle.
 *
 * @throws (rejects) as {@link encodeSnapshot}, or the file system's error; the file is then
 *   incomplete and must be discarded.
 *
 * @example
 * ```ts
 * const handle = await open(tempPath, 'wx');
 * await writeSnapshotFile(handle, 'counter', { sequence: 1, meta: {} }, 10_000);
 * await handle.sync();
 * ```
 */
export function writeSnapshotFile(handle: FileHandle, key: string, snapshot: Snapshot, chunkSize: number): Promise<WrittenSnapshot> {
  return encodeSnapshot((parts, position) => writeAll(handle, parts, position), key, snapshot, chunkSize);
}

/** Where a decoded file must come from; a file whose header says otherwise is rejected. */
export interface ExpectedSnapshot {
  readonly key: string;
  readonly sequence: number;
}

/** The outcome of {@link decodeSnapshotFile}: the snapshot, or why the file is not intact. */
export type DecodeResult = { readonly intact: true; readonly snapshot: RestoredSnapshot } | { readonly intact: false; readonly reason: string };

/**
 * Checks and decodes the bytes of one snapshot file, yielding to the event loop between hash
 * slices and between chunks. With `entries: false` it proves the file intact (preamble, checksum,
 * header) without decoding the chunks, and the returned snapshot has no entries.
 *
 * @example
 * ```ts
 * const result = await decodeSnapshotFile(await readFile(path), { key: 'counter', sequence: 7 });
 * if (result.intact) use(result.snapshot); else report(result.reason);
 * ```
 */
export async function decodeSnapshotFile(
  bytes: Buffer,
  expected: ExpectedSnapshot,
  options: { readonly entries?: boolean | undefined } = {},
): Promise<DecodeResult> {
  const damaged = (reason: string): DecodeResult => ({ intact: false, reason });
  const size = bytes.length;
  const preambleShort = `truncated: ${size} bytes, shorter than the ${PREAMBLE_BYTES}-byte preamble`;

  // Each preamble field is checked exactly, in order, so the reason names the first thing wrong.
  if (size >= MAGIC.length && !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return damaged('bad magic');
  if (size < 8) return damaged(preambleShort);
  const version = bytes.readUInt32BE(4);
  if (version !== FORMAT_VERSION) return damaged(`unsupported format version ${version}`);
  if (size < PREAMBLE_BYTES) return damaged(preambleShort);
  const declared = bytes.readBigUInt64BE(8);
  if (BigInt(size) < declared) return damaged(`truncated: ${size} of ${declared} bytes`);
  if (BigInt(size) > declared) return damaged(`${size} bytes where the preamble declares ${declared}`);
  if (size < PREAMBLE_BYTES + CHECKSUM_BYTES) {
    return damaged(`malformed: ${size} bytes leave no room for a checksum`);
  }
  const entryCount = bytes.readBigUInt64BE(16);

  const end = size - CHECKSUM_BYTES;
  const body = createHash('sha256');
  for (let offset = PREAMBLE_BYTES; offset < end; offset += HASH_SLICE_BYTES) {
    if (offset > PREAMBLE_BYTES) await yieldToEventLoop();
    body.update(bytes.subarray(offset, Math.min(end, offset + HASH_SLICE_BYTES)));
  }
  if (!checksum(bytes.subarray(0, PREAMBLE_BYTES), body).equals(bytes.subarray(end))) {
    return damaged('checksum mismatch');
  }

  // From here the bytes are exactly what a writer produced, so a failure below is a writer's bug
  // or a hand-made file; it is still reported rather than trusted.
  const unpackr = new Unpackr({ ...MSGPACK_OPTIONS, copyBuffers: true }); // no views into `bytes`
  let offset = PREAMBLE_BYTES;
  const nextFrame = (): Buffer | string => {
    if (end - offset < FRAME_PREFIX_BYTES) return `malformed: frame length at ${offset} runs past the frames`;
    const length = bytes.readUInt32BE(offset);
    const start = offset + FRAME_PREFIX_BYTES;
    if (length === 0 || length > end - start) return `malformed: frame of ${length} bytes at ${offset}`;
    offset = start + length;
    return bytes.subarray(start, offset);
  };
  const decode = (frame: Buffer): { value: unknown } | string => {
    try {
      return { value: unpackr.unpack(frame) as unknown };
    } catch (error) {
      return `malformed: ${error instanceof Error ? error.message : String(error)}`;
    }
  };

  const headerFrame = nextFrame();
  if (typeof headerFrame === 'string') return damaged(headerFrame);
  const header = decode(headerFrame);
  if (typeof header === 'string') return damaged(header);
  const fields = header.value as { key?: unknown; sequence?: unknown; meta?: unknown } | null;
  if (typeof fields !== 'object' || fields === null || !('meta' in fields)) {
    return damaged('malformed: header is not { key, sequence, meta }');
  }
  if (fields.key !== expected.key) {
    return damaged(`malformed: header names key ${JSON.stringify(fields.key)}`);
  }
  if (fields.sequence !== expected.sequence) {
    return damaged(`malformed: header names sequence ${String(fields.sequence)}`);
  }
  if (options.entries === false) {
    return { intact: true, snapshot: { sequence: expected.sequence, meta: fields.meta, entries: [] } };
  }

  const entries: SnapshotEntry[] = [];
  while (offset < end) {
    if (entries.length > 0) await yieldToEventLoop();
    const frame = nextFrame();
    if (typeof frame === 'string') return damaged(frame);
    const chunk = decode(frame);
    if (typeof chunk === 'string') return damaged(chunk);
    if (!Array.isArray(chunk.value) || chunk.value.length === 0) {
      return damaged('malformed: a chunk is not a non-empty array');
    }
    for (const entry of chunk.value as unknown[]) {
      if (!Array.isArray(entry) || entry.length !== 2) return damaged('malformed: an entry is not a pair');
      entries.push(entry as unknown as SnapshotEntry);
    }
  }
  if (BigInt(entries.length) !== entryCount) {
    return damaged(`malformed: ${entries.length} entries where the preamble declares ${entryCount}`);
  }
  return { intact: true, snapshot: { sequence: expected.sequence, meta: fields.meta, entries } };
}

function encodePreamble(bytes: number, entries: number): Buffer {
  const preamble = Buffer.alloc(PREAMBLE_BYTES);
  MAGIC.copy(preamble, 0);
  preamble.writeUInt32BE(FORMAT_VERSION, 4);
  preamble.writeBigUInt64BE(BigInt(bytes), 8);
  preamble.writeBigUInt64BE(BigInt(entries), 16);
  return preamble;
}

function checksum(preamble: Buffer, body: Hash): Buffer {
  return createHash('sha256').update(preamble).update(body.digest()).digest();
}

/** Writes every byte of `parts` at `position`: `writev` may write less than asked. */
async function writeAll(handle: FileHandle, parts: readonly Buffer[], position: number): Promise<void> {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const { bytesWritten } = await handle.writev(parts as Buffer[], position);
  if (bytesWritten === total) return;
  const rest = Buffer.concat(parts as Buffer[]).subarray(bytesWritten);
  for (let done = 0; done < rest.length;) {
    const at = position + bytesWritten + done;
    const { bytesWritten: step } = await handle.write(rest, done, rest.length - done, at);
    if (step === 0) throw new Error(`Wrote 0 of ${rest.length - done} bytes of a snapshot`);
    done += step;
  }
}
