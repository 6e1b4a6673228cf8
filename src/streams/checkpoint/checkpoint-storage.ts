/**
 * Where a pipeline's checkpoints are kept. A folder is the default (`checkpoint.dir`); anything
 * else that keeps the same promises can take its place (`checkpoint.storage`): the testing kit
 * keeps them in memory, and a database can keep them in tables.
 *
 * The promises a storage keeps, which the runtime's exactly-once guarantee rests on:
 * - A checkpoint exists once its manifest is written, and not before: `writeManifest` is the
 *   commit point, atomic (a reader sees the whole manifest or none), and written only after every
 *   `writePartition` of that checkpoint resolved.
 * - `latest()` returns the newest checkpoint whose manifest and every partition are intact, read
 *   back whole, passing over (and reporting in `skipped`) a newer one that is damaged; it throws
 *   `CheckpointUnusableError` when there are checkpoints but none is intact.
 * - What `latest()` returns is a copy: the entries a run restores never share objects with the
 *   state that was written, as after a restart from disk.
 * - `prune(keep)` leaves at least the newest `keep` complete checkpoints; `discardAbove(id)` removes
 *   whatever a dead run left above `id`.
 */
import type { SnapshotEntry } from '../../state/snapshot-store.js';
import type { Manifest, PartitionSnapshotRef } from './manifest.js';

/** A checkpoint read back whole: its manifest and every partition's entries, by stage. */
export interface RestoredCheckpoint {
  readonly manifest: Manifest;
  /** `entries[stage][partition]`. */
  readonly entries: readonly (readonly (readonly SnapshotEntry[])[])[];
  /** Newer checkpoints that were passed over, and why. */
  readonly skipped: readonly { readonly id: number; readonly reason: string }[];
}

/** Keeps a pipeline's checkpoints; see the module's notes for the promises it must keep. */
export interface CheckpointStorage {
  /** Where the checkpoints are, for errors and logs: a folder's path, or a storage's own name. */
  readonly location: string;
  /** The highest checkpoint id held, complete or not (0 when there is none). */
  highestId(): Promise<number>;
  /** Writes one partition's entries for checkpoint `id`; resolves once they are durable. */
  writePartition(id: number, stage: number, partition: number, entries: Iterable<SnapshotEntry>): Promise<PartitionSnapshotRef>;
  /** Makes checkpoint `manifest.id` complete, atomically. */
  writeManifest(manifest: Manifest): Promise<void>;
  /**
   * The newest complete and intact checkpoint, read back whole; undefined when there is none at all.
   * @throws CheckpointUnusableError (rejects) when there are checkpoints but none is intact.
   */
  latest(): Promise<RestoredCheckpoint | undefined>;
  /** Deletes every checkpoint older than the newest `keep` complete ones, complete or not. */
  prune(keep: number): Promise<void>;
  /** Deletes the checkpoints above `id`: leftovers of a run that died before completing them. */
  discardAbove(id: number): Promise<void>;
}
