/**
 * `handle.savepoint(dir)`: a checkpoint taken now, as `handle.checkpoint()` takes one, then copied
 * out of the run's storage into a savepoint folder once its sink has committed it. Pruning is held
 * from before the checkpoint is asked for until the copy is done, so the checkpoint cannot be
 * deleted under the copy however many complete meanwhile.
 */
import { InvalidOptionError } from '../../errors.js';
import type { CheckedCheckpointOptions } from '../checkpoint/checkpoint-options.js';
import { CheckpointAbandonedError } from '../checkpoint/coordinator.js';
import { checkSavepointFolder, savepointRequest, writeSavepoint, type SavepointInfo } from '../checkpoint/savepoint.js';
import { checkpointNow, type CheckpointNowTarget } from './checkpoint-now.js';

export interface SavepointNowTarget extends CheckpointNowTarget {
  /** The run's checkpoint options; undefined when it has no checkpoints. */
  readonly options: CheckedCheckpointOptions | undefined;
}

/**
 * @throws InvalidOptionError (rejects) naming `checkpoint` when the run has none or ends before
 *   the checkpoint completes, or `dir` (see `savepointRequest` and `checkSavepointFolder`).
 */
export async function savepointNow(target: SavepointNowTarget, dir: unknown): Promise<SavepointInfo> {
  const { checkpoints, options } = target;
  if (checkpoints === undefined || options === undefined) throw new InvalidOptionError('checkpoint', 'set in run() to take savepoints', undefined);
  const request = savepointRequest('dir', dir, options.at);
  await checkSavepointFolder(request);
  await target.started;
  if (target.ended()) throw new InvalidOptionError('checkpoint', 'a running pipeline', 'a finished one');
  const release = checkpoints.coordinator.holdPruning();
  try {
    const id = await checkpointNow(target);
    try {
      await checkpoints.coordinator.finished(id);
    } catch (error) {
      // The run ended after the manifest was written: the checkpoint is complete, and the next run
      // on the storage commits its output.
      if (!(error instanceof CheckpointAbandonedError)) throw error;
    }
    return await writeSavepoint(options.storage, options.at, request, id);
  } finally {
    release();
  }
}
