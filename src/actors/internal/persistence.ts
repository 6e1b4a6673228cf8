/**
 * Moves an actor's snapshots to and from its snapshot store. Saves of one actor never overlap:
 * a snapshot taken while one is being written stays in memory only, and the owner is told to take
 * a fresh one once the write ends, so the store always gets a consistent, message-aligned snapshot.
 */
import { KeyedState } from '../../state/keyed-state.js';
import type { LoadResult, SnapshotEntry, SnapshotStore } from '../../state/snapshot-store.js';
import type { RestartState } from './restart-point.js';

/** What goes into `meta`: everything but keyed entries, which travel as `entries`. */
interface SnapshotMeta {
  readonly format: 1;
  readonly keyed: boolean;
  readonly state?: unknown;
  readonly seq: number;
  readonly highWater: readonly (readonly [string, number])[];
}

/** A restored restart state and what the store passed over to find it. */
export interface Restored<TState> {
  readonly restartState: RestartState<TState> | undefined;
  readonly skipped: LoadResult['skipped'];
}

export class Persistence<TState> {
  readonly store: SnapshotStore;
  readonly key: string;
  #saving: Promise<void> | undefined;

  constructor(store: SnapshotStore, key: string) {
    this.store = store;
    this.key = key;
  }

  /** Whether a save is being written now. */
  get saving(): boolean {
    return this.#saving !== undefined;
  }

  /** Resolves once no save is running (at once when none is). */
  async whenIdle(): Promise<void> {
    while (this.#saving !== undefined) await this.#saving.catch(() => undefined);
  }

  /**
   * Writes `restartState` to the store. Keyed state is read through its own view, taken now, so the
   * actor can go on writing while the entries are encoded in chunks.
   */
  save(restartState: RestartState<TState>): Promise<void> {
    const saving = this.#write(restartState).finally(() => {
      this.#saving = undefined;
    });
    this.#saving = saving;
    return saving;
  }

  async #write(restartState: RestartState<TState>): Promise<void> {
    const { state } = restartState;
    const keyed = state instanceof KeyedState;
    const view = keyed ? (state as KeyedState<unknown, unknown>).snapshot() : undefined;
    const meta: SnapshotMeta = {
      format: 1,
      keyed,
      ...(keyed ? {} : { state }),
      seq: restartState.seq,
      highWater: [...restartState.highWater],
    };
    try {
      await this.store.save(this.key, { sequence: restartState.sequence, meta, entries: view as Iterable<SnapshotEntry> | undefined });
    } finally {
      view?.release();
    }
  }

  /**
   * The newest intact snapshot as a restartState. `fresh` builds the state to fill for keyed state
   * (the actor's `initialState()`, which must then be a `KeyedState`).
   * @throws Error when the stored snapshot does not fit the actor's state.
   */
  async load(fresh: () => TState): Promise<Restored<TState>> {
    const { snapshot, skipped } = await this.store.load(this.key);
    if (snapshot === undefined) return { restartState: undefined, skipped };
    const meta = snapshot.meta as SnapshotMeta;
    if (meta?.format !== 1) throw new Error(`Snapshot ${snapshot.sequence} of ${this.key} has an unknown format`);
    let state: TState;
    if (meta.keyed) {
      state = fresh();
      if (!(state instanceof KeyedState)) {
        throw new Error(`Snapshot ${snapshot.sequence} of ${this.key} holds keyed state, but initialState() is not a KeyedState`);
      }
      state.clear();
      for (const [key, value] of snapshot.entries) state.set(key, value);
    } else {
      state = meta.state as TState;
    }
    const restartState: RestartState<TState> = {
      sequence: snapshot.sequence,
      state,
      seq: meta.seq,
      highWater: new Map(meta.highWater),
    };
    return { restartState, skipped };
  }
}
