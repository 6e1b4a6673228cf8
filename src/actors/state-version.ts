/**
 * Versioned state for actors with a snapshot store: a definition declares the version of its
 * state's shape (`stateVersion`) and how to bring older state forward (`migrate`). Every snapshot
 * records the version it was saved under; restoring one of an older version migrates it at load,
 * before the first message, and one of a newer version is refused. The mechanics live in
 * `internal/state-migration.ts`.
 */
import { InvalidOptionError } from '../errors.js';
import { isFunction } from '../internal/validate.js';
import type { KeyedState } from '../state/keyed-state.js';

/** The `stateVersion` of a definition that declares none, and of a snapshot that records none. */
export const DEFAULT_STATE_VERSION = 1;

/**
 * An actor definition's `migrate`: brings state saved under `fromVersion` (older than the
 * definition's `stateVersion`) to the shape the code expects, and returns it. It runs once per
 * restore, at load, and must be synchronous and pure: a crash before the next snapshot restores
 * the old snapshot and migrates it again.
 *
 * - For a `KeyedState`, it is called once per entry with the entry's value and key, and returns
 *   the new value; entries keep their keys (and their order).
 * - For any other state, it is called once with the whole state and the snapshot key.
 *
 * `fromVersion` is the version the snapshot was saved under, not `stateVersion - 1`: a state two
 * versions behind is migrated in one call, so the function handles every older version itself.
 * The old state is typed `unknown` because it has the old shape, not `TState`'s.
 *
 * @example
 * ```ts
 * // version 1 stored a number of cents; version 2 stores { cents, currency }
 * const migrate: StateMigration<KeyedState<string, { cents: number; currency: string }>> = (value, fromVersion) =>
 *   fromVersion === 1 ? { cents: value as number, currency: 'EUR' } : (value as { cents: number; currency: string });
 * ```
 */
export type StateMigration<TState> = [TState] extends [KeyedState<infer TKey, infer TValue>]
  ? (value: unknown, fromVersion: number, key: TKey) => TValue
  : (state: unknown, fromVersion: number, key: string) => TState;

/**
 * Throws unless `stateVersion` is undefined or a positive (safe) integer, and `migrate` is undefined or a
 * function that can ever run (a definition at version 1 has no older state to migrate: a `migrate`
 * there means `stateVersion` was not raised with the change that needs it).
 *
 * @throws InvalidOptionError naming `stateVersion` or `migrate`.
 *
 * @example
 * ```ts
 * checkStateVersioning({ stateVersion: 2, migrate: (state) => state }); // fine
 * checkStateVersioning({ migrate: (state) => state }); // throws, naming `migrate`
 * ```
 */
export function checkStateVersioning(candidate: { readonly stateVersion?: unknown; readonly migrate?: unknown }): void {
  const { stateVersion, migrate } = candidate;
  // Safe integers: a version is compared for equality after a round trip through msgpack.
  if (stateVersion !== undefined && !(Number.isSafeInteger(stateVersion) && (stateVersion as number) >= 1)) {
    throw new InvalidOptionError('stateVersion', 'a positive integer', stateVersion);
  }
  const version = stateVersion ?? DEFAULT_STATE_VERSION;
  if (migrate === undefined) return;
  isFunction('migrate', migrate);
  if (version === DEFAULT_STATE_VERSION) {
    throw new InvalidOptionError(
      'migrate',
      `undefined while \`stateVersion\` is ${DEFAULT_STATE_VERSION} (no state is older, so it could never run: raise \`stateVersion\` with the change that needs it)`,
      migrate,
    );
  }
}
