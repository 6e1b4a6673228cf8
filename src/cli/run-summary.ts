/**
 * The one line `sluice run` writes about a run that ended: completed (with what went in and out),
 * completed in an earlier run, or stopped by a signal. A pure function of the run's result, so the
 * wording is tested without running anything.
 */
import type { PipelineResult } from '../streams/pipeline-handle.js';

/** How a run that settled with a result came to its end, besides the result itself. */
export interface RunEnding {
  /** The signal that stopped the run, when one did. */
  readonly signal: NodeJS.Signals | undefined;
  /** The checkpoint folder, when the run took checkpoints. */
  readonly checkpointDir: string | undefined;
}

/**
 * The summary line of a run, without the command's prefix and without a line break.
 * @example
 * ```ts
 * runSummary(result, { signal: undefined, checkpointDir: undefined });
 * // 'job complete in 1.23 s (27 records in, 165 out)'
 * ```
 */
export function runSummary(result: PipelineResult, ending: RunEnding): string {
  const { checkpointDir } = ending;
  if (result.alreadyComplete) {
    return `the job had already completed (checkpoint ${result.resumedFrom} in ${checkpointDir}): nothing ran, and its output is as that run left it`;
  }
  const counts = [`${result.recordsRead} records in`, `${result.recordsWritten} out`];
  if (result.deadLetters > 0) counts.push(`${result.deadLetters} dead letters`);
  if (result.resumedFrom !== undefined) counts.push(`resumed from checkpoint ${result.resumedFrom}`);
  const took = `${(result.durationMs / 1000).toFixed(2)} s (${counts.join(', ')})`;
  if (!result.stopped) return `job complete in ${took}`;
  const by = ending.signal === undefined ? '' : ` by ${ending.signal}`;
  const next = checkpointDir === undefined ? '' : `; the same command goes on from the last checkpoint in ${checkpointDir}`;
  return `stopped${by} after ${took}${next}`;
}
