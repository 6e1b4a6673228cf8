/** Temp folders and whole-journal reads shared by the journal tests. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Journal } from '../../src/journal/journal.js';
import type { SourceItem } from '../../src/streams/sources/source.js';

/** Makes temp folders and removes them all in `cleanup`. */
export function tempFolders(prefix = 'sluice-journal-'): { make(): Promise<string>; cleanup(): Promise<void> } {
  const made: string[] = [];
  return {
    async make() {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    async cleanup() {
      for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every item of the journal from `from` to its current end. */
export async function readItems<T>(journal: Journal<T>, from?: number): Promise<SourceItem<T, number>[]> {
  const items: SourceItem<T, number>[] = [];
  for await (const item of journal.source({ follow: false }).read(from)) items.push(item);
  return items;
}

/** Every record value of the journal from `from` to its current end. */
export async function readValues<T>(journal: Journal<T>, from?: number): Promise<T[]> {
  return (await readItems(journal, from)).map((item) => {
    if (item.kind !== 'record') throw new Error(`malformed item at ${item.next}: ${String(item.error)}`);
    return item.value;
  });
}

/** The segment file names of `dir`, oldest first. */
export async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.seg')).sort();
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

/** What `run` throws (fails the test if it does not). */
export function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
