/**
 * Turns one job's handle into the page's view of it, once per sample. Rates are the difference
 * from the sample before, over the time between them, so each is what happened in the last
 * interval rather than an average since the start. The checkpoint timeline comes from the handle's
 * `checkpoint-completed` and `checkpoint-failed` events (which carry what the metrics keep only for
 * the last one).
 *
 * Once a run ends its actors are gone from the metrics: each partition then keeps its last view,
 * idle (empty mailbox, no rate), so the page still shows the topology of a finished or failed job.
 */
import type { ActorMetrics } from '../actors/actor-metrics.js';
import type { Unsubscribe } from '../internal/topic.js';
import type { PipelineHandle, PipelineMetrics } from '../streams/pipeline-handle.js';
import type { CheckpointView, DeadLetterView, JobView, PartitionView, StageView } from './dashboard-view.js';
import { deadLetterView } from './dead-letter-view.js';

/** Checkpoints the timeline keeps, the most recent. */
export const CHECKPOINTS_KEPT = 50;

/** Dead letters the view carries, the most recent. */
export const DEAD_LETTERS_KEPT = 20;

/** What the next sample's rates are measured from. */
interface Counts {
  readonly at: number;
  readonly recordsRead: number;
  /** recordsIn of each operator, source first. */
  readonly operatorsIn: readonly number[];
  /** Batches processed by each actor, by path. */
  readonly processed: ReadonlyMap<string, number>;
  /** Records taken in by each actor, by path. */
  readonly taken: ReadonlyMap<string, number>;
}

export class JobSampler {
  readonly handle: PipelineHandle;
  readonly #unsubscribe: Unsubscribe;
  readonly #checkpoints: CheckpointView[] = [];
  /** The newest checkpoint id in the timeline: ids only grow, so anything at or below it is known. */
  #newestCheckpoint = Number.NEGATIVE_INFINITY;
  #before: Counts | undefined;
  #last: JobView | undefined;
  /** The dead-letter count the cached views were made at: reading them copies up to 1000. */
  #deadLettersAt = -1;
  #deadLetters: readonly DeadLetterView[] = [];

