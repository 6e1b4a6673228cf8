/**
 * The checkpoint coordinator of one run. The source driver begins a checkpoint when it injects a
 * barrier (recording the source offset after the last record before it); every partition
 * snapshots its state when its barriers align and the sink pre-commits; once every part has
 * acknowledged, the manifest is written (in checkpoint order) and the sink commits. A part that
 * acknowledges twice (a partition replaying a barrier after a restart) counts once.
 */
import { WakeSignal } from '../../internal/wake-signal.js';
import type { SnapshotEntry } from '../../state/snapshot-store.js';
import type { EventTimeProgress } from '../run/input-progress.js';
import type { CheckpointStorage } from './checkpoint-storage.js';
import { MANIFEST_FORMAT, type PartitionSnapshotRef, type StageManifest } from './manifest.js';

/** Why a checkpoint's `done` rejects when its run ended before it completed. */
export class CheckpointAbandonedError extends Error {
  constructor(id: number) {
    super(`checkpoint ${id} was abandoned: its run ended first`);
    this.name = 'CheckpointAbandonedError';
  }
}

/** How a stage was partitioned, for the manifest. */
export type StageLayout = Omit<StageManifest, 'snapshots'>;

/** What the run reports about its checkpoints. */
export interface CheckpointStats {
  /** Checkpoints completed by this run. */
  readonly completed: number;
  readonly lastId: number | undefined;
  /** From the barrier's injection to the manifest being durable. */
  readonly lastDurationMs: number | undefined;
  /** Bytes of the last checkpoint's snapshot files. */
  readonly lastBytes: number | undefined;
}

interface Pending {
  readonly id: number;
  readonly startedAt: number;
  readonly offset: unknown;
  readonly maxTimestamp: number;
  readonly completed: boolean;
  readonly refs: (PartitionSnapshotRef | undefined)[][];
  readonly writes: Set<string>;
  remaining: number;
  sinkToken: unknown;
  /** Whether its manifest is durable: it is complete from then on, whatever becomes of the sink's commit. */
  durable: boolean;
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export interface CoordinatorSetup {
  readonly store: CheckpointStorage;
  /** Complete checkpoints kept; older ones are pruned after each completes. */
  readonly keep: number;
  readonly sourceName: string;
  readonly stages: readonly StageLayout[];
  /** The id after which this run's checkpoints are numbered. */
  readonly lastId: number;
  /** Makes the sink's pre-committed output of a completed checkpoint visible. */
  readonly commit: (token: unknown, completed: boolean) => Promise<void>;
  readonly now: () => number;
  /** A checkpoint could not be completed (a snapshot or manifest write failed). */
  readonly failed: (error: unknown) => void;
}

export class CheckpointCoordinator {
  readonly #setup: CoordinatorSetup;
  readonly #pending = new Map<number, Pending>();
  #lastId: number;
  #manifests: Promise<void> = Promise.resolve();
  /** Store writes in flight, so a run that ends leaves none running behind it. */
  readonly #writes = new Set<Promise<unknown>>();
  #closed = false;
  /** Savepoints being copied out of the storage: pruning waits until none is (the next completion prunes). */
  #pruneHolds = 0;
  #stats: CheckpointStats = { completed: 0, lastId: undefined, lastDurationMs: undefined, lastBytes: undefined };
  /** Woken as each checkpoint begins. */
  readonly #begun = new WakeSignal();

  constructor(setup: CoordinatorSetup) {
    this.#setup = setup;
    this.#lastId = setup.lastId;
  }

  get stats(): CheckpointStats {
    return this.#stats;
  }

