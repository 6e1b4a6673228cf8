/**
 * A durable, append-only journal of records in a folder, and a replayable, tailing Sluice source
 * over it. `append` resolves only once its records are fsync'd, so "acknowledged" means "survives
 * kill -9 and power loss"; each append is kept or lost as a whole; appends keep their call order.
 *
 * Offsets are record indexes: record n (0-based, counted since the journal was created, never
 * reused) is followed by offset n + 1. `end` is the offset after the last durable record, and a
 * checkpoint stores a plain number.
 *
 * Options (validated by {@link openJournal}, each error naming its option):
 * - `dir` — the folder, created if missing; one writer at a time (a lock file).
 * - `segmentBytes` — a segment file rolls over before it would pass this size, default 64 MiB.
 * - `groupCommitMs` — how long the first append into an idle journal waits for others to share its
 *   fsync, default 2; 0 commits at once, still sharing with appends made meanwhile.
 * - `maxBatchBytes` — the most bytes one append may encode to, and one group commit may write,
 *   default 4 MiB; also how far from the end recovery treats damage as a torn write.
 * - `codec` — how records become bytes, default {@link msgpackCodec}.
 * - `lockGraceMs` — how long opening waits for a live process of this host that holds the lock to
 *   exit (a writer killed a moment ago), default 2000; 0 refuses it at once.
 * - `clock` — the clock of the group-commit timer and the lock's grace, for tests.
 *
 * The format on disk is described in `internal/segment-format.ts`, recovery in
 * `internal/segment-log.ts`, group commit in `internal/group-commit.ts`.
 */
import { InvalidOptionError } from '../errors.js';
import { isFunction, isObject, nonNegativeNumber, positiveInteger, withDefault } from '../internal/validate.js';
import type { Source } from '../streams/sources/source.js';
import { systemClock, type Clock } from '../clock.js';
import { msgpackCodec, type JournalCodec } from './codec.js';
import { openJournalAt } from './internal/journal-core.js';

/** A position in a journal: the index of the next record (the number of records before it). */
export type JournalOffset = number;

/** Options of {@link openJournal}. */
export interface JournalOptions<TRecord> {
  /** The journal's folder; created (with its parents) if missing. */
  readonly dir: string;
  /**
   * A segment rolls over before it would pass this many bytes (a single larger append gets a
   * segment of its own). Smaller segments let `truncateBefore` free space sooner.
   * @defaultValue 67_108_864 (64 MiB)
   */
  readonly segmentBytes?: number | undefined;
  /**
   * Milliseconds the first append into an idle journal waits before its group commits, so
   * appends arriving meanwhile share the fsync; 0 commits as soon as possible. Appends that arrive
   * while an fsync runs always wait for it and share the next one.
   * @defaultValue 2
   */
  readonly groupCommitMs?: number | undefined;
  /**
   * The most bytes one `append` may encode to (framing included; more is refused) and one group
   * commit may write. Recovery treats damage within this many bytes of the end of the last segment
   * as a torn write, so do not lower it across a crash.
   * @defaultValue 4_194_304 (4 MiB)
   */
  readonly maxBatchBytes?: number | undefined;
  /**
   * How records become bytes and back.
   * @defaultValue msgpackCodec()
   */
  readonly codec?: JournalCodec<TRecord> | undefined;
  /**
   * Milliseconds `openJournal` waits, when a live process of this host holds the lock, for that
   * process to exit before it fails with `JournalLockedError`; it looks every 20 ms. A writer killed
   * a moment ago still answers as alive while it dies (or until its parent reaps it), so a service
   * restarted at once would otherwise be refused by its own predecessor. A holder that exits is
   * taken over as any dead one is; one that keeps running costs a failing open this long. 0 refuses
   * a live holder at once. A holder on another host is refused at once whatever this says.
   * @defaultValue 2000
   */
  readonly lockGraceMs?: number | undefined;
  /**
   * The clock of the group-commit timer and of the lock's grace. Its timers must keep the process
   * alive (as `systemClock`'s do by default), or a process could exit with an append waiting to
   * commit.
   * @defaultValue systemClock
   */
  readonly clock?: Clock | undefined;
}

