/**
 * The journal itself: the lock, the segment log, the group-commit queue and the readers wired
 * together. Record indexes are handed out in `append` call order, when the call is accepted, and
 * become visible (`end`, readers) only once the commit that holds them is fsync'd — so no reader
 * ever sees a record that a crash could take back.
 */
import { resolve as resolvePath } from 'node:path';
import { InvalidOptionError, JournalClosedError, JournalTruncatedError } from '../../errors.js';
import { isObject, positiveInteger, withDefault } from '../../internal/validate.js';
import type { Source, SourceItem } from '../../streams/sources/source.js';
import type { Clock } from '../../clock.js';
import type { JournalCodec } from '../codec.js';
import type { Journal, JournalSourceOptions, JournalStats } from '../journal.js';
import type { FrameReader } from './frame-reader.js';
import { ensureFolder } from '../../internal/durable-files.js';
import { GroupCommit, type PendingAppend } from './group-commit.js';
import { readJournal } from './journal-reader.js';
import { JournalReaderHost, JournalSource } from './journal-views.js';
import { acquireLock, type JournalLock } from './lock-file.js';
import { HEADER_BYTES, FrameBuilder } from './segment-format.js';
import { SegmentLog, type LogCounters } from './segment-log.js';

/** Validated options. */
export interface JournalConfig<TRecord> {
  readonly dir: string;
  readonly segmentBytes: number;
  readonly groupCommitMs: number;
  readonly maxBatchBytes: number;
  readonly codec: JournalCodec<TRecord>;
  readonly clock: Clock;
  readonly lockGraceMs: number;
}

const DEFAULT_BUFFER_BYTES = 64 * 1024;

/**
 * Opens the journal of `config.dir`: folder, lock, recovery.
 * @throws (rejects) see `openJournal`.
 */
