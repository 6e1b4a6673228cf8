/**
 * Savepoints: one complete checkpoint kept apart from a run's own, in a folder of its own and in
 * the folder storage's format (`chk-<id>/`, its snapshot files and its manifest), so that it can be
 * copied to another machine and start another version of the job, with other partition counts.
 * A savepoint folder appears whole or not at all (it is written beside its place and renamed into
 * it), is never written over, and no run prunes it: a run reads it, and writes its own checkpoints
 * elsewhere.
 */
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { nanoid } from 'nanoid';
import { CheckpointUnusableError, InvalidOptionError } from '../../errors.js';
import { ensureFolder, errorCode, readNames, syncFolder } from '../../internal/durable-files.js';
import type { CheckpointsAt } from './checkpoint-options.js';
import type { CheckpointStorage, RestoredCheckpoint } from './checkpoint-storage.js';
import { FolderCheckpointStorage } from './folder-checkpoint-storage.js';
import type { PartitionSnapshotRef, StageManifest } from './manifest.js';

/** A savepoint written: the checkpoint it holds, and its folder. */
export interface SavepointInfo {
  /** The id of the checkpoint it holds; a run started from it numbers its own checkpoints on from there. */
  readonly id: number;
  /** The savepoint's folder: what `run({ checkpoint: { savepoint } })` takes. */
  readonly dir: string;
}

/** Where a savepoint asked for goes, and the option that said so (for errors that name it). */
export interface SavepointRequest {
  readonly option: 'dir' | 'savepoint';
  /** Undefined: `savepoints/savepoint-<id>` in the run's checkpoint folder, once the id is known. */
  readonly dir: string | undefined;
}

const NEVER_OVER = 'a folder that does not exist yet or is empty: a savepoint is never written over another folder';

/**
 * A savepoint request for `value` (a folder, or `true`/undefined for the default one) of a run whose
 * checkpoints are `at`.
 * @throws InvalidOptionError naming `option` when `value` is not a folder path, or when it is left
 *   out and the run keeps its checkpoints somewhere other than a folder.
 */
export function savepointRequest(option: SavepointRequest['option'], value: unknown, at: CheckpointsAt): SavepointRequest {
  if (typeof value === 'string' && value !== '') return { option, dir: value };
  if (value !== undefined && value !== true) throw new InvalidOptionError(option, 'the path of a folder for the savepoint', value);
  if (at.option !== 'checkpoint.dir') {
    throw new InvalidOptionError(option, `a folder for the savepoint: this run keeps its checkpoints in ${at.location}, not in a folder to put it in`, value);
  }
  return { option, dir: undefined };
}

/**
 * Refuses a named folder that already holds something, before anything is stopped or taken for it.
 * (Writing it refuses again, should the folder have filled meanwhile.)
 * @throws InvalidOptionError naming the request's option.
 */
export async function checkSavepointFolder(request: SavepointRequest): Promise<void> {
  if (request.dir === undefined) return;
  let names: string[];
  try {
    names = await readNames(request.dir);
  } catch (error) {
    throw new InvalidOptionError(request.option, 'the path of a folder for the savepoint', request.dir, error);
  }
  if (names.length > 0) throw new InvalidOptionError(request.option, NEVER_OVER, request.dir);
}

/**
 * Copies the newest complete checkpoint of `storage` (the run's own, whose checkpoints are `at`)
 * into the folder `request` names, as a savepoint. It must be checkpoint `atLeast` or a newer one:
 * the caller took that one for this savepoint and kept it from being pruned.
 * @throws InvalidOptionError naming the request's option when the folder holds something already.
 */
export async function writeSavepoint(storage: CheckpointStorage, at: CheckpointsAt, request: SavepointRequest, atLeast: number): Promise<SavepointInfo> {
  const checkpoint = await storage.latest();
  const id = checkpoint?.manifest.id ?? 0;
  if (checkpoint === undefined || id < atLeast) throw new Error(`checkpoint ${atLeast}, taken for a savepoint, is no longer in ${storage.location}`);
  const dir = request.dir ?? join(at.location, 'savepoints', `savepoint-${String(id).padStart(10, '0')}`);
  await copyInto(checkpoint, dir, request.option);
  return { id, dir };
}

/** Writes `checkpoint` beside `dir`, then renames it into place, which fails when `dir` holds anything. */
async function copyInto(checkpoint: RestoredCheckpoint, dir: string, option: SavepointRequest['option']): Promise<void> {
  const parent = dirname(dir);
  await ensureFolder(parent);
  const temp = join(parent, `.${basename(dir)}.${nanoid(10)}.tmp`);
  try {
    const folder = new FolderCheckpointStorage(temp);
    const { manifest } = checkpoint;
    const stages: StageManifest[] = [];
    for (const [s, stage] of manifest.stages.entries()) {
      const snapshots: PartitionSnapshotRef[] = [];
      for (const ref of stage.snapshots) {
        const written = await folder.writePartition(manifest.id, s, ref.partition, checkpoint.entries[s]?.[ref.partition] ?? []);
        // Its place in event time stays; where the storage keeps it is the folder's now.
        snapshots.push({ ...ref, file: written.file, entries: written.entries, bytes: written.bytes });
      }
      stages.push({ ...stage, snapshots });
    }
    await folder.writeManifest({ ...manifest, stages });
    try {
      // Over a folder that does not exist or is empty, and never over one that holds anything.
      await rename(temp, dir);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') throw new InvalidOptionError(option, NEVER_OVER, dir, error);
      throw error;
    }
    await syncFolder(parent);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The checkpoint a savepoint folder holds (its newest intact one), read back whole.
 * @throws InvalidOptionError naming `checkpoint.savepoint` when `path` is no folder, is empty, or
 *   holds no complete and intact checkpoint (`cause`: the CheckpointUnusableError saying why).
 */
export async function readSavepoint(path: string): Promise<RestoredCheckpoint> {
  const option = 'checkpoint.savepoint';
  let names: string[];
  try {
    names = await readNames(path);
  } catch (error) {
    throw new InvalidOptionError(option, 'the path of a savepoint folder', path, error);
  }
  // Checked first: reading a folder storage creates a folder that is missing.
  if (names.length === 0) throw new InvalidOptionError(option, 'a savepoint folder (what handle.savepoint() wrote); it is missing or empty', path);
  let restored: RestoredCheckpoint | undefined;
  try {
    restored = await new FolderCheckpointStorage(path).latest();
  } catch (error) {
    if (!(error instanceof CheckpointUnusableError)) throw error;
    const reasons = error.skipped.map((s) => `checkpoint ${s.id}: ${s.reason}`).join('; ');
    throw new InvalidOptionError(option, `a savepoint folder holding an intact checkpoint (none is: ${reasons})`, path, error);
  }
  if (restored === undefined) throw new InvalidOptionError(option, 'a savepoint folder holding a complete checkpoint (it holds none)', path);
  return restored;
}
