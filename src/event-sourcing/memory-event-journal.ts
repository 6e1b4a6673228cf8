/**
 * An event journal in process memory, for tests and for actors whose history may die with the
 * process. It keeps references to the events, not copies: events are immutable values. Like every
 * journal it numbers each persistence id's events from 1, refuses an append from a writer that
 * another writer got ahead of, and keeps the last event through any deletion.
 */
import { EventJournalConflictError, JournalClosedError } from '../errors.js';
import type { EventJournal, EventLog, PersistedEvent } from './event-journal.js';
import { checkFrom, checkPersistenceId } from './internal/log-checks.js';

/** The events of one persistence id: `events[i]` has sequence `first + i`. */
interface Held<TEvent> {
  first: number;
  events: TEvent[];
}

/**
 * Keeps every persistence id's events in memory.
 *
 * @example
 * ```ts
 * const journal = new MemoryEventJournal<{ type: 'added'; amount: number }>();
 * const log = await journal.open('cart-1');
 * await log.append([{ type: 'added', amount: 3 }]);
 * journal.eventsOf('cart-1'); // [{ sequence: 1, event: { type: 'added', amount: 3 } }]
 * ```
 */
export class MemoryEventJournal<TEvent> implements EventJournal<TEvent> {
  readonly #held = new Map<string, Held<TEvent>>();

  /**
   * Opens the log of `persistenceId`.
   * @throws (rejects) InvalidOptionError naming `persistenceId` when it is not a non-empty string.
   */
  async open(persistenceId: string): Promise<EventLog<TEvent>> {
    checkPersistenceId(persistenceId);
    let held = this.#held.get(persistenceId);
    if (held === undefined) {
      held = { first: 1, events: [] };
      this.#held.set(persistenceId, held);
    }
    return new MemoryEventLog(persistenceId, held);
  }

  /** The events kept for `persistenceId`, oldest first (for tests and inspection). */
  eventsOf(persistenceId: string): readonly PersistedEvent<TEvent>[] {
    const held = this.#held.get(persistenceId);
    if (held === undefined) return [];
    return held.events.map((event, i) => ({ sequence: held.first + i, event }));
  }
}

class MemoryEventLog<TEvent> implements EventLog<TEvent> {
  readonly persistenceId: string;
  readonly #held: Held<TEvent>;
  #last: number;
  #open = true;

  constructor(persistenceId: string, held: Held<TEvent>) {
    this.persistenceId = persistenceId;
    this.#held = held;
    this.#last = lastOf(held);
  }

  get lastSequence(): number {
    return this.#last;
  }

  get firstSequence(): number {
    return this.#held.first;
  }

  async append(events: readonly TEvent[]): Promise<number> {
    if (!this.#open) throw new JournalClosedError(`memory:${this.persistenceId}`);
    const held = this.#held;
    if (lastOf(held) !== this.#last) {
      this.#open = false;
      throw new EventJournalConflictError(this.persistenceId, this.#last + 1, `the journal holds events up to ${lastOf(held)}`);
    }
    held.events.push(...events);
    this.#last += events.length;
    return this.#last;
  }

  async *read(from: number): AsyncGenerator<PersistedEvent<TEvent>, void, undefined> {
    const held = this.#held;
    checkFrom(from, held.first, this.#last);
    const last = this.#last;
    for (let sequence = from; sequence <= last; sequence++) {
      // A deletion while reading is refused below rather than skipped over.
      checkFrom(sequence, held.first, last);
      yield { sequence, event: held.events[sequence - held.first] as TEvent };
    }
  }

  async deleteUpTo(sequence: number): Promise<number> {
    const held = this.#held;
    const upTo = Math.min(sequence, lastOf(held) - 1);
    if (upTo >= held.first) {
      held.events.splice(0, upTo - held.first + 1);
      held.first = upTo + 1;
    }
    return held.first;
  }

  async close(): Promise<void> {
    this.#open = false;
  }
}

function lastOf(held: Held<unknown>): number {
  return held.first + held.events.length - 1;
}
