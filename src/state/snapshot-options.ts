/**
 * When an actor snapshots its state and where the snapshots go. A snapshot is the actor's restart
 * point; with a store it also survives the process.
 */
import { InvalidOptionError } from '../errors.js';
import { isObject, positiveInteger, positiveNumberOrInfinity } from '../internal/validate.js';
import { checkSnapshotStore } from './snapshot-checks.js';
import type { SnapshotStore } from './snapshot-store.js';

/** Snapshot policy of one actor (`spawn(definition, { snapshot })`). */
export interface SnapshotOptions {
  /**
   * Take a snapshot after this many messages. A restart replays at most this many.
   * @defaultValue 1 for plain state (free: the state is kept by reference), 1000 for `KeyedState`
   */
  everyMessages?: number | undefined;
  /**
   * Also take a snapshot at least this often, in milliseconds of the system clock. The timer does
   * not keep the process alive: an idle program exits by itself.
   */
  everyMs?: number | undefined;
  /**
   * Where to keep snapshots beyond the process. When set, the actor starts from the newest intact
   * snapshot under `key` (migrated first when the definition's `stateVersion` is newer than the
   * snapshot's), and saves one at most one at a time as snapshots are taken.
   * @defaultValue undefined (memory only)
   */
  store?: SnapshotStore | undefined;
  /**
   * The snapshot key in the store.
   * @defaultValue the actor's path
   */
  key?: string | undefined;
}

/** Validated snapshot options; `everyMessages` stays undefined until the state's kind is known. */
export interface ResolvedSnapshotOptions {
  readonly everyMessages: number | undefined;
  readonly everyMs: number | undefined;
  readonly store: SnapshotStore | undefined;
  readonly key: string | undefined;
}

/** Validates snapshot options, naming them as `snapshot.<field>`. */
export function resolveSnapshotOptions(options: SnapshotOptions | undefined): ResolvedSnapshotOptions {
  if (options === undefined) return { everyMessages: undefined, everyMs: undefined, store: undefined, key: undefined };
  isObject('snapshot', options);
  const everyMessages = options.everyMessages === undefined ? undefined : positiveInteger('snapshot.everyMessages', options.everyMessages);
  const everyMs = options.everyMs === undefined ? undefined : positiveNumberOrInfinity('snapshot.everyMs', options.everyMs);
  const store = options.store === undefined ? undefined : checkSnapshotStore('snapshot.store', options.store);
  const key = options.key;
  if (key !== undefined && (typeof key !== 'string' || key.length === 0)) {
    throw new InvalidOptionError('snapshot.key', 'a non-empty string', key);
  }
  return { everyMessages, everyMs, store, key };
}
