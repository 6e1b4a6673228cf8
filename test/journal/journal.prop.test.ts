/**
 * Crash recovery as a property: whatever appends were made, and however the tail of the last
 * segment was torn (cut at any byte, garbage or zeros written past the end, or both), reopening
 * yields exactly the batches whose frames lay wholly before the damage — whole batches, in order —
 * and the journal takes appends again with offsets that continue from there.
 */
import { copyFile, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonCodec, openJournal } from '../../src/index.js';
import { readValues, segmentFiles, tempFolders } from './helpers.js';

type Rec = string | number | { k: string; v: number };

const folders = tempFolders('sluice-journal-prop-');
afterAll(() => folders.cleanup());

// The model of the format's sizes (see segment-format.ts): a 20-byte segment header, and per
// batch a 20-byte frame header plus a 4-byte length before each record.
const HEADER = 20;
const frameBytes = (batch: readonly Rec[]): number =>
  batch.length === 0 ? 0 : 20 + batch.reduce<number>((sum, record) => sum + 4 + Buffer.byteLength(JSON.stringify(record)), 0);

const recordArb: fc.Arbitrary<Rec> = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.record({ k: fc.string({ maxLength: 6 }), v: fc.integer() }));
const batchesArb = fc.array(fc.array(recordArb, { maxLength: 4 }), { maxLength: 10 });
const damageArb = fc.record({
  cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  garbage: fc.oneof(
    fc.uint8Array({ maxLength: 80 }),
    fc.nat({ max: 80 }).map((n) => new Uint8Array(n)),
  ),
});

const MAX_BATCH_BYTES = 4096; // far above any write here, so all damage is within a torn write's reach

/** The batches kept when the last segment (first record `first`) is cut at byte `cut`. */
function survivors(batches: readonly (readonly Rec[])[], first: number, cut: number): Rec[][] {
  const kept: Rec[][] = [];
  let index = 0;
  let position = HEADER;
  for (const batch of batches) {
    if (index >= first) {
      position += frameBytes(batch);
      if (position > cut) break;
    }
    kept.push([...batch]);
    index += batch.length;
  }
  return kept;
}

async function damage(file: string, cut: number | undefined, garbage: Uint8Array): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    if (cut !== undefined) await handle.truncate(cut);
    if (garbage.length > 0) await handle.write(garbage, 0, garbage.length, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

describe('Journal recovery', () => {
  it('keeps exactly the whole batches before a torn tail, and appends on after them', async () => {
    await fc.assert(
      fc.asyncProperty(
        batchesArb,
        fc.integer({ min: 64, max: 400 }),
        fc.boolean(),
        damageArb,
        async (batches, segmentBytes, concurrent, { cut: cutFraction, garbage }) => {
          const dir = await folders.make();
          const options = { dir, segmentBytes, groupCommitMs: 0, maxBatchBytes: MAX_BATCH_BYTES, codec: jsonCodec<Rec>() };
          const journal = await openJournal(options);
          if (concurrent) await Promise.all(batches.map((batch) => journal.append(batch)));
          else for (const batch of batches) await journal.append(batch);
          await journal.close();

          const last = (await segmentFiles(dir)).at(-1) as string;
          const file = join(dir, last);
          const size = (await stat(file)).size;
          const cut = cutFraction === undefined ? size : Math.floor(cutFraction * size);
          await damage(file, cut === size ? undefined : cut, garbage);

          const kept = survivors(batches, Number(last.slice(0, 16)), Math.max(cut, HEADER));
          const reopened = await openJournal(options);
          expect(await readValues(reopened)).toEqual(kept.flat());
          const end = kept.flat().length;
          expect(reopened.end).toBe(end);
          expect(await reopened.append(['again'])).toBe(end + 1);
          await reopened.close();

          const again = await openJournal(options);
          expect(again.stats().truncatedTailBytes).toBe(0);
          expect(await readValues(again)).toEqual([...kept.flat(), 'again']);
          await again.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('cut at every byte of the last segment, keeps the batches wholly before the cut', async () => {
    const batches: Rec[][] = [['a', 1], [{ k: 'x', v: 2 }], ['bb', 'cc', 3], [4]];
    const pristine = await folders.make();
    const options = (dir: string) => ({ dir, groupCommitMs: 0, codec: jsonCodec<Rec>() });
    const journal = await openJournal(options(pristine));
    for (const batch of batches) await journal.append(batch);
    await journal.close();
    const source = join(pristine, '0000000000000000.seg');
    const size = (await stat(source)).size;

    const dir = await folders.make();
    const file = join(dir, '0000000000000000.seg');
    for (let cut = 0; cut <= size; cut++) {
      await copyFile(source, file);
      await damage(file, cut, new Uint8Array());
      const reopened = await openJournal(options(dir));
      const expected = survivors(batches, 0, Math.max(cut, HEADER)).flat();
      expect(await readValues(reopened), `cut at ${cut}`).toEqual(expected);
      expect(reopened.stats().truncatedTailBytes, `cut at ${cut}`).toBe(cut < HEADER ? cut : cut - (await stat(file)).size);
      await reopened.close();
    }
  });
});

describe('Journal appends', () => {
  it('resolve with their offsets in call order, and a tailing reader sees exactly what was appended', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Waves of batches: the batches of one wave are appended concurrently, waves one after another.
        fc.array(fc.array(fc.array(fc.nat({ max: 999 }), { maxLength: 6 }), { minLength: 1, maxLength: 6 }), { maxLength: 6 }),
        fc.integer({ min: 40, max: 300 }),
        fc.integer({ min: 64, max: 400 }),
        fc.nat({ max: 20 }),
        async (waves, segmentBytes, maxBatchBytes, readFrom) => {
          const dir = await folders.make();
          const journal = await openJournal<number>({ dir, segmentBytes, maxBatchBytes, groupCommitMs: 0 });
          const all = waves.flat(2);
          const from = Math.min(readFrom, all.length);
          // The reader starts at the end (0) and waits for records to come.
          const seen: number[] = [];
          const reading = (async () => {
            for await (const item of journal.source().read()) {
              if (item.kind === 'record') seen.push(item.value);
              if (item.next === all.length) return;
            }
          })();
          let end = 0;
          for (const wave of waves) {
            const expected = wave.map((batch) => (end += batch.length));
            expect(await Promise.all(wave.map((batch) => journal.append(batch)))).toEqual(expected);
          }
          if (all.length > 0) await reading;
          expect(seen).toEqual(all);
          expect(await readValues(journal, from)).toEqual(all.slice(from));
          await journal.close();
          await reading;
        },
      ),
      { numRuns: 40 },
    );
  });
});
