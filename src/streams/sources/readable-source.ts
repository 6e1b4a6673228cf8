/**
 * A one-shot source over a Node `Readable` in object mode (each chunk a record) or byte mode
 * (split into lines). Reading pulls from the stream, so the stream's own backpressure holds its
 * producer back while the pipeline is full.
 */
import type { Readable } from 'node:stream';
import { InvalidOptionError } from '../../errors.js';
import { flattenBatches } from '../../internal/flatten-batches.js';
import { splitLineBatches } from './line-reader.js';
import type { Source, SourceItem } from './source.js';

/** The most chunks taken from a stream's buffer at once: a stream that refills synchronously still lets go. */
const MAX_BATCH = 1024;

/**
 * Records from a Node `Readable`: its chunks as they are in object mode, or its lines (as strings)
 * when `lines` is true. Offsets count records; the stream cannot be read again.
 *
 * @example
 * ```ts
 * const source = fromReadable<string>(process.stdin, { lines: true });
 * ```
 */
export function fromReadable<TRecord>(stream: Readable, options: { lines?: boolean | undefined; name?: string | undefined } = {}): Source<TRecord, number> {
  if (typeof stream !== 'object' || stream === null || typeof (stream as Partial<Readable>).pipe !== 'function') {
    throw new InvalidOptionError('stream', 'a Node Readable', stream);
  }
  const name = options.name ?? 'readable';
  let read = false;
  /** The records as they arrive: what the stream has buffered, a batch per wait for more. */
  async function* readBatches(from = 0): AsyncGenerator<SourceItem<TRecord, number>[]> {
    if (read || from !== 0) throw new InvalidOptionError('from', `0 on first read (${name} is one-shot)`, from);
    read = true;
    let next = 0;
    const record = (value: unknown): SourceItem<TRecord, number> => ({ kind: 'record', value: value as TRecord, next: ++next });
    if (options.lines === true) {
      for await (const lines of splitLineBatches(stream as AsyncIterable<Uint8Array | string>)) yield lines.map((line) => record(line.text));
      return;
    }
    for await (const first of stream) {
      // What the stream holds already comes with the chunk that was waited for: `read()` only
      // hands out buffered chunks (null when there are none), which the iterator would otherwise
      // hand out one wait at a time.
      const batch = [record(first)];
      for (let more: unknown = stream.read(); more !== null && batch.length < MAX_BATCH; more = stream.read()) batch.push(record(more));
      yield batch;
    }
  }
  return {
    name,
    replayable: false,
    start: 0,
    read: (from = 0) => flattenBatches(readBatches(from)),
    readBatches,
  };
}
