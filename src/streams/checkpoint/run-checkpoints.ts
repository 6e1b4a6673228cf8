/**
 * Checkpoints for one pipeline run: reads the newest usable checkpoint at the start (and hands its
 * state out by partition, its offset to the source driver and its token to the sink), then asks
 * the driver for a barrier every `interval` or on demand, and coordinates each checkpoint to its
 * manifest. Timers go through the run's clock and are cleared when the run ends.
 */
import { InvalidOptionError } from '../../errors.js';
import { WakeSignal } from '../../internal/wake-signal.js';
import type { SnapshotEntry } from '../../state/snapshot-store.js';
import type { Clock, TimerHandle } from '../../clock.js';
import type { Assignment } from '../run/assign.js';
import type { Source } from '../sources/source.js';
import type { CheckedCheckpointOptions, CheckpointsAt } from './checkpoint-options.js';
import type { CheckpointStorage } from './checkpoint-storage.js';
import { CheckpointCoordinator, type CheckpointStats } from './coordinator.js';
import type { EventTimeProgress } from '../run/input-progress.js';
import { redistribute, redistributeProgress } from './redistribute.js';
import { upgraded, type ResumingStage } from './migrate-state.js';
import { readSavepoint } from './savepoint.js';

/** Where a run starts from. */
export interface StartingPoint {
  /** The checkpoint resumed from, if any. */
  readonly resumedFrom: number | undefined;
  /** The savepoint folder it was read from, when the run's own checkpoints were none. */
  readonly savepoint?: string | undefined;
  /** Newer checkpoints passed over as damaged. */
  readonly skipped: readonly { readonly id: number; readonly reason: string }[];
  /** The job had already completed: nothing is to run. */
  readonly completed: boolean;
  readonly offset: unknown;
  /** The largest event time the source had given before `offset`. */
  readonly maxTimestamp: number;
  /** `entries[stage][partition]`, for the partitions of this run. */
  readonly entries: readonly (readonly (readonly SnapshotEntry[])[])[] | undefined;
  /** `progress[stage][partition]`: where in event time each partition of this run starts. */
  readonly progress: readonly (readonly (EventTimeProgress | undefined)[])[] | undefined;
  readonly sinkToken: unknown;
}

export interface RunCheckpointsSetup {
  readonly options: CheckedCheckpointOptions;
  readonly source: Source<unknown, unknown>;
  readonly stages: readonly (ResumingStage & { readonly assignment: Assignment })[];
  /** Resume even when the checkpoint holds state of stages the pipeline no longer has (that state is dropped). */
  readonly allowDroppedState: boolean;
  /** Finish a completed job again when this code's stages are at a newer state version than its last checkpoint. */
  readonly finishUpgraded: boolean;
  readonly clock: Clock;
  /** Commits the sink's output of a completed checkpoint (through the sink actor). */
  readonly commit: (token: unknown, completed: boolean) => Promise<void>;
  /** A checkpoint could not be taken: the run fails with this. */
  readonly failed: (error: unknown) => void;
}

export class RunCheckpoints {
  readonly #setup: RunCheckpointsSetup;
  readonly #store: CheckpointStorage;
  #coordinator: CheckpointCoordinator | undefined;
  #timer: TimerHandle | undefined;
  #due = false;
  /** One promise per wait for a request, shared by every waiter: waiting allocates nothing per record. */
  readonly #wanted = new WakeSignal();
  #closed = false;
  #busyWait: Promise<void> | undefined;
  /**
   * Whether the driver should inject a barrier at the next record boundary: requested, and no
   * checkpoint under way. One checkpoint is under way at a time: a request made meanwhile waits for
   * it, so alignments never pile up behind one another (what a partition holds back while aligning
   * stays one checkpoint's worth). A plain field kept up to date, not a getter, because the driver
   * reads it after every record: a getter there cost the word count about 10% of its rate.
   */
  readonly signal: { due: boolean } = { due: false };

  /** @throws InvalidOptionError naming `checkpoint` when the source cannot be read again from an offset. */
  constructor(setup: RunCheckpointsSetup) {
    if (!setup.source.replayable) {
      throw new InvalidOptionError('checkpoint', `a run whose source can be read again from an offset; ${setup.source.name} cannot`, setup.options);
    }
    this.#setup = setup;
    this.#store = setup.options.storage;
  }