  constructor(handle: PipelineHandle) {
    this.handle = handle;
    this.#unsubscribe = handle.events.subscribe((event) => {
      // The event's `at` is by the run's clock (virtual in tests); the page wants the wall clock.
      if (event.type === 'checkpoint-completed') {
        this.#addCheckpoint({ id: event.id, at: Date.now(), durationMs: event.durationMs, bytes: event.bytes, failure: undefined });
      } else if (event.type === 'checkpoint-failed') {
        const failure = event.error instanceof Error ? event.error.message : String(event.error);
        this.#addCheckpoint({ id: event.id, at: Date.now(), durationMs: undefined, bytes: undefined, failure });
      }
    });
  }

  /**
   * The job as of `now` (epoch ms), named as its run is; the last view again when its metrics cannot
   * be read (a handle that throws must not take the other jobs' samples down with it).
   */
  sample(now: number): JobView | undefined {
    let metrics: PipelineMetrics;
    try {
      metrics = this.handle.metrics();
    } catch {
      return this.#last;
    }
    const actors = new Map<string, ActorMetrics>();
    for (const actor of metrics.actors) actors.set(actor.path, actor);
    const before = this.#before;
    const seconds = before === undefined ? 0 : (now - before.at) / 1000;
    const rate = (value: number, previous: number | undefined): number => (seconds > 0 && previous !== undefined ? Math.max(0, value - previous) / seconds : 0);
    const processed = new Map<string, number>();
    const taken = new Map<string, number>();

    /** The partition at `path`, which has taken `recordsIn` records in all. */
    const partition = (index: number, path: string, recordsIn: number, previous: PartitionView | undefined): PartitionView => {
      const actor = actors.get(path);
      if (actor === undefined) {
        // Not up yet, or gone with the run: idle, as it was last seen.
        return previous === undefined
          ? {
              index,
              actor: path,
              recordsPerSecond: 0,
              batchesPerSecond: 0,
              mailboxDepth: 0,
              mailboxCapacity: 0,
              mailboxFill: 0,
              restarts: 0,
              owner: ownerOf(metrics, path),
            }
          : { ...previous, recordsPerSecond: 0, batchesPerSecond: 0, mailboxDepth: 0, mailboxFill: 0 };
      }
      processed.set(path, actor.processed);
      taken.set(path, recordsIn);
      return {
        index,
        actor: path,
        recordsPerSecond: rate(recordsIn, before?.taken.get(path)),
        batchesPerSecond: rate(actor.processed, before?.processed.get(path)),
        mailboxDepth: actor.depth,
        mailboxCapacity: actor.capacity,
        mailboxFill: actor.capacity > 0 ? Math.min(1, actor.depth / actor.capacity) : 0,
        restarts: actor.restarts,
        owner: ownerOf(metrics, path),
      };
    };

    const jobPath = `/user/${metrics.name}`;
    const operators = metrics.operators;
    const stages = operators.map((operator, o): StageView => {
      const kind = o === 0 ? 'source' : o === operators.length - 1 ? 'sink' : 'stage';
      const previous = this.#last?.stages[o]?.partitions;
      let partitions: PartitionView[] = [];
      let watermarkLagMs: number | undefined;
      if (kind === 'sink') {
        partitions = [partition(0, `${jobPath}/sink`, operator.recordsIn, previous?.[0])];
      } else if (kind === 'stage') {
        const stage = metrics.stages[o - 1];
        const count = stage?.partitions ?? 0;
        for (let p = 0; p < count; p++) {
          partitions.push(partition(p, `${jobPath}/${operator.name}-${o - 1}-partition-${p}`, stage?.partitionRecordsIn[p] ?? 0, previous?.[p]));
        }
        if (stage?.watermark !== undefined) watermarkLagMs = now - stage.watermark;
      }
      return {
        name: operator.name,
        kind,
        recordsIn: operator.recordsIn,
        recordsOut: operator.recordsOut,
        recordsPerSecond: rate(operator.recordsIn, before?.operatorsIn[o]),
        watermarkLagMs,
        partitions,
      };
    });

    const { recordsRead, recordsWritten } = metrics.throughput;
    this.#before = { at: now, recordsRead, operatorsIn: operators.map((operator) => operator.recordsIn), processed, taken };
    this.#backfillCheckpoint(metrics, now);
    const view: JobView = {
      name: metrics.name,
      status: metrics.status,
      recordsRead,
      recordsWritten,
      recordsPerSecond: rate(recordsRead, before?.recordsRead),
      restarts: metrics.restarts,
      deadLetters: metrics.deadLetters,
      stages,
      checkpoints: metrics.checkpoints === undefined && this.#checkpoints.length === 0 ? undefined : [...this.#checkpoints],
      recentDeadLetters: this.#recentDeadLetters(metrics.deadLetters),
      watermarkLagMs: metrics.watermark === undefined ? undefined : now - metrics.watermark.value,
    };
    this.#last = view;
    return view;
  }

  /** Stops listening to the job's events. */
  dispose(): void {
    this.#unsubscribe();
  }

  #recentDeadLetters(count: number): readonly DeadLetterView[] {
    if (count === this.#deadLettersAt) return this.#deadLetters;
    try {
      this.#deadLetters = this.handle.deadLetters().slice(-DEAD_LETTERS_KEPT).map(deadLetterView);
      this.#deadLettersAt = count;
    } catch {
      // Keep the ones we had; try again next sample.
    }
    return this.#deadLetters;
  }

  /**
   * A checkpoint completed before the dashboard subscribed (or whose event it missed) still shows:
   * the metrics keep the last one's id, duration and size; its time is when it was first seen.
   */
  #backfillCheckpoint(metrics: PipelineMetrics, now: number): void {
    const stats = metrics.checkpoints;
    if (stats?.lastId === undefined) return;
    this.#addCheckpoint({ id: stats.lastId, at: now, durationMs: stats.lastDurationMs, bytes: stats.lastBytes, failure: undefined });
  }

  #addCheckpoint(checkpoint: CheckpointView): void {
    if (checkpoint.id <= this.#newestCheckpoint) return;
    this.#newestCheckpoint = checkpoint.id;
    this.#checkpoints.push(checkpoint);
    if (this.#checkpoints.length > CHECKPOINTS_KEPT) this.#checkpoints.shift();
  }
}

/** Who runs the actor at `path`: as the job names it (a thread, a cluster worker), else this thread. */
function ownerOf(metrics: PipelineMetrics, path: string): string {
  return metrics.owners?.[path] ?? 'main';
}