  /**
   * Starts checkpoint `id` (the next one) at source offset `offset`, where the largest event time
   * read was `maxTimestamp`; `completed` for the one taken
   * at the end of input. Its `done` settles when the manifest is durable and the sink committed.
   */
  begin(offset: unknown, maxTimestamp: number, completed: boolean): { id: number; done: Promise<void> } {
    const id = ++this.#lastId;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch((error: unknown) => this.#setup.failed(error));
    const refs = this.#setup.stages.map((stage) => new Array<PartitionSnapshotRef | undefined>(stage.partitions).fill(undefined));
    const parts = this.#setup.stages.reduce((sum, stage) => sum + stage.partitions, 0) + 1;
    this.#pending.set(id, {
      id,
      startedAt: this.#setup.now(),
      offset,
      maxTimestamp,
      completed,
      refs,
      writes: new Set(),
      remaining: parts,
      sinkToken: null,
      durable: false,
      done,
      resolve,
      reject,
    });
    this.#begun.wake();
    return { id, done };
  }

  /** Resolves when the next checkpoint begins. */
  began(): Promise<void> {
    return this.#begun.wait();
  }

  /**
   * A partition's barriers aligned: writes its entries (read lazily, while it goes on) and
   * acknowledges once they are durable; its place in event time goes into the manifest. `release`
   * is called when the entries are no longer needed.
   */
  snapshot(id: number, stage: number, partition: number, entries: Iterable<SnapshotEntry>, release: () => void, progress?: EventTimeProgress): void {
    const pending = this.#pending.get(id);
    const part = `${stage}/${partition}`;
    if (this.#closed || pending === undefined || pending.writes.has(part)) {
      release();
      return;
    }
    pending.writes.add(part);
    // One reaction for either outcome, not a chain of four (then, catch, finally, catch): each
    // link is a promise and a microtask more, per partition and checkpoint.
    this.#track(this.#setup.store.writePartition(id, stage, partition, entries))
      .then(
        (ref) => {
          try {
            (pending.refs[stage] as (PartitionSnapshotRef | undefined)[])[partition] = { ...ref, ...progressFields(progress) };
            this.#acknowledged(pending);
          } catch (error) {
            pending.reject(error);
          } finally {
            release();
          }
        },
        (error: unknown) => {
          try {
            pending.reject(error);
          } finally {
            release();
          }
        },
      )
      // A view that cannot be released is a bug of ours: the run fails with it, never the host.
      .catch((error: unknown) => this.#setup.failed(error));
  }

  /** The sink pre-committed what it took before the barrier; `token` goes into the manifest. */
  preCommitted(id: number, token: unknown): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    pending.sinkToken = token ?? null;
    this.#acknowledged(pending);
  }

  /** Whether a checkpoint is under way (begun, not yet complete or failed). */
  get busy(): boolean {
    return this.#pending.size > 0;
  }

  /** Resolves when no checkpoint is under way any more, completed or failed; never rejects. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.#pending.values()].map((p) => p.done));
  }

  /**
   * The run is ending: no snapshot or manifest is written from now on, a checkpoint not complete yet
   * never will be (its `done` rejects with `CheckpointAbandonedError`), and writes already begun go
   * on to their end. One whose manifest is durable is complete: its `done` resolves — the job's last
   * checkpoint among them, whose commit is what ends a run that completes.
   */
  close(): void {
    this.#closed = true;
    for (const pending of this.#pending.values()) {
      if (pending.durable) pending.resolve();
      else pending.reject(new CheckpointAbandonedError(pending.id));
    }
  }

  /**
   * Resolves once no file write is going on, whatever became of each: also those that writes which
   * ended meanwhile began (a last snapshot acknowledged starts a manifest), until none is left.
   */
  async writesEnded(): Promise<void> {
    while (this.#writes.size > 0) await Promise.allSettled([...this.#writes]);
  }

  /**
   * Resolves once checkpoint `id` is over: its sink committed (at once when it is over already);
   * rejects when it failed or was abandoned.
   */
  async finished(id: number): Promise<void> {
    await this.#pending.get(id)?.done;
  }

  /**
   * Keeps every checkpoint in the storage until the returned function is called, so a savepoint
   * can read one back whole while newer ones complete. Cheap: pruning is skipped meanwhile, and the
   * next checkpoint to complete after it prunes as usual.
   */
  holdPruning(): () => void {
    this.#pruneHolds++;
    let held = true;
    return () => {
      if (held) this.#pruneHolds--;
      held = false;
    };
  }

  /** Resolves once every checkpoint begun so far has completed; rejects with the first failure. */
  async settled(): Promise<void> {
    await Promise.all([...this.#pending.values()].map((p) => p.done));
  }

  #acknowledged(pending: Pending): void {
    if (--pending.remaining > 0 || this.#closed) return;
    // Manifests go out one at a time, in checkpoint order: a later one never lands before an earlier one.
    this.#manifests = this.#track(this.#manifests.then(() => this.#complete(pending))).catch((error: unknown) => pending.reject(error));
  }

  #track<T>(write: Promise<T>): Promise<T> {
    this.#writes.add(write);
    const untrack = (): void => void this.#writes.delete(write);
    write.then(untrack, untrack);
    return write;
  }

  async #complete(pending: Pending): Promise<void> {
    const { store, stages, sourceName } = this.#setup;
    await store.writeManifest({
      format: MANIFEST_FORMAT,
      id: pending.id,
      completed: pending.completed,
      source: { name: sourceName, offset: pending.offset, ...(Number.isFinite(pending.maxTimestamp) ? { maxTimestamp: pending.maxTimestamp } : {}) },
      stages: stages.map((stage, s) => ({ ...stage, snapshots: pending.refs[s] as PartitionSnapshotRef[] })),
      sink: pending.sinkToken,
      createdAt: new Date().toISOString(),
    });
    pending.durable = true;
    // Complete once the manifest is durable, whatever happens to the commit after it: a resume
    // recovers the sink from this checkpoint either way.
    const bytes = pending.refs.flat().reduce((sum, ref) => sum + (ref?.bytes ?? 0), 0);
    this.#stats = { completed: this.#stats.completed + 1, lastId: pending.id, lastDurationMs: this.#setup.now() - pending.startedAt, lastBytes: bytes };
    await this.#setup.commit(pending.sinkToken, pending.completed);
    if (this.#pruneHolds === 0) await store.prune(this.#setup.keep);
    this.#pending.delete(pending.id);
    pending.resolve();
  }
}

/** The finite parts of a partition's event-time progress, for the manifest (JSON has no infinities). */
function progressFields(progress: EventTimeProgress | undefined): Pick<PartitionSnapshotRef, 'watermark' | 'maxTimestamp'> {
  if (progress === undefined) return {};
  return {
    ...(Number.isFinite(progress.watermark) ? { watermark: progress.watermark } : {}),
    ...(Number.isFinite(progress.maxTimestamp) ? { maxTimestamp: progress.maxTimestamp } : {}),
  };
}