  /**
   * Reads the newest usable checkpoint — the run's own, or the savepoint's when it has none — and
   * starts coordinating this run's, numbered on from the one read.
   * @throws CheckpointUnusableError when the folder holds checkpoints but none is intact.
   * @throws InvalidOptionError naming `checkpoint.dir` (or `checkpoint.storage`, or
   *   `checkpoint.savepoint`) when they are another pipeline's, or `checkpoint.savepoint` when the
   *   savepoint holds no intact checkpoint.
   */
  async open(): Promise<StartingPoint> {
    const setup = this.#setup;
    const { savepoint } = setup.options;
    const own = await this.#store.latest();
    // The run's own checkpoints win: a run started from a savepoint and restarted after a crash
    // goes on from where it was, not from the savepoint again.
    const saved = own === undefined && savepoint !== undefined ? await readSavepoint(savepoint) : undefined;
    const restored = own ?? saved;
    const at: CheckpointsAt = saved === undefined ? setup.options.at : { option: 'checkpoint.savepoint', location: savepoint as string };
    const resumedFrom = restored?.manifest.id;
    // Checkpoints above the one resumed from never completed (or are damaged): their files go.
    await this.#store.discardAbove(resumedFrom ?? 0);
    this.#coordinator = new CheckpointCoordinator({
      store: this.#store,
      keep: setup.options.keep,
      sourceName: setup.source.name,
      stages: setup.stages.map((s) => s.layout),
      lastId: resumedFrom ?? 0,
      commit: setup.commit,
      now: () => setup.clock.now(),
      failed: setup.failed,
    });
    this.#schedule();
    // A completed job upgraded since (and asked to) finishes again from its migrated state.
    const refinishing = restored !== undefined && restored.manifest.completed && setup.finishUpgraded && upgraded(restored.manifest.stages, setup.stages);
    const resuming = restored !== undefined && (!restored.manifest.completed || refinishing);
    return {
      resumedFrom,
      ...(saved === undefined ? {} : { savepoint }),
      skipped: restored?.skipped ?? [],
      completed: (restored?.manifest.completed ?? false) && !refinishing,
      offset: restored === undefined ? setup.source.start : restored.manifest.source.offset,
      maxTimestamp: restored?.manifest.source.maxTimestamp ?? Number.NEGATIVE_INFINITY,
      entries: resuming ? redistribute(restored, setup.stages, at, setup.allowDroppedState) : undefined,
      progress: resuming ? redistributeProgress(restored, setup.stages) : undefined,
      sinkToken: restored?.manifest.sink,
    };
  }

  get coordinator(): CheckpointCoordinator {
    return this.#coordinator as CheckpointCoordinator;
  }

  get stats(): CheckpointStats | undefined {
    return this.#coordinator?.stats;
  }

  /** Asks for a barrier as soon as the driver can. */
  request(): void {
    this.#due = true;
    this.#signal();
    this.#wake();
  }

  /** Brings `signal.due` up to date; while a checkpoint is under way, again once it is over. */
  #signal(): void {
    const busy = this.coordinator.busy;
    this.signal.due = this.#due && !busy;
    if (this.#due && busy) void this.#idle();
  }

  /**
   * Resolves when no checkpoint is under way any more, with `signal` already up to date for whoever
   * waited: one promise however many wait. It does not wait again when a checkpoint is still under
   * way then: that one failed (a failed checkpoint stays pending, and the run is failing with it).
   */
  #idle(): Promise<void> {
    return (this.#busyWait ??= this.coordinator.idle().then(() => {
      this.#busyWait = undefined;
      this.signal.due = this.#due && !this.coordinator.busy;
    }));
  }

  /** Resolves when a barrier is requested and can be taken (or the run ends). */
  wanted(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#due) return this.coordinator.busy ? this.#idle() : Promise.resolve();
    return this.#wanted.wait();
  }

  #wake(): void {
    this.#wanted.wake();
  }

  /** Begins a checkpoint at `offset` (and the event time read so far); the driver sends its barrier right after. */
  begin(offset: unknown, maxTimestamp: number, completed = false): { id: number; done: Promise<void> } {
    this.#due = false;
    this.signal.due = false;
    return this.coordinator.begin(offset, maxTimestamp, completed);
  }

  /** Resolves once no checkpoint file is being written any more. */
  async writesEnded(): Promise<void> {
    await this.#coordinator?.writesEnded();
  }

  /**
   * The run is ending: stops the interval timer, releases waiters, and lets no checkpoint write
   * begin any more (one under way is abandoned; its files are discarded by the next run).
   */
  close(): void {
    this.#closed = true;
    this.#coordinator?.close();
    if (this.#timer !== undefined) this.#setup.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wake();
  }

  #schedule(): void {
    const { interval } = this.#setup.options;
    if (interval === Infinity || this.#closed) return;
    // Keeps the process alive (the clock's default): the run is going, and `close` clears it.
    this.#timer = this.#setup.clock.setTimeout(() => {
      this.#timer = undefined;
      this.request();
      this.#schedule();
    }, interval);
  }
}
