/**
 * How a restored snapshot's state reaches the version the code declares: as it is when the
 * versions match, through the definition's `migrate` when the snapshot is older, never when it is
 * newer or there is no `migrate`. Pure apart from calling `migrate`; `persistence.ts` applies it to
 * each entry (or to the plain state) before anything is adopted, so a refusal or a failed
 * migration leaves the actor unstarted and the store untouched.
 */
import { StateMigrationError, StateVersionError } from '../../errors.js';
import { DEFAULT_STATE_VERSION } from '../state-version.js';
import { isThenable } from '../../internal/then-or-now.js';

/** A definition's versioning, read once: the version it declares and its `migrate`, if any. */
export interface StateVersioning {
  readonly version: number;
  readonly migrate: ((state: unknown, fromVersion: number, key: unknown) => unknown) | undefined;
}

/** The snapshot being restored, as errors name it. */
export interface SnapshotOrigin {
  readonly key: string;
  readonly sequence: number;
}

/** Brings one value (an entry's, with its key; or the plain state, with the snapshot key) forward. */
export type Migrate = (value: unknown, key: unknown) => unknown;

/** The versioning `definition` declares (validated by `defineActor` or `spawn`). */
export function versioningOf(definition: { readonly stateVersion?: number | undefined; readonly migrate?: unknown }): StateVersioning {
  const migrate = definition.migrate as ((this: unknown, state: unknown, fromVersion: number, key: unknown) => unknown) | undefined;
  return {
    version: definition.stateVersion ?? DEFAULT_STATE_VERSION,
    // Called as the hooks are, with the definition as `this`.
    migrate: migrate === undefined ? undefined : (state, fromVersion, key) => migrate.call(definition, state, fromVersion, key),
  };
}

/**
 * What restoring state saved under `storedVersion` takes: nothing (undefined) when it is the code's
 * version, else a function that migrates one value and throws a {@link StateMigrationError} (naming
 * `origin`, both versions and, when `keyed`, the entry) when `migrate` throws or returns a promise.
 *
 * @throws StateVersionError when `storedVersion` is newer than the code's, or older and there is no
 *   `migrate`.
 */
export function migrationFor(versioning: StateVersioning, origin: SnapshotOrigin, storedVersion: number, keyed: boolean): Migrate | undefined {
  const { version, migrate } = versioning;
  if (storedVersion === version) return undefined;
  if (storedVersion > version || migrate === undefined) {
    throw new StateVersionError(subjectOf(origin), storedVersion, version, { snapshotKey: origin.key, sequence: origin.sequence });
  }
  const failed = (key: unknown, cause: unknown): StateMigrationError =>
    new StateMigrationError(subjectOf(origin), storedVersion, version, keyed ? { key } : undefined, cause, {
      snapshotKey: origin.key,
      sequence: origin.sequence,
    });
  return (value, key) => {
    let migrated: unknown;
    try {
      migrated = migrate(value, storedVersion, key);
    } catch (error) {
      throw failed(key, error);
    }
    // A promise would become the state itself: migration runs inside the restore, synchronously.
    if (isThenable(migrated)) {
      void Promise.resolve(migrated).catch(() => undefined); // its own rejection is not ours to report
      throw failed(key, new TypeError('`migrate` returned a promise; it must return the migrated state itself'));
    }
    return migrated;
  };
}

/** How errors name the snapshot: `snapshot 3 of "visits"`. */
function subjectOf(origin: SnapshotOrigin): string {
  return `snapshot ${origin.sequence} of ${JSON.stringify(origin.key)}`;
}
