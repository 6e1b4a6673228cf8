/**
 * When an actor's snapshots are taken and saved: on demand (`ctx.snapshot()`), on a timer, and —
 * with a store — written one at a time, a snapshot taken during a save staying in memory until a
 * fresh one follows the save. The actor captures the snapshot itself, at a message boundary; this
 * class decides what happens around it.
 */
import { ActorStoppedError } from '../../errors.js';
import type { Clock, TimerHandle } from '../../clock.js';
import type { SnapshotFailedEvent, SnapshotSavedEvent } from '../events.js';
import type { Persistence } from './persistence.js';
import type { RestartState } from './restart-point.js';

interface Deferred {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** What the schedule needs from its actor. */
export interface SnapshotHost<TState> {
  readonly path: string;
  /** Whether the actor still takes messages (no new timers or saves once it is stopping). */
  accepting(): boolean;
  /** Captures the current state as the restart point; undefined when snapshots are per message and implicit. */
  readonly capture: (() => RestartState<TState>) | undefined;
  /** A snapshot became due: the actor takes it at its next message boundary (it gets a slice for it if idle). */
  wake(): void;
  emit(event: Omit<SnapshotSavedEvent, 'path' | 'id' | 'at'> | Omit<SnapshotFailedEvent, 'path' | 'id' | 'at'>): void;
}

export class SnapshotSchedule<TState> {
  readonly persistence: Persistence<TState> | undefined;
  readonly #everyMs: number | undefined;
  readonly #clock: Clock;
  readonly #host: SnapshotHost<TState>;
  /** Callers of `ctx.snapshot()` waiting; made by the first (most actors never call it). */
  #requests: Deferred[] | undefined;
  #timer: TimerHandle | undefined;
  #savePending = false;
  #due = false;

  constructor(persistence: Persistence<TState> | undefined, everyMs: number | undefined, clock: Clock, host: SnapshotHost<TState>) {
    this.persistence = persistence;
    this.#everyMs = everyMs;
    this.#clock = clock;
    this.#host = host;
  }

  /** A snapshot is to be taken at the next message boundary. */
  get isDue(): boolean {
    return this.#due;
  }

  /** Asks for a snapshot at the next message boundary (the restart point's interval came round, say). */
  markDue(): void {
    this.#due = true;
  }

  #dueNow(): void {
    this.#due = true;
    this.#host.wake();
  }

  /** `ctx.snapshot()`: resolves once the next snapshot is taken, or, with a store, durable. */
  request(): Promise<void> {
    if (!this.#host.accepting()) return Promise.reject(new ActorStoppedError(this.#host.path, undefined));
    return new Promise<void>((resolve, reject) => {
      (this.#requests ??= []).push({ resolve, reject });
      this.#dueNow();
    });
  }

  /** Takes the snapshot that was due, at a message boundary. */
  take(): void {
    this.#due = false;
    const requests = this.#takeRequests();
    const capture = this.#host.capture;
    if (capture === undefined) {
      for (const request of requests) request.resolve();
      return;
    }
    const restartState = capture();
    this.arm();
    const persistence = this.persistence;
    if (persistence === undefined) {
      for (const request of requests) request.resolve();
    } else if (persistence.saving) {
      this.#savePending = true;
      (this.#requests ??= []).push(...requests);
    } else {
      void this.#save(persistence, restartState, requests).then(() => {
        if (!this.#savePending || !this.#host.accepting()) return;
        this.#savePending = false;
        this.#dueNow();
      });
    }
  }

  /** (Re)starts the `everyMs` timer. */
  arm(): void {
    const everyMs = this.#everyMs;
    if (everyMs === undefined || everyMs === Infinity || this.#host.capture === undefined || !this.#host.accepting()) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    // Housekeeping, armed for as long as the actor lives: it must not keep an idle process alive.
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#dueNow();
      },
      everyMs,
      { keepAlive: false },
    );
  }

  /**
   * The actor is stopping: no more timers; a graceful stop of an actor with a store saves a final
   * snapshot, anything else rejects what `ctx.snapshot()` still waits for.
   */
  async final(graceful: boolean): Promise<void> {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const requests = this.#takeRequests();
    const persistence = this.persistence;
    const capture = this.#host.capture;
    if (persistence === undefined || capture === undefined || !graceful) {
      for (const request of requests) request.reject(new ActorStoppedError(this.#host.path, undefined));
      return;
    }
    const restartState = capture();
    await persistence.whenIdle();
    await this.#save(persistence, restartState, requests);
  }

  async #save(persistence: Persistence<TState>, restartState: RestartState<TState>, requests: Deferred[]): Promise<void> {
    const started = this.#clock.now();
    try {
      await persistence.save(restartState);
      this.#host.emit({ type: 'snapshot-saved', sequence: restartState.sequence, durationMs: this.#clock.now() - started });
      for (const request of requests) request.resolve();
    } catch (error) {
      this.#host.emit({ type: 'snapshot-failed', sequence: restartState.sequence, error });
      for (const request of requests) request.reject(error);
    }
  }

  /** Empties the waiting callers, handing them back. */
  #takeRequests(): Deferred[] {
    const requests = this.#requests ?? [];
    this.#requests = undefined;
    return requests;
  }
}
