/**
 * How a stateful stage's state outlives the code that wrote it: the stage's id, by which a
 * checkpoint's state finds its stage again after the pipeline changed around it, and the version of
 * the state's shape, with the migration that brings an older shape forward. Checked when the
 * pipeline is built, naming the option.
 */
import { InvalidOptionError } from '../errors.js';
import { isFunction, positiveInteger, withDefault } from '../internal/validate.js';
import type { PartitionKey } from './partitioning/canonical-key.js';

/** Options of a stateful stage (`reduce`, `aggregate`, `window`, `process`) about its state across versions of the code. */
export interface StageStateOptions<TState = unknown, TKey = PartitionKey> {
  /**
   * The stage's id in checkpoints and savepoints: a run resumes a stage's state from the stage of
   * the checkpoint with the same id, whatever else changed in the pipeline. Give every stateful
   * stage of a long-lived job one: the default is derived from the stage's name (`reduce`, or the
   * `name` option; `reduce#2` for a second stage of that name), and a derived id changes when
   * stages are added, removed or renamed before it.
   * @defaultValue the stage's name, made unique with `#2`, `#3`… in pipeline order
   */
  id?: string | undefined;
  /**
   * The version of the shape of this stage's state per key. Raise it when the shape changes (and
   * give `migrate`): a checkpoint records the version its state was written at, and a run refuses
   * state written by a newer version than its own.
   * @defaultValue 1
   */
  stateVersion?: number | undefined;
  /**
   * Brings one key's state, written at version `fromVersion` (older than `stateVersion`), to the
   * shape of `stateVersion`. Called once per key as the run restores a checkpoint, before anything
   * runs or is written; an error it throws fails the run. For a window, called once per window (or
   * pane) accumulator of the key; for `process`, with the key's state (not its timers).
   */
  migrate?: ((state: unknown, fromVersion: number, key: TKey) => TState) | undefined;
}

/** A stage's checked state options: its explicit id (if any), its state version, and its migration. */
export interface StageStateVersioning {
  readonly id: string | undefined;
  readonly version: number;
  readonly migrate: ((state: unknown, fromVersion: number, key: PartitionKey) => unknown) | undefined;
}

/** The state options of a stage that gave none. */
export const UNVERSIONED: StageStateVersioning = Object.freeze({ id: undefined, version: 1, migrate: undefined });

/**
 * @throws InvalidOptionError naming `id` (not a non-empty string), `stateVersion` (not a positive
 *   integer) or `migrate` (not a function).
 */
export function checkStageState(options: StageStateOptions<unknown, never>): StageStateVersioning {
  const { id, stateVersion, migrate } = options;
  if (id !== undefined && (typeof id !== 'string' || id.trim() === '')) throw new InvalidOptionError('id', 'a non-empty string', id);
  const version = withDefault(stateVersion, 1, (v) => positiveInteger('stateVersion', v));
  if (migrate !== undefined) isFunction('migrate', migrate);
  return { id, version, migrate: migrate as StageStateVersioning['migrate'] };
}
