/**
 * What a journal hands out to read it by: the `Source` a pipeline reads, and the host each read
 * follows. Classes, not object literals with getters: a literal's getter is kept in the object's
 * hidden class, which V8 allocates in the old generation, so a literal made per read would keep its
 * getter's closure, and all it reaches, alive through every scavenge after the read is over.
 */
import type { Source, SourceItem } from '../../streams/sources/source.js';
import type { JournalCodec } from '../codec.js';
import type { FrameReader } from './frame-reader.js';
import type { ReaderHost } from './journal-reader.js';
import type { Segment } from './segment-log.js';

/** The live parts of a journal's log a read needs: its segments and its first offset. */
export interface JournalState {
  readonly segments: readonly Segment[];
  readonly start: number;
}

/** A read's view of its journal (see {@link ReaderHost}); one per journal, shared by its reads. */
export class JournalReaderHost<TRecord> implements ReaderHost<TRecord> {
  readonly codec: JournalCodec<TRecord>;
  readonly frameReaders: Set<FrameReader>;
  readonly #log: JournalState;
  readonly #finished: () => boolean;
  readonly #changed: () => Promise<void>;

  constructor(log: JournalState, codec: JournalCodec<TRecord>, frameReaders: Set<FrameReader>, finished: () => boolean, changed: () => Promise<void>) {
    this.#log = log;
    this.codec = codec;
    this.frameReaders = frameReaders;
    this.#finished = finished;
    this.#changed = changed;
  }

  get segments(): readonly Segment[] {
    return this.#log.segments;
  }

  get start(): number {
    return this.#log.start;
  }

  get finished(): boolean {
    return this.#finished();
  }

  changed(): Promise<void> {
    return this.#changed();
  }
}

/** A journal as a pipeline's source: replayable, starting at the journal's first offset as it is when read. */
export class JournalSource<TRecord> implements Source<TRecord, number> {
  readonly name: string;
  readonly replayable = true;
  readonly #journal: { readonly start: number };
  readonly #read: (from: number) => AsyncIterable<SourceItem<TRecord, number>>;

  constructor(name: string, journal: { readonly start: number }, read: (from: number) => AsyncIterable<SourceItem<TRecord, number>>) {
    this.name = name;
    this.#journal = journal;
    this.#read = read;
  }

  get start(): number {
    return this.#journal.start;
  }

  read(from?: number): AsyncIterable<SourceItem<TRecord, number>> {
    return this.#read(from ?? this.start);
  }
}
