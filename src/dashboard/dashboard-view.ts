/**
 * What the dashboard's live feed sends the page: a view of each watched job, made from its
 * handle's metrics once per interval. Plain JSON, so the page (and any script that reads
 * `snapshot.json`) needs nothing of Sluice to read it. Rates are per second over the last
 * interval; the page keeps its own history of them for its charts, and a page that connects late
 * gets the server's recent history first.
 */
import type { PipelineStatus } from '../streams/pipeline-handle.js';

/** One message of the feed: every watched job, as of `at`. */
export interface DashboardSample {
  /** Wall-clock time of the sample, epoch milliseconds. */
  readonly at: number;
  /** The `title` option of `dashboard()`, for the page's heading and tab. */
  readonly title?: string | undefined;
  readonly jobs: readonly JobView[];
}

/** A job as the page shows it. */
export interface JobView {
  /** The run's name (`run({ name })`); unique among the watched jobs (a suffix is added when two share one). */
  readonly name: string;
  readonly status: PipelineStatus;
  readonly recordsRead: number;
  readonly recordsWritten: number;
  /** Records read per second over the last interval. */
  readonly recordsPerSecond: number;
  readonly restarts: number;
  readonly deadLetters: number;
  /** Source, then each keyed (or rebalanced) stage, then the sink: the topology, in order. */
  readonly stages: readonly StageView[];
  /** With checkpoints on, the recent ones, oldest first (at most 50); undefined with checkpoints off. */
  readonly checkpoints: readonly CheckpointView[] | undefined;
  /** The most recent dead letters, oldest first (at most 20). */
  readonly recentDeadLetters: readonly DeadLetterView[];
  /** How far the job's watermark trails the wall clock, on a timed stream with event times in epoch ms. */
  readonly watermarkLagMs: number | undefined;
}

/** One step of the topology. */
export interface StageView {
  readonly name: string;
  readonly kind: 'source' | 'stage' | 'sink';
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** Records in per second over the last interval. */
  readonly recordsPerSecond: number;
  /** How far this stage's input watermark trails the wall clock (stages of a timed stream). */
  readonly watermarkLagMs: number | undefined;
  /** The actors that run the step: a keyed stage's partitions, or the one actor of the sink; none for the source. */
  readonly partitions: readonly PartitionView[];
}

/** One partition (actor) of a stage. */
export interface PartitionView {
  readonly index: number;
  /** The actor's path. */
  readonly actor: string;
  /** Records taken in per second over the last interval. */
  readonly recordsPerSecond: number;
  /** Batches processed per second over the last interval. */
  readonly batchesPerSecond: number;
  /** Batches waiting in its mailbox. */
  readonly mailboxDepth: number;
  /** Its mailbox's capacity, in batches. */
  readonly mailboxCapacity: number;
  /** `mailboxDepth / mailboxCapacity`, 0 to 1: backpressure at a glance. */
  readonly mailboxFill: number;
  readonly restarts: number;
  /** Who runs it: `main`, `thread 2`, or a cluster worker's id. */
  readonly owner: string;
}

/** One completed (or failed) checkpoint. */
export interface CheckpointView {
  readonly id: number;
  /** When it completed (or failed), epoch ms. */
  readonly at: number;
  readonly durationMs: number | undefined;
  readonly bytes: number | undefined;
  /** Why it failed, when it did. */
  readonly failure: string | undefined;
}

/** One dead letter, as text the page can show as it is. */
export interface DeadLetterView {
  readonly reason: string;
  readonly stage: string;
  /** The record, as JSON (or its text), cut to 300 characters. */
  readonly record: string;
  /** The error's message. */
  readonly error: string;
}
