/**
 * An event journal on the embedded journal (`openJournal`): a folder per persistence id under
 * `dir`, named by `internal/id-folder.ts`, each an append-only journal of its own. So an append is
 * one checksummed, fsync'd frame (all or nothing), event n is the journal's record n - 1, recovery
 * after kill -9 cuts a torn tail, and the journal's lock keeps a second process off a persistence
 * id another one writes. Deleting events deletes whole segment files.
 */
import { join } from 'node:path';
import { InvalidOptionError } from '../errors.js';
import { isObject, nonNegativeNumber, withDefault } from '../internal/validate.js';
import { openJournal, type Journal, type JournalOptions } from '../journal/journal.js';
import type { EventJournal, EventLog, PersistedEvent } from './event-journal.js';
import { idFolder } from './internal/id-folder.js';
import { checkFrom, checkPersistenceId } from './internal/log-checks.js';

/**
 * Options of {@link FileEventJournal}: the embedded journal's (see `openJournal`), applied to the
 * journal of each persistence id.
 */
export interface FileEventJournalOptions<TEvent> extends Omit<JournalOptions<TEvent>, 'dir' | 'groupCommitMs'> {
  /** The folder that holds a folder per persistence id; created when missing. */
  readonly dir: string;
  /**
   * How long an append into an idle journal waits for others to share its fsync. An actor
   * persists one command's events at a time, so waiting would only add latency.
   * @defaultValue 0
   */
  readonly groupCommitMs?: number | undefined;
}

/**
 * Keeps each persistence id's events in an embedded journal of its own, under `dir`.
 *
 * @example
 * ```ts
 * const journal = new FileEventJournal<AccountEvent>({ dir: './state/events' });
 * const log = await journal.open('account-7'); // ./state/events/account-7, locked
 * await log.append([{ type: 'opened' }]); // fsync'd
 * await log.close();
 * ```
 */
export class FileEventJournal<TEvent> implements EventJournal<TEvent> {
  readonly dir: string;
  readonly #options: Omit<JournalOptions<TEvent>, 'dir'>;

  /**
   * Checks `dir` and `groupCommitMs`; the other options are checked by `openJournal` when the
   * first log opens.
   * @throws InvalidOptionError naming `options`, `dir` or `groupCommitMs`.
   */
  constructor(options: FileEventJournalOptions<TEvent>) {
    isObject('options', options);
    const { dir, ...rest } = options;
    if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) throw new InvalidOptionError('dir', 'a non-empty path', dir);
    this.dir = dir;
    this.#options = { ...rest, groupCommitMs: withDefault(options.groupCommitMs, 0, (v) => nonNegativeNumber('groupCommitMs', v)) };
  }

  /**
   * Opens the journal of `persistenceId` (taking its lock) and finds where it ends.
   * @throws (rejects) InvalidOptionError naming `persistenceId`, or an option of the journal;
   *   JournalLockedError when another process (or another log of this one) has it open;
   *   JournalCorruptedError; a file system error.
   */
  async open(persistenceId: string): Promise<EventLog<TEvent>> {
    checkPersistenceId(persistenceId);
    const journal = await openJournal<TEvent>({ ...this.#options, dir: join(this.dir, idFolder(persistenceId)) });
    return new FileEventLog(persistenceId, journal);
  }
}

class FileEventLog<TEvent> implements EventLog<TEvent> {
  readonly persistenceId: string;
  readonly #journal: Journal<TEvent>;

  constructor(persistenceId: string, journal: Journal<TEvent>) {
    this.persistenceId = persistenceId;
    this.#journal = journal;
  }

  get lastSequence(): number {
    return this.#journal.end;
  }

  get firstSequence(): number {
    return this.#journal.start + 1;
  }

  append(events: readonly TEvent[]): Promise<number> {
    return this.#journal.append(events);
  }

  async *read(from: number): AsyncGenerator<PersistedEvent<TEvent>, void, undefined> {
    checkFrom(from, this.firstSequence, this.lastSequence);
    // Record n - 1 is event n, and the offset after it (`next`) is n.
    for await (const item of this.#journal.source({ follow: false }).read(from - 1)) {
      if (item.kind === 'malformed') {
        throw new Error(`Event ${item.next} of ${this.persistenceId} in ${this.#journal.dir} cannot be decoded`, { cause: item.error });
      }
      yield { sequence: item.next, event: item.value };
    }
  }

  async deleteUpTo(sequence: number): Promise<number> {
    // Offset `sequence` is event sequence + 1: every event up to `sequence` comes before it. The
    // segment being written is never deleted, so the last event always stays.
    return (await this.#journal.truncateBefore(Math.min(sequence, this.#journal.end))) + 1;
  }

  close(): Promise<void> {
    return this.#journal.close();
  }
}