export async function openJournalAt<TRecord>(config: JournalConfig<TRecord>): Promise<Journal<TRecord>> {
  const folder = resolvePath(config.dir);
  await ensureFolder(folder);
  const lock = await acquireLock(folder, { graceMs: config.lockGraceMs, clock: config.clock });
  try {
    const counters: LogCounters = { fsyncs: 0, bytes: 0 };
    const opened = await SegmentLog.open(folder, config.maxBatchBytes, counters);
    return new JournalCore(config, lock, opened.log, counters, opened.end, opened.truncatedBytes);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

interface QueuedAppend extends PendingAppend {
  /** The frame, or undefined for an append of no records. */
  readonly frame: Buffer | undefined;
  readonly records: number;
}

class JournalCore<TRecord> implements Journal<TRecord> {
  readonly dir: string;
  readonly #config: JournalConfig<TRecord>;
  readonly #lock: JournalLock;
  readonly #log: SegmentLog;
  readonly #counters: LogCounters;
  readonly #group: GroupCommit<QueuedAppend>;
  readonly #frameReaders = new Set<FrameReader>();
  readonly #readerHost: JournalReaderHost<TRecord>;
  readonly #truncatedTailBytes: number;
  #end: number;
  #assigned: number; // index for the next accepted record
  #appends = 0;
  #records = 0;
  #commits = 0;
  #closing: Promise<void> | undefined;
  #finished = false;
  #changed: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(config: JournalConfig<TRecord>, lock: JournalLock, log: SegmentLog, counters: LogCounters, end: number, truncatedTailBytes: number) {
    this.dir = config.dir;
    this.#config = config;
    this.#lock = lock;
    this.#log = log;
    this.#counters = counters;
    this.#end = end;
    this.#assigned = end;
    this.#truncatedTailBytes = truncatedTailBytes;
    this.#readerHost = new JournalReaderHost(
      log,
      config.codec,
      this.#frameReaders,
      () => this.#finished,
      () => this.#waitForChange(),
    );
    this.#group = new GroupCommit<QueuedAppend>({
      delayMs: config.groupCommitMs,
      maxBytes: config.maxBatchBytes,
      clock: config.clock,
      commit: (group) => this.#commit(group),
      failedError: (cause) => new JournalClosedError(this.dir, cause),
    });
  }

  get start(): number {
    return this.#log.start;
  }

  get end(): number {
    return this.#end;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  async append(records: readonly TRecord[]): Promise<number> {
    if (this.#closing !== undefined) throw new JournalClosedError(this.dir);
    if (!Array.isArray(records)) throw new InvalidOptionError('records', 'an array of records', records);
    let frame: Buffer | undefined;
    if (records.length > 0) {
      const builder = new FrameBuilder();
      for (const record of records) {
        builder.add(this.#config.codec.encode(record));
        if (builder.length > this.#config.maxBatchBytes) break; // no use encoding the rest
      }
      if (builder.length > this.#config.maxBatchBytes) {
        throw new InvalidOptionError(
          'records',
          `a batch of at most ${this.#config.maxBatchBytes} bytes once encoded (maxBatchBytes)`,
          `${records.length} records, over ${builder.length} bytes`,
        );
      }
      frame = builder.finish(this.#assigned);
    }
    const end = (this.#assigned += records.length);
    this.#appends++;
    return new Promise<number>((resolve, reject) => {
      this.#group.enqueue({
        frame,
        records: records.length,
        bytes: frame?.length ?? 0,
        resolve: () => resolve(end),
        reject,
      });
    });
  }

  source(options: JournalSourceOptions = {}): Source<TRecord, number> {
    isObject('options', options);
    const follow = withDefault(options.follow, true, (value) => {
      if (typeof value !== 'boolean') throw new InvalidOptionError('follow', 'a boolean', value);
      return value;
    });
    const bufferBytes = withDefault(options.bufferBytes, DEFAULT_BUFFER_BYTES, (value) => positiveInteger('bufferBytes', value));
    const signal = withDefault<AbortSignal | undefined>(options.signal, undefined, (value) => {
      if (!(value instanceof AbortSignal)) throw new InvalidOptionError('signal', 'an AbortSignal', value);
      return value;
    });
    const name = withDefault(options.name, `journal:${this.dir}`, (value) => {
      if (typeof value !== 'string' || value.length === 0) throw new InvalidOptionError('name', 'a non-empty string', value);
      return value;
    });
    const read = (from: number): AsyncIterable<SourceItem<TRecord, number>> => this.#read(from, follow, bufferBytes, signal);
    return new JournalSource(name, this, read);
  }

  async truncateBefore(offset: number): Promise<number> {
    if (this.#closing !== undefined) throw new JournalClosedError(this.dir);
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > this.#end) {
      throw new InvalidOptionError('offset', `a journal offset (an integer from 0 to ${this.#end})`, offset);
    }
    const start = await this.#log.deleteBefore(offset);
    this.#notify(); // readers that were to read a deleted segment learn it now
    return start;
  }

  stats(): JournalStats {
    return {
      appends: this.#appends,
      records: this.#records,
      bytes: this.#counters.bytes,
      commits: this.#commits,
      fsyncs: this.#counters.fsyncs,
      segments: this.#log.segments.length,
      truncatedTailBytes: this.#truncatedTailBytes,
      start: this.start,
      end: this.#end,
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      await this.#group.flush();
    } finally {
      this.#finished = true;
      this.#notify();
      try {
        for (const frames of this.#frameReaders) await frames.detach();
        await this.#log.close();
      } finally {
        await this.#lock.release();
      }
    }
  }

  #read(from: unknown, follow: boolean, bufferBytes: number, signal: AbortSignal | undefined): AsyncIterable<SourceItem<TRecord, number>> {
    if (this.#closing !== undefined) throw new JournalClosedError(this.dir);
    if (typeof from !== 'number' || !Number.isInteger(from) || from < 0 || from > this.#end) {
      throw new InvalidOptionError('from', `a journal offset (an integer from ${this.start} to ${this.#end})`, from);
    }
    if (from < this.start) throw new JournalTruncatedError(from, this.start);
    return readJournal(this.#readerHost, { from, until: follow ? undefined : this.#end, bufferBytes, signal });
  }

  /**
   * Writes `group` into the active segment, rolling over first when the next frame would not fit,
   * and resolves each append once its frame is durable.
   */
  async #commit(group: readonly QueuedAppend[]): Promise<void> {
    const { segmentBytes } = this.#config;
    for (let i = 0; i < group.length;) {
      const first = group[i] as QueuedAppend;
      if (first.bytes > 0 && this.#log.active.size > HEADER_BYTES && this.#log.active.size + first.bytes > segmentBytes) {
        await this.#log.roll(this.#end);
      }
      const frames: Buffer[] = [];
      let bytes = 0;
      let records = 0;
      let j = i;
      for (; j < group.length; j++) {
        const append = group[j] as QueuedAppend;
        if (j > i && append.bytes > 0 && this.#log.active.size + bytes + append.bytes > segmentBytes) break;
        if (append.frame !== undefined) frames.push(append.frame);
        bytes += append.bytes;
        records += append.records;
      }
      if (bytes > 0) {
        await this.#log.write(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames, bytes));
        this.#commits++;
      }
      this.#end += records;
      this.#records += records;
      for (let k = i; k < j; k++) (group[k] as QueuedAppend).resolve();
      this.#notify();
      i = j;
    }
  }

  #waitForChange(): Promise<void> {
    if (this.#changed === undefined) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#changed = { promise, resolve };
    }
    return this.#changed.promise;
  }

  #notify(): void {
    const changed = this.#changed;
    this.#changed = undefined;
    changed?.resolve();
  }
}
