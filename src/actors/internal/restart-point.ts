/**
 * An actor's restart point: its last snapshot (state, outgoing sequence number, incoming
 * high-water marks) and the in-flight log of entries taken since. A restart rolls back to the
 * snapshot and replays the log in order, so nothing taken is lost; the log never outlives the next
 * snapshot, so it is bounded by the snapshot policy. Plain state is snapshotted by reference (it is
 * immutable); keyed state by an O(1) copy-on-write view.
 */
import { KeyedState, renewSnapshot, type KeyedStateView } from '../../state/keyed-state.js';
import type { ExtrasSnapshot } from './extras.js';
import { clearSlots } from '../../internal/empty-array.js';

/** The parts of an actor a snapshot captures. */
export interface RestartState<TState> {
  /** Snapshot number: increases with every snapshot of the actor. */
  readonly sequence: number;
  readonly state: TState;
  /** The next outgoing sequence number is `seq + 1`. */
  readonly seq: number;
  /** Highest sequence number taken from each sender. */
  readonly highWater: ReadonlyMap<string, number>;
  /** Behaviour, stash, timers and open pipes; undefined: as a fresh actor has them. */
  readonly extras?: ExtrasSnapshot | undefined;
}

/** A logged entry with the ordinal it was taken under, which tells two equal messages apart. */
export interface Logged<TEntry> {
  readonly entry: TEntry;
  readonly ordinal: number;
}

/** What a rollback hands back: the state to go on from and the entries to process again. */
export interface Rollback<TState, TEntry> extends RestartState<TState> {
  readonly replay: Logged<TEntry>[];
}

export class RestartPoint<TState, TEntry> {
  // Two arrays in step rather than one of {entry, ordinal} pairs, so logging allocates nothing;
  // the log only grows and is emptied whole, so a plain array beats a ring buffer here. Emptied
  // by count, not replaced: a fresh array's first entry allocates its backing store, and a
  // partition snapshots after every message (so empties its log after every message too).
  #log: (TEntry | undefined)[] = [];
  #ordinals: number[] = [];
  /** Entries logged: the first `#count` slots of the two arrays. */
  #count = 0;
  readonly #everyMessages: number;
  #since = 0;
  #current: RestartState<TState>;
  #view: KeyedStateView<unknown, unknown> | undefined;

  constructor(everyMessages: number, initial: RestartState<TState>) {
    this.#everyMessages = everyMessages;
    this.#current = initial;
    this.#view = viewOf(initial.state);
  }

  get sequence(): number {
    return this.#current.sequence;
  }

  /** Entries taken since the last snapshot. */
  get logged(): number {
    return this.#count;
  }

  /** Logs an entry the actor is about to process. */
  taken(entry: TEntry, ordinal: number): void {
    const at = this.#count++;
    this.#log[at] = entry;
    this.#ordinals[at] = ordinal;
  }

  /** Counts a processed entry; true when the policy wants a snapshot now. */
  succeeded(): boolean {
    return ++this.#since >= this.#everyMessages;
  }

  /** Forgets the newest logged entry: it was skipped (resumed past, or poison). */
  dropLast(): void {
    if (this.#count > 0) this.#log[--this.#count] = undefined;
  }

  /** Makes the current state the restart point and empties the log. */
  capture(state: TState, seq: number, highWater: ReadonlyMap<string, number>, extras: ExtrasSnapshot | undefined): RestartState<TState> {
    this.#view = viewOf(state, this.#view);
    this.#current = { sequence: this.#current.sequence + 1, state, seq, highWater, extras };
    this.#clearLog();
    this.#since = 0;
    return this.#current;
  }

  /**
   * Rolls `state` back to the restart point (in place for keyed state) and hands back the logged
   * entries for replay; they will be logged again as they are processed.
   */
  rollback(): Rollback<TState, TEntry> {
    const { state } = this.#current;
    if (this.#view !== undefined) (state as KeyedState<unknown, unknown>).restore(this.#view);
    this.#since = 0;
    const log = this.#log;
    const ordinals = this.#ordinals;
    const replay: Logged<TEntry>[] = [];
    for (let i = 0; i < this.#count; i++) replay.push({ entry: log[i] as TEntry, ordinal: ordinals[i] as number });
    this.#clearLog();
    return { ...this.#current, replay };
  }

  /** Starts over from `restartState` (a fresh start, or state restored from a store). */
  reset(restartState: RestartState<TState>): void {
    this.#view?.release();
    this.#view = viewOf(restartState.state);
    this.#current = restartState;
    this.#clearLog();
    this.#since = 0;
  }

  /**
   * Empties the log, letting go of its entries; the slots stay for the next ones, unless a long
   * log made many (an actor that once logged thousands keeps no array of thousands of slots).
   */
  #clearLog(): void {
    const count = this.#count;
    this.#count = 0;
    if (count > KEPT_SLOTS) {
      this.#log = [];
      this.#ordinals = [];
      return;
    }
    clearSlots(this.#log, 0, count);
  }

  /** Releases the view a keyed restart point holds, so the state stops recording undo entries. */
  close(): void {
    this.#view?.release();
    this.#view = undefined;
  }
}

/** Most logged entries whose slots an emptied log keeps. */
const KEPT_SLOTS = 64;

function viewOf(state: unknown, previous?: KeyedStateView<unknown, unknown>): KeyedStateView<unknown, unknown> | undefined {
  if (!(state instanceof KeyedState)) {
    previous?.release();
    return undefined;
  }
  // The restart point moves after every message: the view moves with it, rather than a new one each time.
  return previous === undefined ? (state as KeyedState<unknown, unknown>).snapshot() : renewSnapshot(state as KeyedState<unknown, unknown>, previous);
}
