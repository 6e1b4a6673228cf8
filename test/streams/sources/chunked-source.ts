/**
 * A replayable test source that hands its records over in several chunks, each an array of its
 * own, with offsets that are not array indexes: `{ at }`, the position in the whole input. Through
 * `readChunks` (records in place, offsets from the chunks' `offsetAt`) or through `readBatches`
 * (arrays of items, a block at a time, as a file source reads); what the pipeline reads, and where
 * it resumes, must come from those.
 */
import { InvalidOptionError, type RecordChunk, type Source, type SourceItem } from '../../../src/index.js';

export interface ChunkOffset {
  readonly at: number;
}

/** How a chunked source hands its chunks over. */
export type ChunkedVia = 'chunks' | 'batches';

/** `records`, cut before each index in `cuts` (out-of-range and repeated cuts are ignored). */
export function chunkedSource<T>(records: readonly T[], cuts: readonly number[], via: ChunkedVia = 'chunks'): Source<T, ChunkOffset> {
  const bounds = [...new Set(cuts.filter((cut) => cut > 0 && cut < records.length))].sort((a, b) => a - b);
  const startOf = (from: ChunkOffset | undefined): number => {
    const at = from?.at ?? 0;
    if (!Number.isInteger(at) || at < 0 || at > records.length) throw new InvalidOptionError('from', 'an offset of this source', from);
    return at;
  };
  const itemAt = (at: number): SourceItem<T, ChunkOffset> => ({ kind: 'record', value: records[at] as T, next: { at: at + 1 } });
  /** The [start, end) ranges of the chunks from `from` on. */
  function* ranges(from: ChunkOffset | undefined): Generator<[number, number]> {
    let at = startOf(from);
    for (const end of [...bounds.filter((bound) => bound > at), records.length]) {
      yield [at, end];
      at = end;
    }
  }
  const source: Source<T, ChunkOffset> = {
    name: 'chunked',
    replayable: true,
    start: { at: 0 },
    async *read(from) {
      for (let at = startOf(from); at < records.length; at++) yield itemAt(at);
    },
  };
  if (via === 'batches') {
    return {
      ...source,
      async *readBatches(from) {
        for (const [start, end] of ranges(from)) {
          if (end > start) yield Array.from({ length: end - start }, (_, i) => itemAt(start + i));
        }
      },
    };
  }
  return {
    ...source,
    *readChunks(from) {
      for (const [at, end] of ranges(from)) {
        // Each chunk is its own array, with a little padding around the records it hands over.
        const base = at - 1;
        const chunk: RecordChunk<T, ChunkOffset> = {
          records: [undefined as T, ...records.slice(at, end), undefined as T],
          start: 1,
          end: 1 + end - at,
          offsetAt: (index) => ({ at: base + index }),
        };
        yield chunk;
      }
    },
  };
}
