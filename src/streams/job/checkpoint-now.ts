/**
 * `handle.checkpoint()`: asks for a checkpoint now and resolves with the id of the next one to
 * complete (the one asked for, or one begun before it), once the job has started.
 */
import { InvalidOptionError } from '../../errors.js';
import { CheckpointAbandonedError } from '../checkpoint/coordinator.js';
import type { RunCheckpoints } from '../checkpoint/run-checkpoints.js';

export interface CheckpointNowTarget {
  /** Undefined when the run has no checkpoints. */
  readonly checkpoints: RunCheckpoints | undefined;
  /** Settles when the job has started or is over, whichever comes first. */
  readonly started: Promise<void>;
  /** Settles when the run is over. */
  readonly over: Promise<void>;
  /** Whether the run's end has begun. */
  ended(): boolean;
}

/**
 * @throws InvalidOptionError (rejects) naming `checkpoint` when the run has none, or when it ends
 *   before the checkpoint completes.
 */
export async function checkpointNow(target: CheckpointNowTarget): Promise<number> {
  const { checkpoints } = target;
  if (checkpoints === undefined) throw new InvalidOptionError('checkpoint', 'set in run() to take checkpoints', undefined);
  await target.started;
  const completedBefore = checkpoints.stats?.completed ?? 0;
  checkpoints.request();
  const { coordinator } = checkpoints;
  while ((checkpoints.stats?.completed ?? 0) === completedBefore) {
    if (target.ended()) throw new InvalidOptionError('checkpoint', 'a running pipeline', 'a finished one');
    try {
      await Promise.race([coordinator.settled(), target.over]);
    } catch (error) {
      // One the run's end abandoned: the loop says the run is over.
      if (!(error instanceof CheckpointAbandonedError)) throw error;
    }
    // None under way, the one asked for not begun yet: wait for it to begin (or the run to end), not for the event loop.
    if (!coordinator.busy && (checkpoints.stats?.completed ?? 0) === completedBefore) await Promise.race([coordinator.began(), target.over]);
  }
  return checkpoints.stats?.lastId as number;
}
