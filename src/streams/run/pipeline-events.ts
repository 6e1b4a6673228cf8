/**
 * A running pipeline's event stream: the events of the run's actor system (restarts, failures,
 * poison batches …) and the pipeline's own — checkpoints completed, the run finished. Published
 * synchronously, in order; a listener that throws never disturbs the run.
 */
import type { SystemEvent } from '../../actors/events.js';

/** A checkpoint became durable (its manifest written, the sink committed). */
export interface CheckpointCompletedEvent {
  readonly type: 'checkpoint-completed';
  /** The pipeline's name (`run({ name })`). */
  readonly pipeline: string;
  readonly id: number;
  /**
   * The source offset it recorded: a restarted run reads from here, so a journal may drop what
   * comes before (see `journal.truncateBefore`).
   */
  readonly offset: unknown;
  /** From the barrier's injection to the manifest being durable. */
  readonly durationMs: number;
  /** Bytes of its snapshot files. */
  readonly bytes: number;
  /** When it completed, by the run's clock. */
  readonly at: number;
}

/**
 * A checkpoint could not be completed (a snapshot or manifest write failed, the sink's pre-commit
 * threw): the run fails with `error` (on worker threads, it may start again from the last one).
 */
export interface CheckpointFailedEvent {
  readonly type: 'checkpoint-failed';
  readonly pipeline: string;
  readonly id: number;
  readonly error: unknown;
  /** When it failed, by the run's clock. */
  readonly at: number;
}

/** The run ended: `error` is set when it failed. */
export interface PipelineFinishedEvent {
  readonly type: 'pipeline-finished';
  readonly pipeline: string;
  /** True when `stop()` or the signal ended it. */
  readonly stopped: boolean;
  readonly error?: unknown;
  readonly at: number;
}

/**
 * A job on worker threads lost a thread (it died) and starts again on new threads from its last
 * checkpoint: attempt `attempt` of `1 + workerRestarts`.
 */
export interface JobRestartedEvent {
  readonly type: 'job-restarted';
  readonly pipeline: string;
  /** The attempt now starting, 2 for the first restart. */
  readonly attempt: number;
  /** Why the attempt before it failed (a WorkerThreadError). */
  readonly error: unknown;
  readonly at: number;
}

/** Every event on `handle.events`. */
export type PipelineEvent = SystemEvent | CheckpointCompletedEvent | CheckpointFailedEvent | PipelineFinishedEvent | JobRestartedEvent;
