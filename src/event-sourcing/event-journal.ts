/**
 * Where event-sourced actors keep their events: one log per persistence id, numbered from 1 without
 * gaps, appended by one writer at a time and all or nothing per append. Implementations:
 * `FileEventJournal` (the embedded journal, a folder per persistence id), `MemoryEventJournal`
 * (tests), and `PostgresEventJournal` in `sluice/postgres`.
 *
 * Invariants every implementation keeps: an append resolves only once its events are durable; a
 * failed append leaves all of its events or none (which one may be known only by opening the log
 * again); sequence numbers never go back and never repeat, even after a deletion.
 */

/** One event as a log holds it. */
export interface PersistedEvent<TEvent> {
  /** Its place in its persistence id's log: 1 for the first event ever persisted. */
  readonly sequence: number;
  readonly event: TEvent;
}

/**
 * The events of one persistence id, opened for writing by one actor. A log that failed an append,
 * or was closed, takes no more appends: the actor opens the log again, which tells what the failed
 * append left.
 *
 * @example
 * ```ts
 * const log = await journal.open('account-7');
 * for await (const { sequence, event } of log.read(log.firstSequence)) state = apply(state, event);
 * await log.append([{ type: 'deposited', amount: 5 }]); // durable now, as event log.lastSequence
 * await log.close();
 * ```
 */
export interface EventLog<TEvent> {
  readonly persistenceId: string;
  /** The sequence number of the last durable event: as found when opened, then as appended; 0 for none. */
  readonly lastSequence: number;
  /** The sequence number of the oldest event still kept: 1 until events are deleted; `lastSequence + 1` when none is kept. */
  readonly firstSequence: number;
  /**
   * Appends `events` after `lastSequence` and resolves, once they are durable, with the new
   * `lastSequence`. All of them are kept or none is.
   * @throws (rejects) EventJournalConflictError when another writer appended to this persistence id
   *   since this log was opened; what the storage threw. After a rejection the log takes no more
   *   appends, and its events may or may not be there: open the log again to know.
   */
  append(events: readonly TEvent[]): Promise<number>;
  /**
   * Reads the events from `from` to `lastSequence` (as it is when called), in order.
   * @throws (rejects, while iterating) when `from` is below `firstSequence`, or an event cannot be
   *   read back (damaged, or not decodable).
   */
  read(from: number): AsyncIterable<PersistedEvent<TEvent>>;
  /**
   * Deletes the events up to `sequence` — or fewer: a journal may delete only whole files, and
   * always keeps the last event, so the numbering survives. Resolves with the new `firstSequence`.
   * @throws (rejects) what the storage threw; nothing is then deleted, or less.
   */
  deleteUpTo(sequence: number): Promise<number>;
  /** Releases the log (a lock, a connection). Idempotent. */
  close(): Promise<void>;
}

/**
 * A journal of events, by persistence id.
 *
 * @example
 * ```ts
 * const journal = new FileEventJournal<AccountEvent>({ dir: './state/events' });
 * const account = defineEventSourcedActor({ journal, initialState, command, apply });
 * ```
 */
export interface EventJournal<TEvent> {
  /**
   * Opens the log of `persistenceId` for its one writer, finding where it ends.
   * @throws (rejects) InvalidOptionError naming `persistenceId` when the journal cannot hold it;
   *   what the storage threw (for the file journal, JournalLockedError when another process has the
   *   same persistence id open).
   */
  open(persistenceId: string): Promise<EventLog<TEvent>>;
}
