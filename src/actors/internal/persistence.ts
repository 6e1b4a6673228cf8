/**
 * Moves an actor's snapshots to and from its snapshot store. Saves of one actor never overlap:
 * a snapshot taken while one is being written stays in memory only, and the owner is told to take
 * a fresh one once the write ends, so the store always gets a consistent, message-aligned snapshot.
 * A snapshot records the definition's `stateVersion`; one restored from an older version is
 * migrated here, entry by entry, before the actor sees it (`state-migration.ts`).
 */
import { yieldToEventLoop } from '../../state/chunks.js';
import { KeyedState } from '../../state/keyed-state.js';
import type { LoadResult, SnapshotEntry, SnapshotStore } from '../../state/snapshot-store.js';
import { DEFAULT_STATE_VERSION } from '../state-version.js';
import type { ExtrasCodec } from './extras.js';
import type { RestartState } from './restart-point.js';
import { migrationFor, type StateVersioning } from './state-migration.js';

/**
 * What goes into `meta`: everything but keyed entries, which travel as `entries`. Format 2 is
 * format 1 at a `stateVersion` above 1. Format 1 stays what version 1 is written in, so code older
 * than state versions still reads the snapshots of definitions that declare none; and it refuses
 * ("unknown format") state of a later version rather than take it for its own.
 */
interface SnapshotMeta {
  readonly format: 1 | 2;
  /** Absent in snapshots saved before versions were recorded: version 1. */
  readonly stateVersion?: number;
  readonly keyed: boolean;
  readonly state?: unknown;
  readonly seq: number;
  readonly highWater: readonly (readonly [string, number])[];
  /** Behaviour and timers, when the actor has either (see `cell-extras.ts`). */
  readonly extras?: unknown;
}

/** Keyed entries restored between two yields to the event loop, as the stores read them. */
const RESTORE_CHUNK = 10_000;

/** A restored restart state and what the store passed over to find it. */
export interface Restored<TState> {
  readonly restartState: RestartState<TState> | undefined;
  readonly skipped: LoadResult['skipped'];
  /** The version the restored state was migrated from; undefined when none ran. */
  readonly migratedFrom: number | undefined;
}

export class Persistence<TState> {
  readonly store: SnapshotStore;
  readonly key: string;
  readonly versioning: StateVersioning;
  readonly #extras: ExtrasCodec | undefined;
  #saving: Promise<void> | undefined;

  constructor(store: SnapshotStore, key: string, versioning: StateVersioning, extras?: ExtrasCodec) {
    this.store = store;
    this.key = key;
    this.versioning = versioning;
    this.#extras = extras;
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
    const { version } = this.versioning;
    const extras = this.#extras?.save(restartState.extras);
    const meta: SnapshotMeta = {
      format: version === DEFAULT_STATE_VERSION ? 1 : 2,
      stateVersion: version,
      keyed,
      ...(keyed ? {} : { state }),
      seq: restartState.seq,
      highWater: [...restartState.highWater],
      ...(extras === undefined ? {} : { extras }),
    };
    try {
      await this.store.save(this.key, { sequence: restartState.sequence, meta, entries: view as Iterable<SnapshotEntry> | undefined });
    } finally {
      view?.release();
    }
  }

  /**
   * The newest intact snapshot as a restartState, migrated to the code's state version. `fresh`
   * builds the state to fill for keyed state (the actor's `initialState()`, which must then be a
   * `KeyedState`). Nothing is written, whatever happens.
   * @throws StateVersionError when the snapshot's state version is newer than the code's, or older
   *   without a `migrate`; StateMigrationError when `migrate` throws; Error when the stored snapshot
   *   does not fit the actor's state.
   */
  async load(fresh: () => TState): Promise<Restored<TState>> {
    const { snapshot, skipped } = await this.store.load(this.key);
    if (snapshot === undefined) return { restartState: undefined, skipped, migratedFrom: undefined };
    const { sequence } = snapshot;
    const meta = snapshot.meta as SnapshotMeta;
    const storedVersion = this.#versionOf(meta, sequence);
    const migrate = migrationFor(this.versioning, { key: this.key, sequence }, storedVersion, meta.keyed);
    let state: TState;
    if (meta.keyed) {
      state = fresh();
      if (!(state instanceof KeyedState)) {
        throw new Error(`Snapshot ${sequence} of ${this.key} holds keyed state, but initialState() is not a KeyedState`);
      }
      state.clear();
      let restored = 0;
      for (const [key, value] of snapshot.entries) {
        state.set(key, migrate === undefined ? value : migrate(value, key));
        if (++restored % RESTORE_CHUNK === 0) await yieldToEventLoop();
      }
    } else {
      state = (migrate === undefined ? meta.state : migrate(meta.state, this.key)) as TState;
    }
    const restartState: RestartState<TState> = {
      sequence,
      state,
      seq: meta.seq,
      highWater: new Map(meta.highWater),
      extras: this.#extras?.load(meta.extras, `Snapshot ${sequence} of ${this.key}`),
    };
    return { restartState, skipped, migratedFrom: migrate === undefined ? undefined : storedVersion };
  }

  /** The state version `meta` records, checking it against its format. */
  #versionOf(meta: SnapshotMeta | undefined, sequence: number): number {
    const format = meta?.format;
    if (meta === undefined || (format !== 1 && format !== 2)) throw new Error(`Snapshot ${sequence} of ${this.key} has an unknown format`);
    const version = meta.stateVersion ?? DEFAULT_STATE_VERSION;
    if (!Number.isSafeInteger(version) || version < 1 || (format === 1) !== (version === DEFAULT_STATE_VERSION)) {
      throw new Error(`Snapshot ${sequence} of ${this.key} records a malformed state version (${String(version)}, format ${format})`);
    }
    return version;
  }
}
