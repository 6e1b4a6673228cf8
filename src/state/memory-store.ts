/**
 * A snapshot store in process memory, for tests and for actors whose state may die with the
 * process. It keeps only the newest snapshot of each key; a key's sequence only goes up; entries
 * are read in chunks with a yield between them, exactly as the file store reads them.
 *
 * It keeps references, not copies: Sluice state is immutable between messages, so a reference is
 * already a snapshot, and copying a million entries would cost what the file store's encoding costs.
 * Nothing here is ever damaged, so `load` never reports a skipped snapshot.
 */
import { isObject, positiveInteger, withDefault } from '../internal/validate.js';
import { readEntryChunks } from './chunks.js';
import { checkKey, checkSequenceAbove, checkSnapshot } from './snapshot-checks.js';
import type { LoadResult, RestoredSnapshot, Snapshot, SnapshotEntry, SnapshotStore } from './snapshot-store.js';

/** Options of {@link MemorySnapshotStore}. */
export interface MemorySnapshotStoreOptions {
  /**
   * Entries read from `snapshot.entries` between two yields to the event loop.
   * @defaultValue 10_000
   */
  readonly chunkSize?: number | undefined;
}

const DEFAULT_CHUNK_SIZE = 10_000;

/**
 * Keeps the newest snapshot of each key in memory.
 *
 * @example
 * ```ts
 * const store = new MemorySnapshotStore();
 * await store.save('counter', { sequence: 1, meta: { total: 3 }, entries: new Map([['a', 1]]) });
 * const { snapshot } = await store.load('counter');
 * // { sequence: 1, meta: { total: 3 }, entries: [['a', 1]] }
 * ```
 */
export class MemorySnapshotStore implements SnapshotStore {
  readonly #chunkSize: number;
  readonly #snapshots = new Map<string, RestoredSnapshot>();

  /**
   * @param options - see {@link MemorySnapshotStoreOptions}.
   * @throws InvalidOptionError naming `options` when it is not an object, or `chunkSize` when it is
   *   not a positive integer.
   */
  constructor(options: MemorySnapshotStoreOptions = {}) {
    isObject('options', options);
    this.#chunkSize = withDefault(options.chunkSize, DEFAULT_CHUNK_SIZE, (value) => positiveInteger('chunkSize', value));
  }

  /**
   * Keeps `snapshot` as the newest of `key`, replacing the previous one once all entries are read.
   *
   * @throws (rejects) InvalidOptionError naming `key`, `snapshot`, `sequence` (not above the newest
   *   saved one) or `entries` (not an iterable of pairs); the previous snapshot is then kept.
   *
   * @example
   * ```ts
   * await store.save('counter', { sequence: 2, meta: { total: 5 } });
   * ```
   */
  async save(key: string, snapshot: Snapshot): Promise<void> {
    checkKey(key);
    const { sequence, meta, entries } = checkSnapshot(snapshot);
    checkSequenceAbove(key, sequence, this.#snapshots.get(key)?.sequence);
    const materialised: SnapshotEntry[] = [];
    for await (const chunk of readEntryChunks(entries, this.#chunkSize)) {
      for (const entry of chunk) materialised.push(entry);
    }
    // Checked again because reading yielded: a save that overlapped this one (a caller's bug) must
    // still not replace a newer snapshot with an older one.
    checkSequenceAbove(key, sequence, this.#snapshots.get(key)?.sequence);
    this.#snapshots.set(key, Object.freeze({ sequence, meta, entries: Object.freeze(materialised) }));
  }

  /**
   * The newest snapshot of `key`; `skipped` is always empty.
   *
   * @throws (rejects) InvalidOptionError naming `key`.
   *
   * @example
   * ```ts
   * const { snapshot } = await store.load('counter');
   * if (snapshot !== undefined) restore(snapshot.meta, snapshot.entries);
   * ```
   */
  async load(key: string): Promise<LoadResult> {
    checkKey(key);
    return { snapshot: this.#snapshots.get(key), skipped: [] };
  }

  /**
   * Forgets every snapshot of `key`; the next save of `key` may use any sequence.
   *
   * @throws (rejects) InvalidOptionError naming `key`.
   *
   * @example
   * ```ts
   * await store.delete('counter');
   * ```
   */
  async delete(key: string): Promise<void> {
    checkKey(key);
    this.#snapshots.delete(key);
  }
}
