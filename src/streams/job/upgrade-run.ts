/**
 * `handle.upgrade(next)`: the live swap of a job's version inside its host. The current run stops
 * at a checkpoint; `next` starts with the same checkpoints, so from exactly that one; when `next`
 * cannot start, the current version starts again from that same checkpoint. The two never overlap:
 * `next` starts once the current run has wholly ended, and the current version starts again once
 * the failed `next` has. Each starts from the storage's newest checkpoint, and nothing completes
 * one in between, so each starts where the stop left the job: no record lost, none counted twice.
 */
import { InvalidOptionError, UpgradeFailedError } from '../../errors.js';
import { isObject } from '../../internal/validate.js';
import type { PipelineHandle, RunnableVersion, UpgradeOptions } from '../pipeline-handle.js';
import type { RunOptions } from '../run-options.js';

/** How a run was started: so that a next version can start in its place, or it again. */
export interface RunOrigin {
  /** The run options it was started with (without a job module's own: `args`, `workers` …). */
  readonly options: RunOptions;
  /** Starts the same version again with the same options: a run that goes on from the last checkpoint. */
  again(): PipelineHandle;
}

/**
 * Stops `current` at a checkpoint and starts `next` from it; see `PipelineHandle.upgrade`.
 * Everything `upgrade` refuses, it refuses before stopping anything, and it asks for the stop
 * synchronously: the source stops right after the record being read when `upgrade` was called.
 * @param origin - undefined for a run started by something else than `run()` (a cluster's leader).
 */
export async function upgradeRun<TOptions extends RunOptions>(
  current: PipelineHandle,
  origin: RunOrigin | undefined,
  next: RunnableVersion<TOptions>,
  options: UpgradeOptions<TOptions> | undefined,
): Promise<PipelineHandle> {
  if (origin === undefined) throw new InvalidOptionError('upgrade', 'asked of a run that pipeline.run() or job.run() started', 'a run a cluster started');
  if (origin.options.checkpoint === undefined) {
    throw new InvalidOptionError('checkpoint', 'set in run() to upgrade a run: the next version starts from its last checkpoint', undefined);
  }
  if (typeof next !== 'object' || next === null || typeof next.run !== 'function') {
    throw new InvalidOptionError('next', 'a pipeline ended by .to(sink), or a job module', next);
  }
  if (options !== undefined) {
    isObject('options', options);
    const { checkpoint } = options as RunOptions;
    if (checkpoint !== undefined) {
      throw new InvalidOptionError('options.checkpoint', 'left out: the next version takes its checkpoints where this run does', checkpoint);
    }
  }
  const status = current.status;
  if (status !== 'starting' && status !== 'running') throw new InvalidOptionError('upgrade', 'asked of a running pipeline', `one that is ${status}`);
  // Rejects when the run fails meanwhile: nothing is started then, as nothing would have been.
  await current.stop();
  const nextOptions = { ...origin.options, ...options, checkpoint: origin.options.checkpoint } as RunOptions as TOptions;
  let handle: PipelineHandle;
  try {
    handle = next.run(nextOptions);
  } catch (error) {
    throw new UpgradeFailedError(error, origin.again());
  }
  if ((await handle.started) || handle.status !== 'failed') return handle;
  // Over before it started: it never read a record nor completed a checkpoint.
  const failure = await handle.done.then(
    () => undefined,
    (error: unknown) => error,
  );
  throw new UpgradeFailedError(failure, origin.again());
}
