/**
 * What `pipeline.run()` and `handle.query()` take: the options of a run, with their defaults.
 * Types only; the run layer (`run/`) validates them.
 */
import type { ActorSystem, DispatcherOptions, SystemOptions } from '../actors/actor-system.js';
import type { Clock } from '../clock.js';
import type { CheckpointOptions } from './checkpoint/checkpoint-options.js';
import type { PipelineDeadLetter } from './run/messages.js';
import type { ChaosOptions, CrashPlan } from './run/chaos.js';
import type { Sink } from './sinks/sink.js';

/** Options of `pipeline.run()`. */
export interface RunOptions {
  /** A name for the job's actors (`/user/<name>`) and metrics. @defaultValue 'pipeline' */
  name?: string | undefined;
  /** Stops the pipeline gracefully when aborted (as `stop()` does). */
  signal?: AbortSignal | undefined;
  /**
   * Records per batch between actors. Larger batches spread each message's fixed cost over more
   * records; under `chaos` the default shrinks so a replayed batch is likely to get through.
   * @defaultValue 1024 (with `chaos`: at most 0.5 / crashRate)
   */
  batchSize?: number | undefined;
  /**
   * Milliseconds a partly filled batch from the source may wait for more records before it is
   * sent anyway, so a slow or idle source never holds records back. @defaultValue 5
   */
  lingerMs?: number | undefined;
  /** Batches each partition's (and the sink's) mailbox holds before senders wait. @defaultValue 4 */
  mailboxBatches?: number | undefined;
  /** Extra attempts at a user function that throws on a record, before it is dead-lettered. @defaultValue 2 */
  retries?: number | undefined;
  /** Where records the pipeline could not process go (besides `handle.deadLetters()`). */
  deadLetters?: Sink<PipelineDeadLetter> | undefined;
  /** Inject crashes into partition actors, to see supervision at work. */
  chaos?: ChaosOptions | undefined;
  /**
   * Planned crashes, for tests (the testing kit's fault plans): asked each time a partition actor
   * takes a record or a marker, with the actor and how many it has taken in this run (replays
   * included); it throws when this returns true. Works beside `chaos`.
   */
  crashAt?: CrashPlan | undefined;
  /**
   * Restarts of partition actors the job tolerates within 10 seconds before it fails the run.
   * Restarts after an injected crash (`chaos`, `crashAt`) are not counted: however many a test
   * injects, the output must not change.
   * @defaultValue 1000 within 10000 ms
   */
  maxRestarts?: number | undefined;
  /**
   * The clock for processing time: processing-time timers, idle timeouts, linger, checkpoint
   * intervals. A virtual clock in tests. @defaultValue the real clock
   */
  clock?: Clock | undefined;
  /**
   * Take checkpoints into `dir` every `interval`, and resume from the newest complete one there:
   * state, source offset and sink (exactly-once with a sink that pre-commits). Needs a replayable
   * source.
   */
  checkpoint?: CheckpointOptions | undefined;
  /**
   * Resume even when the checkpoint holds state of stateful stages this pipeline no longer has (by
   * stage id): that state is dropped. Without it such a checkpoint is refused with a
   * DroppedStateError listing the stage ids on both sides.
   * @defaultValue false
   */
  allowDroppedState?: boolean | undefined;
  /**
   * When the checkpoint resumed from says the job completed, but this code declares a newer
   * `stateVersion` for a stage than that checkpoint's state has: restore the state (migrated) and
   * finish the job again, so this version's final values (`emit: 'final'`) go to the sink, made
   * from the migrated state, without reading the input again. For a sink that replaces its output
   * at the end (as the word count's does), that is the new version's output; a sink that appends
   * gets the final values a second time. Without it, a completed job stays complete whatever the
   * code.
   * @defaultValue false
   */
  finishUpgraded?: boolean | undefined;
  /**
   * How the run's actors share the event loop: `turnBudgetMs` is the longest a turn of actor work
   * runs before it yields to the host's I/O; a smaller one gives an embedding service shorter
   * stalls for a little throughput. @defaultValue `{ messageBudget: 256, turnBudgetMs: 5 }`
   */
  dispatcher?: DispatcherOptions | undefined;
  /**
   * Makes the run's actor system from the options the run sets (`name`, `clock`). The testing kit
   * passes one whose dispatcher runs on a deterministic schedule. @defaultValue `createSystem`
   */
  system?: ((options: SystemOptions) => ActorSystem) | undefined;
}

/** Options of {@link PipelineHandle.query}. */
export interface QueryOptions {
  /**
   * How long to wait for the partition's answer (it answers between two batches), in milliseconds.
   * @defaultValue 5000
   */
  timeoutMs?: number | undefined;
}
