import { describe, expect, it } from 'vitest';
import { MemoryEventJournal } from '../../src/index.js';
import { describeEventJournalContract } from './event-journal.spec.js';

describe('MemoryEventJournal', () => {
  describeEventJournalContract(async () => ({ journal: new MemoryEventJournal<unknown>(), dispose: async () => {} }), { secondWriter: 'conflict' });

  describe('eventsOf', () => {
    it('lists the events kept, as the journal holds them (the same objects)', async () => {
      const journal = new MemoryEventJournal<{ n: number }>();
      const event = { n: 1 };
      await (await journal.open('k')).append([event]);
      expect(journal.eventsOf('k')).toEqual([{ sequence: 1, event }]);
      expect(journal.eventsOf('k')[0]?.event).toBe(event);
      expect(journal.eventsOf('unknown')).toEqual([]);
    });
  });
});
