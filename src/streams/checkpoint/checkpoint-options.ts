/**
 * How a pipeline run takes checkpoints: where (a folder, or a storage of the user's), how often, how many to keep. Validated when the
 * run starts, naming the option.
 */
import { InvalidOptionError } from '../../errors.js';
import { isObject, positiveInteger, positiveNumberOrInfinity, withDefault } from '../../internal/validate.js';
import type { CheckpointStorage } from './checkpoint-storage.js';
import { FolderCheckpointStorage } from './folder-checkpoint-storage.js';

/** Options of `run({ checkpoint })`: a folder (`dir`) or a storage (`storage`), exactly one. */
export interface CheckpointOptions {
  /** The folder holding the checkpoints; created when missing. A run resumes from the newest complete one. */
  dir?: string | undefined;
  /**
   * Where to keep the checkpoints instead of a folder: anything that keeps the promises of
   * {@link CheckpointStorage} (the testing kit's `memoryCheckpoints()`, a database).
   */
  storage?: CheckpointStorage | undefined;
  /**
   * Milliseconds between checkpoints (processing time). Infinity: only on demand, on `stop()` and at
   * the end of input.
   * @defaultValue 10000
   */
  interval?: number | undefined;
  /**
   * Complete checkpoints kept; older ones are deleted. More than one, so a checkpoint damaged at
   * rest still leaves one to fall back to.
   * @defaultValue 2
   */
  keep?: number | undefined;
  /**
   * A savepoint folder (what `handle.savepoint()` or `stop({ savepoint })` wrote) to start from
   * when `dir` (or `storage`) holds no checkpoint yet: its state, source offset, event time and sink
   * token, redistributed to this run's partition counts. Once this run has checkpoints of its own,
   * a restart goes on from those, so starting the same run again never goes back to the savepoint.
   */
  savepoint?: string | undefined;
}

/** Where a run's checkpoints are (or the savepoint it starts from), and the option that said so (for errors that name it). */
export interface CheckpointsAt {
  readonly option: 'checkpoint.dir' | 'checkpoint.storage' | 'checkpoint.savepoint';
  readonly location: string;
}

export interface CheckedCheckpointOptions {
  readonly storage: CheckpointStorage;
  readonly at: CheckpointsAt;
  readonly interval: number;
  readonly keep: number;
  /** The savepoint folder to start from when the run's own checkpoints are none. */
  readonly savepoint?: string | undefined;
}

const STORAGE_METHODS = ['highestId', 'writePartition', 'writeManifest', 'latest', 'prune', 'discardAbove'] as const;

/**
 * @throws InvalidOptionError naming `checkpoint.dir` or `checkpoint.storage` (neither, both, or
 *   one that is not a folder path or a storage), `checkpoint.interval`, `checkpoint.keep` or
 *   `checkpoint.savepoint` (not a folder path).
 */
export function checkCheckpointOptions(options: unknown): CheckedCheckpointOptions | undefined {
  if (options === undefined) return undefined;
  isObject('checkpoint', options);
  const { dir, storage, interval, keep, savepoint } = options as CheckpointOptions;
  if (savepoint !== undefined && (typeof savepoint !== 'string' || savepoint === '')) {
    throw new InvalidOptionError('checkpoint.savepoint', 'the path of a savepoint folder', savepoint);
  }
  const timing = {
    interval: withDefault(interval, 10_000, (v) => positiveNumberOrInfinity('checkpoint.interval', v)),
    keep: withDefault(keep, 2, (v) => positiveInteger('checkpoint.keep', v)),
    ...(savepoint === undefined ? {} : { savepoint }),
  };
  if (storage === undefined) {
    if (typeof dir !== 'string' || dir === '') throw new InvalidOptionError('checkpoint.dir', 'a folder path (or a checkpoint.storage instead)', dir);
    return { storage: new FolderCheckpointStorage(dir), at: { option: 'checkpoint.dir', location: dir }, ...timing };
  }
  if (dir !== undefined) throw new InvalidOptionError('checkpoint.storage', 'absent when checkpoint.dir is given: one place for checkpoints', storage);
  isObject('checkpoint.storage', storage);
  for (const method of STORAGE_METHODS) {
    if (typeof storage[method] !== 'function') throw new InvalidOptionError('checkpoint.storage', `a CheckpointStorage (it has no ${method} method)`, storage);
  }
  if (typeof storage.location !== 'string') throw new InvalidOptionError('checkpoint.storage', 'a CheckpointStorage with a location string', storage);
  return { storage, at: { option: 'checkpoint.storage', location: storage.location }, ...timing };
}
