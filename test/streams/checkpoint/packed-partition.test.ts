import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { MSGPACK_OPTIONS } from '../../../src/internal/msgpack-options.js';
import type { SnapshotEntry } from '../../../src/state/snapshot-store.js';
import { packPartition, unpackPartition, type PartitionMeta } from '../../../src/streams/checkpoint/packed-partition.js';

/** Reads piece `n` of `chunks`, as a storage would. */
const reader = (chunks: readonly Uint8Array[]) => async (n: number) => chunks[n];

describe('packed partitions', () => {
  it('cut into pieces of at most the size asked for, and put back together, give new objects equal to the entries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.array(fc.nat())))),
        fc.integer({ min: 1, max: 64 }),
        async (pairs, chunkBytes) => {
          const entries = pairs as SnapshotEntry[];
          const { meta, chunks, entries: count } = packPartition(entries, chunkBytes);
          expect(count).toBe(entries.length);
          expect(chunks.length).toBe(meta.chunks);
          expect(chunks.every((chunk) => chunk.length <= chunkBytes)).toBe(true);
          expect(chunks.reduce((sum, chunk) => sum + chunk.length, 0)).toBe(meta.bytes);
          const back = await unpackPartition(JSON.parse(JSON.stringify(meta)), reader(chunks));
          expect(back).toEqual(entries);
          if (entries.length > 0) expect((back as SnapshotEntry[])[0]).not.toBe(entries[0]);
        },
      ),
    );
  });

  it('says why pieces that are not what was written cannot be used', async () => {
    const { meta, chunks } = packPartition(
      Array.from({ length: 50 }, (_, i) => [`k${i}`, i] as const),
      64,
    );
    expect(meta.chunks).toBeGreaterThan(2);
    const flipped = Buffer.from(chunks[1] as Buffer);
    flipped[0] = (flipped[0] as number) ^ 0xff;
    const cases: [unknown, readonly Uint8Array[], string][] = [
      [meta, chunks.map((chunk, n) => (n === meta.chunks - 1 ? Buffer.concat([chunk, Buffer.alloc(1)]) : chunk)), 'longer than written'],
      [meta, chunks.slice(0, -1), `part ${meta.chunks - 1} missing`],
      [{ ...meta, bytes: meta.bytes + 1 }, chunks, `${meta.bytes} bytes of ${meta.bytes + 1}`],
      [{ ...meta, bytes: meta.bytes - 1 }, chunks, 'longer than written'],
      [meta, chunks.map((chunk, n) => (n === 1 ? flipped : chunk)), 'checksum mismatch'],
      [{ ...meta, sha256: '0'.repeat(64) }, chunks, 'checksum mismatch'],
    ];
    for (const [described, pieces, reason] of cases) expect(await unpackPartition(described, reader(pieces))).toBe(reason);
  });

  it.each([
    ['not an object', 'meta'],
    ['no pieces', { chunks: 0, bytes: 0, sha256: '0'.repeat(64) }],
    ['a negative length', { chunks: 1, bytes: -1, sha256: '0'.repeat(64) }],
    ['a length no buffer can have', { chunks: 1, bytes: 2 ** 53 - 1, sha256: '0'.repeat(64) }],
    ['a checksum that is not hex', { chunks: 1, bytes: 1, sha256: 'z'.repeat(64) }],
  ])('calls a meta with %s malformed', async (_, meta) => {
    expect(await unpackPartition(meta, reader([Buffer.alloc(1)]))).toBe('malformed meta');
  });

  it('refuses bytes that are whole but are not a list of entries', async () => {
    const bytes = new Packr(MSGPACK_OPTIONS).pack({ not: 'entries' });
    const meta: PartitionMeta = { chunks: 1, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    expect(await unpackPartition(meta, reader([bytes]))).toBe('malformed: not a list of entries');
  });
});