/** Options of {@link Journal.source}. */
export interface JournalSourceOptions {
  /**
   * At the end of the journal, wait for more records (until the journal is closed, the iterator is
   * returned, or `signal` aborts) rather than stop. With `false`, a read stops at the `end` the
   * journal had when `read` was called.
   * @defaultValue true
   */
  readonly follow?: boolean | undefined;
  /**
   * Bytes read from a segment file at a time: how far a reader reads ahead of its consumer.
   * @defaultValue 65_536
   */
  readonly bufferBytes?: number | undefined;
  /** Ends every read of this source (after the record being handed out) when it aborts. */
  readonly signal?: AbortSignal | undefined;
  /**
   * The source's name.
   * @defaultValue `journal:<dir>`
   */
  readonly name?: string | undefined;
}

/** Counters of a journal since it was opened, and where it stands. */
export interface JournalStats {
  /** `append` calls accepted. */
  readonly appends: number;
  /** Records made durable. */
  readonly records: number;
  /** Bytes of frames made durable. */
  readonly bytes: number;
  /** Group commits: writes followed by an fsync. */
  readonly commits: number;
  /** fsyncs of segment files and the folder: one per commit, two per new segment, one per truncation or recovery cut. */
  readonly fsyncs: number;
  /** Segment files now. */
  readonly segments: number;
  /** Bytes of torn tail recovery cut off when opening (0 after a clean shutdown). */
  readonly truncatedTailBytes: number;
  readonly start: JournalOffset;
  readonly end: JournalOffset;
}

/**
 * An open journal: the single writer of its folder.
 *
 * @example
 * ```ts
 * const journal = await openJournal<{ id: string }>({ dir: './state/inbox' });
 * const offset = await journal.append([{ id: 'a' }, { id: 'b' }]); // durable now
 * for await (const item of journal.source({ follow: false }).read()) console.log(item.next);
 * await journal.close();
 * ```
 */
