/**
 * `handle.savepoint(dir)`: a checkpoint taken now, as `handle.checkpoint()` takes one, then copied
 * out of the run's storage into a savepoint folder once its sink has committed it. Pruning is held
 * from before the checkpoint is asked for until the copy is done, so the checkpoint cannot be
 * deleted under the copy however many complete meanwhile. A run takes one savepoint at a time:
 * two asked for together would both get the next checkpoint to complete, and the second would find
 * the default folder for it taken.
 */
import { InvalidOptionError } from '../../errors.js';
import { ignore } from '../../internal/ignore.js';
import type { CheckedCheckpointOptions } from '../checkpoint/checkpoint-options.js';
import { CheckpointAbandonedError } from '../checkpoint/coordinator.js';
import { checkSavepointFolder, savepointRequest, writeSavepoint, type SavepointInfo, type SavepointRequest } from '../checkpoint/savepoint.js';
import type { RunCheckpoints } from '../checkpoint/run-checkpoints.js';
import { checkpointNow, type CheckpointNowTarget } from './checkpoint-now.js';

/** Each run's last savepoint asked for, settled or not: the next one waits for it. */
const previous = new WeakMap<RunCheckpoints, Promise<unknown>>();

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
  const before = previous.get(checkpoints);
  const taking = (async () => {
    await before?.catch(ignore);
    return takeSavepoint(target, checkpoints, options, request);
  })();
  previous.set(checkpoints, taking);
  return taking;
}

async function takeSavepoint(
  target: CheckpointNowTarget,
  checkpoints: RunCheckpoints,
  options: CheckedCheckpointOptions,
  request: SavepointRequest,
): Promise<SavepointInfo> {
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
