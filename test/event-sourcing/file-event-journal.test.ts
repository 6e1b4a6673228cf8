import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileEventJournal, InvalidOptionError, jsonCodec } from '../../src/index.js';
import { describeEventJournalContract, readAll } from './event-journal.spec.js';

async function folder(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sluice-event-journal-'));
}

describe('FileEventJournal', () => {
  describeEventJournalContract(
    async () => {
      const dir = await folder();
      // Small segments, so deleteUpTo has whole files to delete.
      return { journal: new FileEventJournal<unknown>({ dir, segmentBytes: 256 }), dispose: () => rm(dir, { recursive: true, force: true }) };
    },
    { secondWriter: 'locked' },
  );

  describe('constructor', () => {
    it.each(['', 'a\0b', 3])('throws InvalidOptionError naming `dir` for %j', (dir) => {
      expect(() => new FileEventJournal({ dir: dir as string })).toThrow(InvalidOptionError);
      expect(() => new FileEventJournal({ dir: dir as string })).toThrow('`dir`');
    });

    it('throws InvalidOptionError naming `groupCommitMs` for a negative delay', () => {
      expect(() => new FileEventJournal({ dir: '/tmp/x', groupCommitMs: -1 })).toThrow('`groupCommitMs`');
    });
  });

  describe('open', () => {
    it('keeps each persistence id in a folder of its own, named so that no id can climb out of `dir`', async () => {
      const dir = await folder();
      const journal = new FileEventJournal<string>({ dir });
      for (const id of ['/user/a', '..', 'plain-id_1']) await (await journal.open(id)).close();
      expect((await readdir(dir)).sort()).toEqual(['%2E%2E', '%2Fuser%2Fa', 'plain-id_1']);
      await rm(dir, { recursive: true, force: true });
    });

    it('passes the journal options on, such as the codec', async () => {
      const dir = await folder();
      const journal = new FileEventJournal<{ a: number }>({ dir, codec: jsonCodec() });
      const log = await journal.open('json');
      await log.append([{ a: 1 }]);
      await log.close();
      expect(await readAll(await journal.open('json'))).toEqual([{ sequence: 1, event: { a: 1 } }]);
      await rm(dir, { recursive: true, force: true });
    });
  });
});