export interface Journal<TRecord> {
  /** The folder, as given. */
  readonly dir: string;
  /** Offset of the oldest record kept (0 until `truncateBefore` deletes a segment). */
  readonly start: JournalOffset;
  /** Offset after the last durable record. */
  readonly end: JournalOffset;
  /** Whether `close` was called. */
  readonly closed: boolean;
  /**
   * Appends `records` after every earlier append and resolves, once they are fsync'd, with the
   * offset after the last of them. After a crash they are all there or none is. An empty array
   * resolves once everything appended before it is durable.
   * @throws (rejects) InvalidOptionError naming `records` when it is not an array, or encodes to
   *   more than `maxBatchBytes`; the codec's error; JournalClosedError after `close` (or after a
   *   failed write: its records may or may not be there after a restart, like any unacknowledged
   *   append's); a file system error for the appends of a failed commit.
   */
  append(records: readonly TRecord[]): Promise<JournalOffset>;
  /**
   * A replayable source over this journal: `read(from)` yields every durable record from `from`
   * (default: `start`) on, each with the offset after it, and by default keeps waiting for new
   * appends at the end. A record the codec cannot decode becomes a `malformed` item.
   * @throws InvalidOptionError naming `follow`, `bufferBytes`, `signal` or `name`. `read` throws
   *   InvalidOptionError naming `from` when it is not an integer between `start` and `end`,
   *   JournalTruncatedError when it is below `start`, JournalClosedError after `close`; the
   *   iteration rejects with JournalCorruptedError at damaged bytes, JournalTruncatedError when
   *   `truncateBefore` deleted records it had yet to read.
   */
  source(options?: JournalSourceOptions): Source<TRecord, JournalOffset>;
  /**
   * Deletes every segment whose records all come before `offset` (never the one holding `offset`,
   * never the one being written) and resolves with the new `start`. Call it with the offset a
   * completed checkpoint recorded.
   * @throws (rejects) InvalidOptionError naming `offset` when it is not an integer between 0 and
   *   `end`; JournalClosedError after `close`; a file system error.
   */
  truncateBefore(offset: JournalOffset): Promise<JournalOffset>;
  /** Counters and positions, for metrics and tests. */
  stats(): JournalStats;
  /**
   * Commits what is pending, closes the files, releases the lock. Readers read on to the end and
   * stop. Later appends reject with JournalClosedError. Idempotent.
   */
  close(): Promise<void>;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const DEFAULT_GROUP_COMMIT_MS = 2;
const DEFAULT_LOCK_GRACE_MS = 2000;
const DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MIN_MAX_BATCH_BYTES = 64;
const MAX_MAX_BATCH_BYTES = 1024 * 1024 * 1024;

/**
 * Opens (or creates) the journal in `options.dir`, taking its lock and recovering from a crash:
 * a torn tail of the last segment is cut off, so the journal holds exactly the appends that were
 * acknowledged, plus possibly some whole appends that were written but not yet acknowledged.
 *
 * @throws (rejects) InvalidOptionError naming the option; JournalLockedError when a live process
 *   (or this one) has it open and, on this host, is still running after `lockGraceMs`; JournalCorruptedError when durable bytes of the last segment are
 *   damaged; a file system error.
 *
 * @example
 * ```ts
 * const journal = await openJournal<Order>({ dir: './state/orders', groupCommitMs: 2 });
 * app.post('/orders', async (req, res) => {
 *   await journal.append([req.body]); // durable before we answer
 *   res.status(202).end();
 * });
 * ```
 */
export async function openJournal<TRecord = unknown>(options: JournalOptions<TRecord>): Promise<Journal<TRecord>> {
  isObject('options', options);
  const { dir } = options;
  if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) {
    throw new InvalidOptionError('dir', 'a non-empty path', dir);
  }
  const segmentBytes = withDefault(options.segmentBytes, DEFAULT_SEGMENT_BYTES, (v) => positiveInteger('segmentBytes', v));
  const groupCommitMs = withDefault(options.groupCommitMs, DEFAULT_GROUP_COMMIT_MS, (v) => nonNegativeNumber('groupCommitMs', v));
  const lockGraceMs = withDefault(options.lockGraceMs, DEFAULT_LOCK_GRACE_MS, (v) => nonNegativeNumber('lockGraceMs', v));
  const maxBatchBytes = withDefault(options.maxBatchBytes, DEFAULT_MAX_BATCH_BYTES, (value) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_MAX_BATCH_BYTES || value > MAX_MAX_BATCH_BYTES) {
      throw new InvalidOptionError('maxBatchBytes', `an integer from ${MIN_MAX_BATCH_BYTES} to ${MAX_MAX_BATCH_BYTES}`, value);
    }
    return value;
  });
  const codec = withDefault<JournalCodec<TRecord>>(options.codec, msgpackCodec<TRecord>(), (value) => {
    isObject('codec', value);
    const candidate = value as Partial<JournalCodec<TRecord>>;
    isFunction('codec.encode', candidate.encode);
    isFunction('codec.decode', candidate.decode);
    return value as JournalCodec<TRecord>;
  });
  const clock = withDefault<Clock>(options.clock, systemClock, (value) => {
    isObject('clock', value);
    isFunction('clock.setTimeout', (value as Partial<Clock>).setTimeout);
    isFunction('clock.clearTimeout', (value as Partial<Clock>).clearTimeout);
    return value as Clock;
  });
  return openJournalAt<TRecord>({ dir, segmentBytes, groupCommitMs, maxBatchBytes, codec, clock, lockGraceMs });
}
