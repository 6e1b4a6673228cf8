/**
 * A failed write or fsync: the appends of that commit reject with the file system's error, the
 * journal closes itself (the page cache's state is unknown after a failed fsync, so it does not
 * retry), nothing unsynced is ever shown to a reader, and a reopen recovers whole appends only.
 */
import type { FileHandle } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JournalClosedError, openJournal } from '../../src/index.js';
import { readValues, rejectionOf, tempFolders } from './helpers.js';

const io = vi.hoisted(() => ({ failDatasync: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const wrap = (handle: FileHandle): FileHandle =>
    new Proxy(handle, {
      get(target, property) {
        if (property === 'datasync') {
          return async () => {
            if (io.failDatasync) throw Object.assign(new Error('injected: EIO'), { code: 'EIO' });
            return target.datasync();
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  return { ...actual, open: async (...args: Parameters<typeof actual.open>) => wrap(await actual.open(...args)) };
});

const folders = tempFolders();
afterEach(async () => {
  io.failDatasync = false;
  await folders.cleanup();
});

describe('Journal after a failed fsync', () => {
  it('rejects that commit, closes itself for appends, shows readers nothing unsynced, and reopens whole', async () => {
    const dir = await folders.make();
    const journal = await openJournal<string>({ dir, groupCommitMs: 0 });
    await journal.append(['durable']);
    const tail = journal.source().read(1)[Symbol.asyncIterator]();
    const waiting = tail.next();

    io.failDatasync = true;
    const failed = await rejectionOf(journal.append(['in limbo', 'with it']));
    expect(failed).toMatchObject({ code: 'EIO' });
    io.failDatasync = false;

    const later = await rejectionOf(journal.append(['later']));
    expect(later).toBeInstanceOf(JournalClosedError);
    expect((later as JournalClosedError).cause).toBe(failed);
    expect(journal.end).toBe(1);
    expect(await readValues(journal)).toEqual(['durable']);

    await journal.close();
    expect(await waiting).toEqual({ value: undefined, done: true });

    // The bytes did reach the file, so the unacknowledged append may come back — whole.
    const reopened = await openJournal<string>({ dir });
    const values = await readValues(reopened);
    expect([['durable'], ['durable', 'in limbo', 'with it']]).toContainEqual(values);
    expect(await reopened.append(['after'])).toBe(values.length + 1);
    await reopened.close();
  });
});
