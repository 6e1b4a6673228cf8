/**
 * The contract every EventJournal keeps, written once and run against each implementation (see
 * memory-event-journal.test.ts, file-event-journal.test.ts and, when PostgreSQL answers,
 * test/postgres/postgres-event-journal.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventJournalConflictError, InvalidOptionError, JournalLockedError } from '../../src/index.js';
import type { EventJournal, EventLog, PersistedEvent } from '../../src/index.js';
import { rejectionOf } from '../state/snapshot-store.spec.js';

/** A journal made for one test, and how to clean up after it. */
export interface JournalFixture {
  readonly journal: EventJournal<unknown>;
  readonly dispose: () => Promise<void>;
}

/** What differs between journals, as the contract allows. */
export interface JournalTraits {
  /**
   * What a second writer of the same persistence id meets: `'conflict'`, its first append rejects
   * with EventJournalConflictError; `'locked'`, opening rejects with JournalLockedError.
   */
  readonly secondWriter: 'conflict' | 'locked';
}

/** Persistence ids a careless encoding would mix up, escape with, or fail on. */
export const ODD_IDS: readonly string[] = ['a/b', 'a%2Fb', 'a%2fb', '/user/a', '.', '..', 'A', 'a', 'ünïcödé', '🐢', 'x'.repeat(300), `${'x'.repeat(299)}y`];

/** Every event of `log` from `from` on. */
export async function readAll<TEvent>(log: EventLog<TEvent>, from = log.firstSequence): Promise<PersistedEvent<TEvent>[]> {
  const events: PersistedEvent<TEvent>[] = [];
  for await (const event of log.read(from)) events.push(event);
  return events;
}

/** Declares the shared contract tests inside the caller's `describe`. */
export function describeEventJournalContract(setup: () => Promise<JournalFixture>, traits: JournalTraits): void {
  let fixture: JournalFixture;
  let journal: EventJournal<unknown>;
  const opened: EventLog<unknown>[] = [];
  const open = async (id: string): Promise<EventLog<unknown>> => {
    const log = await journal.open(id);
    opened.push(log);
    return log;
  };

  beforeEach(async () => {
    fixture = await setup();
    journal = fixture.journal;
  });
  afterEach(async () => {
    for (const log of opened.splice(0)) await log.close();
    await fixture.dispose();
  });

  describe('open', () => {
    it('opens a persistence id never written as empty, numbered from 1', async () => {
      const log = await open('fresh');
      expect(log.persistenceId).toBe('fresh');
      expect([log.firstSequence, log.lastSequence]).toEqual([1, 0]);
      expect(await readAll(log)).toEqual([]);
    });

    it.each(['', 'nul\0byte', 'lone \uD800 surrogate', 7])('rejects %j with InvalidOptionError naming `persistenceId`', async (id) => {
      const error = await rejectionOf(() => journal.open(id as string));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('persistenceId');
    });

    it('finds where the log ends after it was closed', async () => {
      const first = await open('reopened');
      await first.append(['a', 'b']);
      await first.append(['c']);
      await first.close();
      const again = await open('reopened');
      expect(again.lastSequence).toBe(3);
      expect(await readAll(again)).toEqual([
        { sequence: 1, event: 'a' },
        { sequence: 2, event: 'b' },
        { sequence: 3, event: 'c' },
      ]);
    });
  });

  describe('append', () => {
    it('numbers events in call order and resolves with the last sequence number', async () => {
      const log = await open('orders');
      expect(await log.append([{ id: 1 }])).toBe(1);
      expect(await log.append([{ id: 2 }, { id: 3 }, { id: 4 }])).toBe(4);
      expect(log.lastSequence).toBe(4);
      expect((await readAll(log)).map(({ sequence, event }) => [sequence, event])).toEqual([
        [1, { id: 1 }],
        [2, { id: 2 }],
        [3, { id: 3 }],
        [4, { id: 4 }],
      ]);
    });

    it('round-trips events made of nested objects, arrays, Maps, Dates and bigints', async () => {
      const event = { type: 'placed', lines: [{ sku: 'a', qty: 2 }], tags: new Map([['k', 1]]), at: new Date(Date.UTC(2024, 1, 2)), big: 2n ** 70n };
      const log = await open('rich');
      await log.append([event]);
      await log.close();
      expect(await readAll(await open('rich'))).toEqual([{ sequence: 1, event }]);
    });

    it('keeps persistence ids apart, however alike their names', async () => {
      for (const [i, id] of ODD_IDS.entries()) {
        const log = await open(id);
        await log.append([i]);
        await log.close();
      }
      for (const [i, id] of ODD_IDS.entries()) expect(await readAll(await open(id)), id).toEqual([{ sequence: 1, event: i }]);
    });

    if (traits.secondWriter === 'conflict') {
      it('refuses, with EventJournalConflictError, an append of a writer another one got ahead of', async () => {
        const late = await open('contended');
        const early = await open('contended');
        await early.append(['first']);
        const error = await rejectionOf(() => late.append(['second']));
        expect(error).toBeInstanceOf(EventJournalConflictError);
        expect((error as EventJournalConflictError).sequence).toBe(1);
        expect(await readAll(await open('contended'))).toEqual([{ sequence: 1, event: 'first' }]);
      });
    } else {
      it('refuses a second writer of the same persistence id with JournalLockedError', async () => {
        await open('contended');
        expect(await rejectionOf(() => journal.open('contended'))).toBeInstanceOf(JournalLockedError);
      });
    }
  });

  describe('read', () => {
    it('reads from any sequence number up to the last, and nothing from the one after it', async () => {
      const log = await open('ranges');
      await log.append(['a', 'b', 'c']);
      expect((await readAll(log, 2)).map((e) => e.event)).toEqual(['b', 'c']);
      expect(await readAll(log, 4)).toEqual([]);
    });

    it.each([0, 5, 1.5])('rejects from = %s with InvalidOptionError naming `from`', async (from) => {
      const log = await open('bounds');
      await log.append(['a', 'b', 'c']);
      const error = await rejectionOf(() => readAll(log, from));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('from');
    });
  });

  describe('deleteUpTo', () => {
    it('deletes at most up to the sequence number, and what is kept still reads in order', async () => {
      const log = await open('pruned');
      for (let i = 1; i <= 40; i++) await log.append([`e${i}`]);
      const first = await log.deleteUpTo(25);
      expect(first).toBeGreaterThanOrEqual(1);
      expect(first).toBeLessThanOrEqual(26);
      expect(log.firstSequence).toBe(first);
      const kept = await readAll(log);
      expect(kept.map((e) => e.sequence)).toEqual(Array.from({ length: 41 - first }, (_, i) => first + i));
      if (first > 1) expect(await rejectionOf(() => readAll(log, first - 1))).toBeInstanceOf(InvalidOptionError);
    });

    it('keeps the last event, so the numbering goes on after a reopen', async () => {
      const log = await open('all-gone');
      await log.append(['a', 'b', 'c']);
      await log.deleteUpTo(3);
      expect(log.lastSequence).toBe(3);
      await log.close();
      const again = await open('all-gone');
      expect(again.lastSequence).toBe(3);
      expect(await again.append(['d'])).toBe(4);
    });
  });
}
