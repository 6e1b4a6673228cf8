/**
 * A source of records for a pipeline. Every record comes with the offset to resume from after it,
 * so a checkpoint can record "everything up to here is done" and a replayable source can be read
 * again from that point after a crash. A record that cannot be read (a malformed JSON line) is not
 * dropped: it comes through as a `malformed` item, with where it was and why, for dead letters.
 */

/** One record, and where to resume to read what comes after it. */
export interface SourceRecord<TRecord, TOffset> {
  readonly kind: 'record';
  readonly value: TRecord;
  readonly next: TOffset;
}

/** Input the source could not turn into a record. */
export interface MalformedInput<TOffset> {
  readonly kind: 'malformed';
  /** The raw input, as text. */
  readonly raw: string;
  /** Why it could not be read. */
  readonly error: unknown;
  /** The 1-based line number, for line-oriented sources. */
  readonly line?: number | undefined;
  readonly next: TOffset;
}

/** What reading a source yields. */
export type SourceItem<TRecord, TOffset> = SourceRecord<TRecord, TOffset> | MalformedInput<TOffset>;

/**
 * A source of `TRecord`s whose positions are `TOffset`s (an index, or a byte position and line).
 *
 * @example
 * ```ts
 * for await (const item of fromArray(['a', 'b']).read()) console.log(item.value, item.next); // a 1, b 2
 * ```
 */
export interface Source<TRecord, TOffset> {
  /** A name for metrics and errors. */
  readonly name: string;
  /**
   * Whether `read(from)` can start again at an earlier offset (arrays, files, generators): what
   * exactly-once recovery needs. A one-shot stream (a Node `Readable`, an async iterable) is not.
   */
  readonly replayable: boolean;
  /** The offset of the very start. */
  readonly start: TOffset;
  /**
   * Reads the records from `from` (default: the start) on, lazily: nothing is read ahead of what
   * the consumer asks for, so a slow consumer holds the source back.
   * @throws InvalidOptionError when `from` is not an offset of this source, or a one-shot source is
   *   read twice.
   */
  read(from?: TOffset): AsyncIterable<SourceItem<TRecord, TOffset>>;
  /**
   * Optional, for a source whose records are already in memory: the same records as `read(from)`,
   * as runs of an array that the pipeline reads in place, with no object per record. A pipeline
   * reads through this when it is there, and through `read` otherwise.
   * @throws as `read` does.
   */
  readChunks?(from?: TOffset): Iterable<RecordChunk<TRecord, TOffset>>;
  /**
   * Optional, for a source that reads in blocks (a file, a buffer at a time): the same items as
   * `read(from)`, a block's worth at a time, so a pipeline pays one asynchronous step per block
   * rather than per record. Each array is the source's to make and the pipeline's to keep. A
   * pipeline reads through this when there is no `readChunks`, and through `read` when neither is
   * there.
   * @throws as `read` does.
   */
  readBatches?(from?: TOffset): AsyncIterable<readonly SourceItem<TRecord, TOffset>[]>;
  /**
   * Optional, for a source whose items come when something outside it decides (a gate a test
   * opens, a queue that events fill): the same items as `read(from)`, handed to `reader` one at a
   * time, each only once it was asked for, with no promise per item. A pipeline reads through this
   * when there is neither `readChunks` nor `readBatches`, and through `read` otherwise.
   * @throws as `read` does.
   */
  readFeed?(from: TOffset | undefined, reader: FeedReader<TRecord, TOffset>): ItemFeed;
}

/**
 * Where a feed hands its items: for each `request()`, exactly one call of `item`, `end` or `fail`,
 * at once or later. After `end` or `fail` the feed calls nothing again.
 */
export interface FeedReader<TRecord, TOffset> {
  item(item: SourceItem<TRecord, TOffset>): void;
  /** The input has no more items. */
  end(): void;
  /** The source cannot go on: the run fails with `error`. */
  fail(error: unknown): void;
}

/**
 * A read of a source that hands over its items by callback (`Source.readFeed`). The reader asks
 * for one item at a time, and asks again only once the last was answered.
 */
export interface ItemFeed {
  /** Asks for the next item; the answer may come before this returns. */
  request(): void;
  /** Stops the read: an unanswered request is never answered, and nothing is asked again. */
  cancel(): void;
}

/**
 * A run of records held in memory: `records[start]` up to (not including) `records[end]`. Whoever
 * made the chunk must not change those elements while it is read.
 */
export interface RecordChunk<TRecord, TOffset> {
  readonly records: readonly TRecord[];
  readonly start: number;
  readonly end: number;
  /** The offset to resume from before `records[index]` (so after `records[index - 1]`), for start ≤ index ≤ end. */
  offsetAt(index: number): TOffset;
}
