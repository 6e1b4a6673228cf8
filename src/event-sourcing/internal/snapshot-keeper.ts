/**
 * When an event-sourced actor saves snapshots, and what follows a save: a snapshot every
 * `snapshotEvery` events, and on request (`ctx.snapshot()`), saved one at a time while the actor
 * goes on (a snapshot due during a save waits, and only the newest one that waited is saved next,
 * for every request that waited); then, with `deleteEvents`, the events
 * up to the snapshot *before* it are deleted, so a damaged newest snapshot still leaves the
 * previous one and the events after it to recover from.
 *
 * Invariant: at most one save or deletion runs at a time for a persistence id, and none after
 * `settle()`: the next recovery of the actor starts only once this one has settled.
 */
import type { Clock } from '../../clock.js';
import type { SnapshotStore } from '../../state/snapshot-store.js';
import type { ActorEventBody } from '../../actors/internal/cell-reporter.js';
import type { EventLog } from '../event-journal.js';
import { eventSnapshot } from './event-snapshot.js';

/** What a keeper needs. */
export interface KeeperOptions {
  readonly store: SnapshotStore;
  readonly every: number;
  readonly deleteEvents: boolean;
  /** The log events are deleted from; the keeper never appends to it. */
  readonly log: EventLog<unknown>;
  /** The sequence of the snapshot recovery started from (0: none). */
  readonly restored: number;
  readonly clock: Clock;
  readonly emit: (event: ActorEventBody) => void;
}

/** A request waiting for a snapshot to be durable. */
interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Due {
  readonly sequence: number;
  readonly state: unknown;
  readonly waiters: Waiter[];
}

export class SnapshotKeeper {
  readonly #options: KeeperOptions;
  /** The sequence of the last snapshot taken (saved, being saved or waiting). */
  #taken: number;
  /** The sequence of the newest snapshot known to be in the store. */
  #newest: number;
  #waiting: Due | undefined;
  /** The snapshot being saved. */
  #current: Due | undefined;
  #running: Promise<void> | undefined;

  constructor(options: KeeperOptions) {
    this.#options = options;
    this.#taken = options.restored;
    this.#newest = options.restored;
  }

  /** Events up to `sequence` are durable, and `state` is the state after them. */
  persisted(sequence: number, state: unknown): void {
    if (sequence - this.#taken >= this.#options.every) this.#queue(sequence, state);
  }

  /**
   * A snapshot of `state`, the state after event `sequence`, saved after the one under way;
   * resolves once it (or a newer one) is durable, rejects with the store's error.
   */
  request(sequence: number, state: unknown): Promise<void> {
    if (sequence === this.#newest) return Promise.resolve();
    const current = this.#current;
    const due = current?.sequence === sequence ? current : this.#queue(sequence, state);
    return new Promise<void>((resolve, reject) => due.waiters.push({ resolve, reject }));
  }

  /** Resolves once the save (and deletion) under way and the snapshot waiting for it are done. */
  async settle(): Promise<void> {
    await this.#running;
  }

  /** Makes (`sequence`, `state`) the snapshot saved next, taking over the requests of the one it replaces. */
  #queue(sequence: number, state: unknown): Due {
    const waiting = this.#waiting;
    if (waiting?.sequence === sequence) return waiting;
    this.#taken = sequence;
    const due: Due = { sequence, state, waiters: waiting?.waiters ?? [] };
    this.#waiting = due;
    this.#running ??= this.#drain();
    return due;
  }

  async #drain(): Promise<void> {
    for (let due = this.#waiting; due !== undefined; due = this.#waiting) {
      this.#waiting = undefined;
      this.#current = due;
      await this.#save(due);
      this.#current = undefined;
    }
    this.#running = undefined;
  }

  async #save({ sequence, state, waiters }: Due): Promise<void> {
    const { store, log, clock, emit } = this.#options;
    const started = clock.now();
    try {
      await store.save(log.persistenceId, eventSnapshot(sequence, state));
    } catch (error) {
      emit({ type: 'snapshot-failed', sequence, error });
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    emit({ type: 'snapshot-saved', sequence, durationMs: clock.now() - started });
    for (const waiter of waiters) waiter.resolve();
    const previous = this.#newest;
    this.#newest = sequence;
    if (!this.#options.deleteEvents || previous === 0) return;
    try {
      await log.deleteUpTo(previous);
      emit({ type: 'events-deleted', persistenceId: log.persistenceId, toSequence: previous });
    } catch (error) {
      emit({ type: 'events-delete-failed', persistenceId: log.persistenceId, toSequence: previous, error });
    }
  }
}
