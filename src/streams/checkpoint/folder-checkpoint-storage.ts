/**
 * Checkpoints in a folder: `chk-<id, 10 digits>/` per checkpoint, holding one snapshot file per
 * partition (the snapshot file format, with its checksum) and, written last and atomically, the
 * `manifest`. A checkpoint exists once its manifest does; one whose manifest or any snapshot file
 * is torn, corrupt or missing is passed over for the one before it. The newest `keep` complete
 * checkpoints are kept, everything older deleted. Only `chk-` folders are its own: anything else in
 * the folder (the `savepoints/` that `handle.savepoint()` writes into by default) it never reads,
 * prunes or discards.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointUnusableError } from '../../errors.js';
import { ensureFolder, readIfPresent, readNames, writeAtomically } from '../../internal/durable-files.js';
import { ignore } from '../../internal/ignore.js';
import { decodeSnapshotFile, writeSnapshotFile } from '../../state/snapshot-format.js';
import type { SnapshotEntry } from '../../state/snapshot-store.js';
import type { CheckpointStorage, RestoredCheckpoint } from './checkpoint-storage.js';
import { decodeManifest, encodeManifest, type Manifest, type PartitionSnapshotRef } from './manifest.js';

const PREFIX = 'chk-';
const MANIFEST = 'manifest';
const CHUNK_ENTRIES = 10_000;

/** Checkpoints in a folder: the default storage, `checkpoint.dir`. */
export class FolderCheckpointStorage implements CheckpointStorage {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  get location(): string {
    return this.dir;
  }

  /** The highest checkpoint id in the folder, complete or not (0 when there is none). */
  async highestId(): Promise<number> {
    const ids = await this.#ids();
    return ids[0] ?? 0;
  }

  /** Writes one partition's entries for checkpoint `id`. */
  async writePartition(id: number, stage: number, partition: number, entries: Iterable<SnapshotEntry>): Promise<PartitionSnapshotRef> {
    const file = `s${stage}-p${partition}.snap`;
    const written = await writeAtomically(join(this.#folder(id), file), (handle) =>
      writeSnapshotFile(handle, snapshotKey(stage, partition), { sequence: id, meta: null, entries }, CHUNK_ENTRIES),
    );
    return { partition, file, entries: written.entries, bytes: written.bytes };
  }

  /** Makes checkpoint `manifest.id` complete. */
  async writeManifest(manifest: Manifest): Promise<void> {
    await writeAtomically(join(this.#folder(manifest.id), MANIFEST), async (handle) => {
      await handle.writeFile(encodeManifest(manifest));
    });
  }

  /**
   * The newest checkpoint that is complete and intact, read back whole; undefined when the folder
   * holds none at all.
   * @throws CheckpointUnusableError when there are checkpoints but none is intact.
   */
  async latest(): Promise<RestoredCheckpoint | undefined> {
    await ensureFolder(this.dir);
    const skipped: { id: number; reason: string }[] = [];
    for (const id of await this.#ids()) {
      const text = await readIfPresent(join(this.#folder(id), MANIFEST));
      // No manifest: a checkpoint that never completed, not a damaged one.
      if (text === undefined) continue;
      const decoded = decodeManifest(text.toString('utf8'));
      if ('damaged' in decoded) {
        skipped.push({ id, reason: `manifest: ${decoded.damaged}` });
        continue;
      }
      const restored = await this.#read(decoded.manifest);
      if (typeof restored === 'string') skipped.push({ id, reason: restored });
      else return { manifest: decoded.manifest, entries: restored, skipped };
    }
    if (skipped.length > 0) throw new CheckpointUnusableError(this.dir, skipped);
    return undefined;
  }

  /** Deletes every checkpoint older than the newest `keep` complete ones, complete or not. */
  async prune(keep: number): Promise<void> {
    let complete = 0;
    for (const id of await this.#ids()) {
      if (complete >= keep) {
        await rm(this.#folder(id), { recursive: true, force: true }).catch(ignore);
        continue;
      }
      if ((await readIfPresent(join(this.#folder(id), MANIFEST))) !== undefined) complete++;
    }
  }

  /** Deletes the checkpoints above `id`: leftovers of a run that died before completing them. */
  async discardAbove(id: number): Promise<void> {
    for (const other of await this.#ids()) if (other > id) await rm(this.#folder(other), { recursive: true, force: true });
  }

  /** Every partition's entries, or why the checkpoint cannot be used. */
  async #read(manifest: Manifest): Promise<SnapshotEntry[][][] | string> {
    const stages: SnapshotEntry[][][] = [];
    for (const [s, stage] of manifest.stages.entries()) {
      const partitions: SnapshotEntry[][] = [];
      for (const ref of stage.snapshots) {
        const bytes = await readIfPresent(join(this.#folder(manifest.id), ref.file)).catch(() => undefined);
        if (bytes === undefined) return `${ref.file}: missing`;
        const result = await decodeSnapshotFile(bytes, { key: snapshotKey(s, ref.partition), sequence: manifest.id });
        if (!result.intact) return `${ref.file}: ${result.reason}`;
        partitions[ref.partition] = [...result.snapshot.entries];
      }
      stages.push(partitions);
    }
    return stages;
  }

  /** Checkpoint ids in the folder, newest first. */
  async #ids(): Promise<number[]> {
    const ids: number[] = [];
    for (const name of await readNames(this.dir)) {
      if (!name.startsWith(PREFIX)) continue;
      const id = Number(name.slice(PREFIX.length));
      if (Number.isSafeInteger(id) && id > 0) ids.push(id);
    }
    return ids.sort((a, b) => b - a);
  }

  #folder(id: number): string {
    return join(this.dir, `${PREFIX}${String(id).padStart(10, '0')}`);
  }
}

function snapshotKey(stage: number, partition: number): string {
  return `s${stage}-p${partition}`;
}
