/**
 * A running pipeline as its caller sees it: the handle `pipeline.run()` returns, its status, its
 * metrics and its result. Types only; the job (`run/`) implements them.
 */
import type { ActorMetrics } from '../actors/actor-metrics.js';
import type { EventChannel } from '../actors/events.js';
import type { LatencySummary } from '../metrics/latency-histogram.js';
import type { CheckpointStats } from './checkpoint/coordinator.js';
import type { SavepointInfo } from './checkpoint/savepoint.js';
import type { PartitionKey } from './partitioning/canonical-key.js';
import type { PipelineDeadLetter } from './run/messages.js';
import type { PipelineEvent } from './run/pipeline-events.js';
import type { QueryOptions, RunOptions } from './run-options.js';

/** What a finished run reports. */
export interface PipelineResult {
  /** Records taken from the source. */
  readonly recordsRead: number;
  /** Records the sink accepted. */
  readonly recordsWritten: number;
  /** Records sent to the dead-letter output. */
  readonly deadLetters: number;
  /** Records too late for every window, over all window operators (dead-lettered or not). */
  readonly lateRecords: number;
  /** True when `stop()` or the signal ended the run before the source did. */
  readonly stopped: boolean;
  readonly durationMs: number;
  /** The checkpoint this run resumed from, when it did. */
  readonly resumedFrom: number | undefined;
  /** The savepoint folder that checkpoint was read from, when the run started from a savepoint. */
  readonly resumedFromSavepoint?: string | undefined;
  /** Newer checkpoints passed over because they were damaged, and why. */
  readonly skippedCheckpoints: readonly { readonly id: number; readonly reason: string }[];
  /** True when the checkpoint folder said the job had already completed: nothing ran. */
  readonly alreadyComplete: boolean;
  /** Checkpoints this run completed (with checkpoints on), the last one included. */
  readonly checkpoints: number;
  /**
   * The savepoint `stop({ savepoint })` wrote of the run's last checkpoint. Undefined otherwise,
   * also when the input ended before the stop did (`stopped` is false then: the job completed).
   */
  readonly savepoint?: SavepointInfo | undefined;
}

/** Options of {@link PipelineHandle.stop}. */
export interface StopOptions {
  /**
   * Keep the last checkpoint as a savepoint too: `true` for `savepoints/savepoint-<id>` in the
   * run's checkpoint folder, or the folder to write it to (one that does not exist yet or is empty).
   * The result's `savepoint` says where it went.
   * @defaultValue false
   */
  savepoint?: boolean | string | undefined;
}

/**
 * A version of a job that {@link PipelineHandle.upgrade} can start: a pipeline ended by
 * `.to(sink)`, or a job module made by `defineJob`.
 */
export interface RunnableVersion<TOptions extends RunOptions> {
  run(options: TOptions): PipelineHandle;
}

/**
 * What {@link PipelineHandle.upgrade} takes beside the next version: run options that change (the
 * others are the current run's), and what the next version's `run` takes beyond run options (a job
 * module's `args`, `workers`, which are not carried over). `checkpoint` is not among them: the
 * next version takes its checkpoints where the current one does, which is how it starts from the
 * current one's last.
 */
export type UpgradeOptions<TOptions extends RunOptions> = Omit<TOptions, keyof RunOptions> & Omit<RunOptions, 'checkpoint'>;

/** The arguments of {@link PipelineHandle.upgrade} after the next version: options, required when the next version needs some (a job module's `args`). */
export type UpgradeArguments<TOptions extends RunOptions> =
  Record<never, never> extends UpgradeOptions<TOptions> ? [options?: UpgradeOptions<TOptions>] : [options: UpgradeOptions<TOptions>];

/**
 * Where a run is: `'starting'` until its actors are up (and, with checkpoints, the state is
 * restored), `'running'`, `'stopping'` once `stop()` or the signal asked it to, then `'finished'`
 * (`done` resolved) or `'failed'` (`done` rejected).
 */
export type PipelineStatus = 'starting' | 'running' | 'stopping' | 'finished' | 'failed';

