/**
 * Where actor snapshots are kept, behind one interface so the runtime does not care whether they
 * live in memory or on disk. A store never loses the previous snapshot of a key before the new
 * one is durable, and never hands back a snapshot it cannot prove intact.
 */

/** One keyed-state entry as stores see it. */
export type SnapshotEntry = readonly [key: unknown, value: unknown];

/** A snapshot to save. */
export interface Snapshot {
  /** Increases with every snapshot of the same key; the newest is the one with the highest. */
  readonly sequence: number;
  /** Small data encodable by msgpackr: an actor's plain state, its sequence bookkeeping. */
  readonly meta: unknown;
  /**
   * Keyed state, if the actor has any. Read once, lazily, while the save runs; stores read it in
   * chunks and yield to the event loop between chunks, so a large state does not stall other work.
   */
  readonly entries?: Iterable<SnapshotEntry> | undefined;
}

/** A snapshot read back from a store. */
export interface RestoredSnapshot {
  readonly sequence: number;
  readonly meta: unknown;
  /** The keyed-state entries, in the order they were saved (empty when there were none). */
  readonly entries: readonly SnapshotEntry[];
}

/** A snapshot that `load` found damaged and passed over. */
export interface SkippedSnapshot {
  /** Its sequence number, when it could be told. */
  readonly sequence: number | undefined;
  /** What was wrong, e.g. "checksum mismatch" or "truncated: 1200 of 4096 bytes". */
  readonly reason: string;
  /** Where it was, for a store that has places (a file path). */
  readonly location?: string | undefined;
}

/** What `load` found. */
export interface LoadResult {
  /** The newest intact snapshot, or undefined when there is none. */
  readonly snapshot: RestoredSnapshot | undefined;
  /** Newer snapshots that were damaged and skipped, newest first. */
  readonly skipped: readonly SkippedSnapshot[];
}

/**
 * A place to keep snapshots, by key (an actor's persistence id).
 *
 * @example
 * ```ts
 * const store = new FileSnapshotStore({ dir: './state' });
 * await store.save('counter', { sequence: 1, meta: { total: 3 } });
 * const { snapshot } = await store.load('counter');
 * ```
 */
export interface SnapshotStore {
  /**
   * Saves `snapshot` as the newest of `key` and resolves once it is durable. The previous snapshot
   * is kept until then. Saves of one key must not overlap: await one before starting the next.
   * @throws (rejects) InvalidOptionError when `sequence` is not above the newest saved one.
   */
  save(key: string, snapshot: Snapshot): Promise<void>;
  /** The newest intact snapshot of `key`, skipping (and reporting) damaged newer ones. */
  load(key: string): Promise<LoadResult>;
  /** Removes every snapshot of `key`. */
  delete(key: string): Promise<void>;
}
