/**
 * A one-shot source over a Node `Readable` in object mode (each chunk a record) or byte mode
 * (split into lines). Reading pulls from the stream, so the stream's own backpressure holds its
 * producer back while the pipeline is full.
 */
import type { Readable } from 'node:stream';
import { InvalidOptionError } from '../../errors.js';
import { splitLines } from './line-reader.js';
import type { Source } from './source.js';

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
  return {
    name,
    replayable: false,
    start: 0,
    async *read(from = 0) {
      if (read || from !== 0) throw new InvalidOptionError('from', `0 on first read (${name} is one-shot)`, from);
      read = true;
      let next = 0;
      if (options.lines === true) {
        for await (const line of splitLines(stream as AsyncIterable<Uint8Array | string>)) {
          yield { kind: 'record', value: line.text as TRecord, next: ++next };
        }
      } else {
        for await (const chunk of stream) yield { kind: 'record', value: chunk as TRecord, next: ++next };
      }
    },
  };
}
