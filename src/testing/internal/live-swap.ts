/**
 * A live upgrade under the test engine: `handle.upgrade(next)` asked of the running version and
 * followed until it settles, while the engine goes on driving turns — the old run's stop at a
 * checkpoint, then the next version's start from it, both need them. The outcome lands in a field
 * the engine reads between steps, as a checkpoint request's does, so nothing waits on it.
 */
import { UpgradeFailedError } from '../../errors.js';
import type { PipelineHandle, UpgradeOptions } from '../../streams/pipeline-handle.js';
import type { RunOptions } from '../../streams/run-options.js';
import type { RunnablePipeline } from '../check-pipeline.js';

/** The checkpoint a live swap stopped the old version at, which the next version starts from. */
export interface SwapCheckpoint {
  readonly id: number;
  /** Records of the input it covers. */
  readonly offset: number;
}

/**
 * How a live swap ended: the next version took over; it could not start and the old version went
 * on (`UpgradeFailedError`, its `previous` running again from the swap's checkpoint); or the old
 * run failed as it stopped, and nothing was started.
 */
export type SwapOutcome =
  | { readonly kind: 'took-over'; readonly handle: PipelineHandle; readonly checkpoint: SwapCheckpoint | undefined }
  | { readonly kind: 'fell-back'; readonly error: UpgradeFailedError }
  | { readonly kind: 'failed'; readonly error: unknown };

/** A live swap under way; `outcome` is set once it settles. */
export interface LiveSwap {
  readonly outcome: SwapOutcome | undefined;
}

/**
 * Asks `current` to upgrade to `next` with `options` (the run options that change: the kit gives
 * each run its own system seed and fault counts). The swap's checkpoint is read off the old run's
 * `checkpoint-completed` events, as it completes: no storage read, whose file I/O could let the
 * engine see the outcome a step earlier or later from one replay to the next.
 */
export function swapLive(current: PipelineHandle, next: RunnablePipeline, options: UpgradeOptions<RunOptions>): LiveSwap {
  const swap: { outcome: SwapOutcome | undefined } = { outcome: undefined };
  let checkpoint: SwapCheckpoint | undefined;
  const unsubscribe = current.events.subscribe((event) => {
    if (event.type === 'checkpoint-completed' && typeof event.offset === 'number') checkpoint = { id: event.id, offset: event.offset };
  });
  current.upgrade(next, options).then(
    (handle) => {
      unsubscribe();
      swap.outcome = { kind: 'took-over', handle, checkpoint };
    },
    (error: unknown) => {
      unsubscribe();
      swap.outcome = error instanceof UpgradeFailedError ? { kind: 'fell-back', error } : { kind: 'failed', error };
    },
  );
  return swap;
}
