import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnapshotRows } from '../../src/postgres/internal/snapshot-rows.js';
import { decodeSnapshotFile, encodeSnapshot } from '../../src/state/snapshot-format.js';
import type { Snapshot, SnapshotEntry } from '../../src/state/snapshot-store.js';

/** The bytes of `snapshot` as a file would hold them. */
async function fileBytes(key: string, snapshot: Snapshot, chunkSize: number): Promise<Buffer> {
  const writes: { parts: readonly Buffer[]; position: number }[] = [];
  const { bytes } = await encodeSnapshot(
    async (parts, position) => {
      writes.push({ parts: parts.map((part) => Buffer.from(part)), position });
    },
    key,
    snapshot,
    chunkSize,
  );
  const file = Buffer.alloc(bytes);
  for (const { parts, position } of writes) Buffer.concat(parts).copy(file, position);
  return file;
}

describe('SnapshotRows', () => {
  it('cuts a snapshot into rows of the size asked for, the first sent last with the count, which put together are the file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string(), fc.string({ maxLength: 40 }))),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 300 }),
        async (pairs, chunkSize, rowBytes) => {
          const snapshot = { sequence: 3, meta: { rows: rowBytes }, entries: pairs as SnapshotEntry[] };
          const arrived: { chunk: number; data: Buffer; chunks: number | undefined }[] = [];
          const rows = new SnapshotRows(rowBytes, async (chunk, data, chunks) => {
            arrived.push({ chunk, data, chunks });
          });
          await encodeSnapshot((parts, position) => rows.write(parts, position), 'k', snapshot, chunkSize);
          const count = await rows.finish();

          // Row 0 last, with the count; every row once.
          expect(arrived.at(-1)).toMatchObject({ chunk: 0, chunks: count });
          expect(arrived.slice(0, -1).every((row) => row.chunks === undefined)).toBe(true);
          expect(arrived.map((row) => row.chunk).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
          const ordered = [...arrived].sort((a, b) => a.chunk - b.chunk).map((row) => row.data);
          expect(ordered.slice(0, -1).every((data) => data.length === rowBytes)).toBe(true);
          expect((ordered.at(-1) as Buffer).length).toBeGreaterThan(0);
          const whole = Buffer.concat(ordered);
          expect(whole.equals(await fileBytes('k', snapshot, chunkSize))).toBe(true);
          expect(await decodeSnapshotFile(whole, { key: 'k', sequence: 3 })).toEqual({ intact: true, snapshot: { ...snapshot, entries: pairs } });
        },
      ),
    );
  });

  it('refuses bytes past the first row out of order', async () => {
    const rows = new SnapshotRows(4, async () => {});
    await rows.write([Buffer.alloc(6)], 0);
    await expect(rows.write([Buffer.alloc(1)], 9)).rejects.toThrow('Snapshot bytes at 9 where 6 was next');
  });
});
