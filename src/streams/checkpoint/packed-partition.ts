/**
 * A partition's state as a checkpoint storage without files keeps it (a NATS KV bucket, PostgreSQL
 * tables): the entries as one msgpack value (Sluice's shared options, so Maps and plain objects stay
 * apart, as in a snapshot file), cut into pieces a value or a row can hold, and described by its
 * length and SHA-256. Reading it back puts the pieces together and proves them to be the bytes that
 * were written, or says why they are not; what it decodes is new objects, never the written ones.
 */
import { constants } from 'node:buffer';
import { createHash } from 'node:crypto';
import { Packr, Unpackr } from 'msgpackr';
import { MSGPACK_OPTIONS } from '../../internal/msgpack-options.js';
import type { SnapshotEntry } from '../../state/snapshot-store.js';

const packr = new Packr(MSGPACK_OPTIONS);
const unpackr = new Unpackr(MSGPACK_OPTIONS);
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What a partition's state was written as; stored beside the pieces, checked when they are read. */
export interface PartitionMeta {
  /** How many pieces (at least 1). */
  readonly chunks: number;
  /** The length of the packed state, in bytes. */
  readonly bytes: number;
  /** The SHA-256 of the packed state, as 64 lower-case hex digits. */
  readonly sha256: string;
}

/** A partition's state, packed and cut. */
export interface PackedPartition {
  readonly meta: PartitionMeta;
  /** The pieces in order, each at most the size asked for; views into one buffer. */
  readonly chunks: readonly Buffer[];
  /** How many entries were packed. */
  readonly entries: number;
}

/**
 * Packs `entries` and cuts them into pieces of at most `chunkBytes` bytes (one piece, at least).
 *
 * @example
 * ```ts
 * const { meta, chunks } = packPartition(state.entries(), 512 * 1024);
 * for (const [n, chunk] of chunks.entries()) await put(`part.${n}`, chunk);
 * await put('part.meta', JSON.stringify(meta));
 * ```
 */
export function packPartition(entries: Iterable<SnapshotEntry>, chunkBytes: number): PackedPartition {
  const list = [...entries];
  const bytes = packr.pack(list);
  const count = Math.max(1, Math.ceil(bytes.length / chunkBytes));
  const chunks = Array.from({ length: count }, (_, n) => bytes.subarray(n * chunkBytes, (n + 1) * chunkBytes));
  const meta: PartitionMeta = { chunks: count, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  return { meta, chunks, entries: list.length };
}

/**
 * The entries of a partition written as `meta` says, reading piece `n` with `chunk(n)` (undefined
 * when it is not there), or why they cannot be used: `meta` malformed, a piece missing, more or
 * fewer bytes than written, a checksum mismatch, or bytes that do not decode to a list of entries.
 *
 * @example
 * ```ts
 * const entries = await unpackPartition(meta, (n) => get(`part.${n}`));
 * if (typeof entries === 'string') skip(entries);
 * ```
 */
export async function unpackPartition(meta: unknown, chunk: (n: number) => Promise<Uint8Array | undefined>): Promise<SnapshotEntry[] | string> {
  if (!isMeta(meta)) return 'malformed meta';
  const bytes = new Uint8Array(meta.bytes);
  let at = 0;
  for (let n = 0; n < meta.chunks; n++) {
    const piece = await chunk(n);
    if (piece === undefined) return `part ${n} missing`;
    if (at + piece.length > bytes.length) return 'longer than written';
    bytes.set(piece, at);
    at += piece.length;
  }
  if (at !== bytes.length) return `${at} bytes of ${bytes.length}`;
  if (createHash('sha256').update(bytes).digest('hex') !== meta.sha256) return 'checksum mismatch';
  let entries: unknown;
  try {
    entries = unpackr.unpack(bytes);
  } catch (error) {
    return `malformed: ${error instanceof Error ? error.message : String(error)}`;
  }
  // Proven to be the written bytes, so only a writer's bug lands here; still reported, not trusted.
  if (!Array.isArray(entries) || !entries.every((entry) => Array.isArray(entry) && entry.length === 2)) return 'malformed: not a list of entries';
  return entries as SnapshotEntry[];
}

function isMeta(value: unknown): value is PartitionMeta {
  if (typeof value !== 'object' || value === null) return false;
  const { chunks, bytes, sha256 } = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(chunks) &&
    (chunks as number) >= 1 &&
    Number.isSafeInteger(bytes) &&
    (bytes as number) >= 0 &&
    (bytes as number) <= constants.MAX_LENGTH && // a damaged length must not make the read throw
    typeof sha256 === 'string' &&
    SHA256_HEX.test(sha256)
  );
}
