/**
 * What an actor can go back to after a failure, and what it must then do again: the restart point
 * (its last snapshot and the log of entries taken since; absent for plain state snapshotted after
 * every message), the sequence numbers of its links and its extras (behaviour, stash, timers,
 * pipes), which rewind with the state, and the replay queue a rollback fills. The cell owns the
 * state itself: a rollback returns the state to go on from.
 *
 * The cell makes it when first needed (at spawn only when it keeps a restart point), and the extras
 * join it when they are first used: extras it does not have are as a fresh actor's, so they capture
 * as undefined and have nothing to mark, restore or give up.
 */
import type { RestartExtras } from './extras.js';
import { RestartPoint, type Logged, type RestartState } from './restart-point.js';
import { ReplayQueue } from './replay-queue.js';
import { SequenceBook } from './sequence-book.js';

/** The state a rollback goes back to; undefined when the state the actor has stands. */
export type RolledBack<TState> = { readonly state: TState } | undefined;

export class Recovery<TState, TEntry> {
  readonly sequences = new SequenceBook();
  readonly replay = new ReplayQueue<TEntry>();
  readonly #point: RestartPoint<TState, TEntry> | undefined;
  #extras: RestartExtras<TEntry> | undefined;

  /** `everyMessages` undefined: no restart point, the state is snapshotted after every message by reference. */
  constructor(initialState: TState, everyMessages: number | undefined) {
    if (everyMessages !== undefined) {
      this.#point = new RestartPoint(everyMessages, { sequence: 0, state: initialState, ...this.sequences.snapshot() });
    }
  }

  /** The extras were used for the first time: from now on they rewind with the state. */
  attach(extras: RestartExtras<TEntry>): void {
    this.#extras = extras;
  }

  /** A restart point keeps a log: a rollback may go back over several messages. */
  get logs(): boolean {
    return this.#point !== undefined;
  }

  /** Captures the restart point at `state` (a snapshot); undefined without a restart point. */
  capturer(state: () => TState): (() => RestartState<TState>) | undefined {
    const point = this.#point;
    if (point === undefined) return undefined;
    return () => {
      const { seq, highWater } = this.sequences.snapshot();
      return point.capture(state(), seq, highWater, this.#extras?.capture());
    };
  }

  /** The entry taken under `ordinal` is about to be handled. */
  taken(entry: TEntry, ordinal: number): void {
    const point = this.#point;
    const logged = this.#extras === undefined ? entry : this.#extras.taking(entry, ordinal, point !== undefined);
    if (point === undefined) this.sequences.mark();
    else point.taken(logged, ordinal);
  }

  /** The handler succeeded; true when the snapshot interval says a snapshot is due. */
  succeeded(): boolean {
    return this.#point?.succeeded() === true;
  }

  /** The entry in progress, taken under `ordinal`, was given up: out of the log. */
  dropLast(ordinal: number): void {
    const point = this.#point;
    if (point === undefined) return;
    point.dropLast();
    // A rollback brings the stash back as it was, with this entry in it if it came from there.
    this.#extras?.giveUp(ordinal);
  }

  /** Makes `restartState` the restart point; returns its state, the one to go on from. */
  adopt(restartState: RestartState<TState>): TState {
    this.sequences.restore(restartState.seq, new Map(restartState.highWater));
    this.#point?.reset({ ...restartState, ...this.sequences.snapshot() });
    this.#extras?.restore(restartState.extras);
    return restartState.state;
  }

  /**
   * Rolls back to the restart point after `failing` failed; what was taken since goes before what
   * is left to replay.
   */
  rollback(failing: Logged<TEntry> | undefined): RolledBack<TState> {
    const replay = this.replay;
    const pending = replay.remaining();
    const point = this.#point;
    let rolledBack: RolledBack<TState>;
    if (point === undefined) {
      // Per-message snapshots: the state is untouched by the failed handler; only its entry repeats,
      // unless an earlier restart already put it back and its replay has not reached it yet.
      if (failing !== undefined && !pending.some(({ ordinal }) => ordinal === failing.ordinal)) {
        this.sequences.rewindToMark();
        pending.unshift(failing);
      }
    } else {
      const { state, seq, highWater, extras, replay: logged } = point.rollback();
      rolledBack = { state };
      this.sequences.restore(seq, highWater);
      this.#extras?.restore(extras);
      pending.unshift(...logged);
    }
    replay.replace(pending);
    if (pending.length === 0) this.replayDone();
    return rolledBack;
  }

  /**
   * Stopped while waiting to restart after `failing`: back to the snapshot plus what was taken
   * since (to be processed again before the actor stops), without `failing`, which the caller gives
   * up. Neither the state nor a final snapshot keeps a half-written failure.
   */
  abandon(failing: Logged<TEntry> | undefined): RolledBack<TState> {
    const rolledBack = this.rollback(undefined);
    // It is in the replay now (logged since the snapshot, or put back by an earlier restart whose
    // replay has not reached it), or held nowhere else: it is given up exactly once either way.
    if (failing !== undefined) {
      this.replay.remove(failing.ordinal);
      if (this.#point !== undefined) this.#extras?.giveUp(failing.ordinal);
    }
    if (this.replay.inProgress) this.replay.finishBeforeStop();
    else this.replayDone();
    return rolledBack;
  }

  /** A fresh start from `state`: a new restart point, and nothing to replay. */
  startAfresh(state: TState): void {
    // Sequence numbers keep rising across a fresh start, so receivers never mistake new sends for old.
    const sequence = (this.#point?.sequence ?? 0) + 1;
    this.adopt({ sequence, state, ...this.sequences.snapshot(), extras: this.#extras?.startAfresh() });
    this.replayDone();
  }

  /** The replay is over: sending resumes above every number the replay used. */
  replayDone(): void {
    this.replay.finish();
    this.sequences.resumeAboveHighest();
    this.#extras?.replayDone();
  }

  /** The actor stopped: the log is released. */
  close(): void {
    this.#point?.close();
  }
}
