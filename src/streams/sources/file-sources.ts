/**
 * Sources over files, read as lines or JSON lines: streamed (never read whole, any size) and
 * replayable from a byte position, which each line's offset records with its line number.
 */
import { createReadStream } from 'node:fs';
import { InvalidOptionError } from '../../errors.js';
import { flattenBatches } from '../../internal/flatten-batches.js';
import { positiveInteger, withDefault } from '../../internal/validate.js';
import { splitLineBatches } from './line-reader.js';
import type { Source, SourceItem } from './source.js';

/** Where to resume in a file: the byte position of the next line, and that line's number. */
export interface LineOffset {
  readonly byte: number;
  readonly line: number;
}

/** Options of the file sources. */
export interface FileSourceOptions {
  /**
   * Bytes read per chunk.
   * @defaultValue 65536
   */
  chunkSize?: number | undefined;
  /**
   * Skip lines that are empty (or only white space).
   * @defaultValue false for `fromFileLines`, true for `fromJsonLines`
   */
  skipBlank?: boolean | undefined;
}

const START: LineOffset = { byte: 0, line: 1 };

/**
 * The lines of a text file (UTF-8, `\n` or `\r\n`), one record each.
 *
 * @example
 * ```ts
 * const lines = fromFileLines('input.txt');
 * ```
 */
export function fromFileLines(path: string, options: FileSourceOptions = {}): Source<string, LineOffset> {
  return fileSource(path, options, false, (text, next) => ({ kind: 'record', value: text, next }));
}

/**
 * The JSON values of a JSON-lines file, one per line. A line that is not valid JSON becomes a
 * `malformed` item carrying the line, its number and the parse error — the pipeline sends it to
 * dead letters and goes on.
 */
export function fromJsonLines<TRecord = unknown>(path: string, options: FileSourceOptions = {}): Source<TRecord, LineOffset> {
  return fileSource(path, options, true, (text, next, line) => {
    try {
      return { kind: 'record', value: JSON.parse(text) as TRecord, next };
    } catch (error) {
      return { kind: 'malformed', raw: text, error, line, next };
    }
  });
}

function fileSource<TRecord>(
  path: string,
  options: FileSourceOptions,
  skipBlankByDefault: boolean,
  parse: (text: string, next: LineOffset, line: number) => SourceItem<TRecord, LineOffset>,
): Source<TRecord, LineOffset> {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidOptionError('path', 'a file path', path);
  const chunkSize = withDefault(options.chunkSize, 65_536, (v) => positiveInteger('chunkSize', v));
  const skipBlank = options.skipBlank ?? skipBlankByDefault;
  /** The items of each chunk read from `from` on: the lines it completes, parsed. */
  async function* readBatches(from: LineOffset = START): AsyncGenerator<SourceItem<TRecord, LineOffset>[]> {
    checkOffset(from);
    const chunks = createReadStream(path, { start: from.byte, highWaterMark: chunkSize });
    for await (const lines of splitLineBatches(chunks as AsyncIterable<Uint8Array>, from.byte, from.line)) {
      const items: SourceItem<TRecord, LineOffset>[] = [];
      for (const line of lines) {
        if (skipBlank && line.text.trim() === '') continue;
        items.push(parse(line.text, { byte: line.nextByte, line: line.number + 1 }, line.number));
      }
      if (items.length > 0) yield items;
    }
  }
  return {
    name: path,
    replayable: true,
    start: START,
    read: (from = START) => flattenBatches(readBatches(from)),
    readBatches,
  };
}

function checkOffset(from: unknown): asserts from is LineOffset {
  const offset = from as Partial<LineOffset> | null;
  const valid =
    typeof offset === 'object' &&
    offset !== null &&
    Number.isInteger(offset.byte) &&
    (offset.byte as number) >= 0 &&
    Number.isInteger(offset.line) &&
    (offset.line as number) >= 1;
  if (!valid) throw new InvalidOptionError('from', 'a line offset { byte ≥ 0, line ≥ 1 }', from);
}