/** One operator's counters: the source, each keyed (or rebalanced) stage, the sink. */
export interface OperatorMetrics {
  readonly name: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

/** A keyed (or rebalanced) stage as its partitions see it. */
export interface StageMetrics {
  /** The operator's name, as in `operators`. */
  readonly name: string;
  readonly partitions: number;
  /** Records each partition took in, by partition index (replays after a restart included). */
  readonly partitionRecordsIn: readonly number[];
  /**
   * Time a partition takes over one batch (the operator and routing its output, not the wait for
   * room downstream), in milliseconds: percentiles of the last one to two minutes.
   */
  readonly latency: LatencySummary;
  /** The stage's input watermark (the lowest of its partitions'), on a timed stream once it has one. */
  readonly watermark: number | undefined;
}

/** Live counters of a running pipeline. */
export interface PipelineMetrics {
  /** The run's name (`run({ name })`). */
  readonly name: string;
  readonly status: PipelineStatus;
  readonly operators: readonly OperatorMetrics[];
  /** Each keyed (or rebalanced) stage's batch latency and watermark, in pipeline order. */
  readonly stages: readonly StageMetrics[];
  /** Mailbox depth (in batches) and high-water mark of every actor, by path. */
  readonly mailboxes: Readonly<Record<string, { readonly depth: number; readonly highWaterMark: number }>>;
  /**
   * Every actor of the run — the job, each partition, the sink — with what it processed (batches),
   * its failures and restarts, mailbox depth, high-water mark and drops.
   */
  readonly actors: readonly ActorMetrics[];
  readonly restarts: number;
  readonly deadLetters: number;
  readonly lateRecords: number;
  /** With checkpoints on: how many completed, the last one's id, duration and size. */
  readonly checkpoints: CheckpointStats | undefined;
  /** Records read and written since the run started, and the average rate of reading. */
  readonly throughput: {
    readonly elapsedMs: number;
    readonly recordsRead: number;
    readonly recordsWritten: number;
    readonly recordsPerSecond: number;
  };
  /**
   * On a timed stream: the watermark of the last stage that has one, and how far it trails the wall
   * clock (`Date.now()` − watermark, for event times in epoch milliseconds).
   */
  readonly watermark: { readonly value: number; readonly lagMs: number } | undefined;
  /**
   * With worker threads (`workers` > 1): the thread (1 to `workers`) that runs each partition, by
   * its actor's path. Undefined for a run on one thread.
   */
  readonly placement: Readonly<Record<string, number>> | undefined;
  /**
   * Who runs each partition, by its actor's path: `thread 2` with worker threads, a worker's id when
   * a cluster runs the job. Undefined for a run on one thread of a process of its own.
   */
  readonly owners: Readonly<Record<string, string>> | undefined;
}

/** A running pipeline. */
export interface PipelineHandle {
  /** Resolves when the source has ended and everything has drained into the sink; rejects with the failure. */
  readonly done: Promise<PipelineResult>;
  /**
   * Resolves with true once the run has started — its actors up, its state restored, the source
   * being read — or with false when it ended before it did (`done` says how: a failure, or a job
   * that had completed already). Never rejects.
   */
  readonly started: Promise<boolean>;
  /** Where the run is now. */
  readonly status: PipelineStatus;
  /**
   * The run's events: its actor system's (`actor-restarted`, `actor-failed`, `poison-message` …)
   * and its own (`checkpoint-completed`, `pipeline-finished`), published synchronously.
   */
  readonly events: EventChannel<PipelineEvent>;
  /** Counters read now; cheap enough to call on every scrape. */
  metrics(): PipelineMetrics;
  /**
   * The current value of `key` in the keyed stage with id or name `stage` (its `id` option, or
   * `'reduce'`, `'aggregate'`, `'process'`, or the stage's `name` option): the partition that owns the key answers from its
   * live state — for `reduce`/`aggregate` the value it would emit (`result` of the accumulator), for
   * `process` the key's state. Resolves with undefined for a key the stage holds nothing for.
   *
   * In the first keyed stage the answer covers every record the source handed the pipeline before
   * the call (records waiting for a batch to fill are sent first); later stages answer with what
   * has reached them. Treat the value as read-only: it is the state itself, not a copy.
   *
   * @throws (rejects) InvalidOptionError naming `stage` when no reduce, aggregate or process stage
   *   has that name, or `query` when the run has finished; InvalidKeyError for a key that cannot be
   *   partitioned; AskTimeoutError after `timeoutMs`; the error `result` throws.
   * @example
   * ```ts
   * const handle = pipeline(source).keyBy((e) => e.user, { partitions: 4 })
   *   .reduce((n: number) => n + 1, () => 0).to(toCallback(() => {})).run();
   * const clicks = await handle.query<number>('reduce', 'ada'); // undefined until ada is seen
   * ```
   */
  query<TValue = unknown>(stage: string, key: PartitionKey, options?: QueryOptions): Promise<TValue | undefined>;
  /** The most recent dead letters (up to 1000), oldest first. */
  deadLetters(): PipelineDeadLetter[];
  /**
   * Stops reading the source and resolves like `done`. Without checkpoints, what was read drains
   * into the sink (final values and windows included); with them, a last checkpoint is taken
   * instead, and a later run resumes from it. With `savepoint`, that last checkpoint is also
   * written as a savepoint (`result.savepoint`), from which another version can start.
   * @throws InvalidOptionError (rejects, and the run goes on) naming `savepoint` when the run has
   *   no checkpoints, is stopping or over already, or the folder is not a path, holds something, or
   *   is left out while the checkpoints are not in a folder. Should the folder fill up before the
   *   savepoint is written, the run is stopped all the same and `done` rejects with that error.
   */
  stop(options?: StopOptions): Promise<PipelineResult>;
  /**
   * Takes a checkpoint now (with checkpoints on) and resolves with its id once it is complete.
   * @throws InvalidOptionError (rejects) when the run has no `checkpoint` option.
   */
  checkpoint(): Promise<number>;
  /**
   * Takes a checkpoint now, as `checkpoint()` does, and once it is complete and the sink has
   * committed it, writes it as a savepoint into `dir` (by default `savepoints/savepoint-<id>` in the
   * run's checkpoint folder), which no pruning touches; the run goes on. Another run starts from it
   * with `run({ checkpoint: { dir, savepoint } })`, with other partition counts, on another machine.
   * The savepoint holds the checkpoint taken for it, or a newer one if one completed meanwhile.
   * @throws InvalidOptionError (rejects) naming `checkpoint` when the run has none or ends first,
   *   or `dir` when it is not a path, holds something already, or is left out while the run's
   *   checkpoints are not in a folder (`checkpoint.storage`).
   * @example
   * ```ts
   * const { id, dir } = await handle.savepoint('/backups/orders-v1');
   * ```
   */
  savepoint(dir?: string): Promise<SavepointInfo>;
  /**
   * Swaps the running version for `next` without restarting the host: stops this run at a
   * checkpoint (the source held at its barrier: nothing after it is read), starts `next` with this
   * run's options (overridden by `options`, with the same checkpoints, so it starts from exactly
   * that checkpoint), and resolves with its handle once it has started. No record is lost or
   * counted twice: what this run read before the barrier went through it, what follows goes
   * through `next`. This handle's `done` resolves as the swap begins (`stopped`); the new handle
   * is the job's from then on, and can be upgraded in turn.
   * @throws InvalidOptionError (rejects) naming `checkpoint` when the run has none, `upgrade` when
   *   it is not running, `next` when it is not a pipeline or a job module.
   * @throws UpgradeFailedError (rejects) when `next.run` throws or the next version fails before it
   *   started (another stage layout, state it cannot restore): this version was started again from
   *   the same checkpoint, and `error.previous` is its handle.
   * @throws whatever this run fails with while it stops (then nothing is started).
   * @example
   * ```ts
   * let handle = v1.run({ checkpoint: { dir: 'state/checkpoints' } });
   * try {
   *   handle = await handle.upgrade(v2);
   * } catch (error) {
   *   if (error instanceof UpgradeFailedError) handle = error.previous; // v1 goes on
   *   else throw error;
   * }
   * ```
   */
  upgrade<TOptions extends RunOptions>(next: RunnableVersion<TOptions>, ...options: UpgradeArguments<TOptions>): Promise<PipelineHandle>;
}
