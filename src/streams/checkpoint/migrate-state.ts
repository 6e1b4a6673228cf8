/**
 * Bringing a checkpoint's state to the code that resumes it: each stage of the pipeline finds its
 * state by id in the checkpoint (a stage added since starts empty; a stateful stage gone is
 * refused unless the run allows dropping its state), and state written at an older version of a
 * stage's shape goes through the stage's `migrate`, one entry per key, at load: before any actor
 * starts or anything is written, so a migration that throws leaves everything as it was.
 */
import { DroppedStateError, StateMigrationError, StateVersionError } from '../../errors.js';
import type { SnapshotEntry } from '../../state/snapshot-store.js';
import type { PartitionKey } from '../partitioning/canonical-key.js';
import { stageIds } from '../plan/stage-ids.js';
import { keyOfState, type StateKey } from '../run/state-key.js';
import type { StageLayout } from './coordinator.js';
import type { StageManifest } from './manifest.js';

/** Brings one entry of a stage's state (a key's value) from `fromVersion` to the stage's version. */
export type EntryMigration = (value: unknown, fromVersion: number, key: PartitionKey) => unknown;

/** A stage of the resuming pipeline, as far as its state goes. */
export interface ResumingStage {
  readonly layout: StageLayout;
  readonly migrateEntry: EntryMigration | undefined;
}

/** The ids of a checkpoint's stages: recorded, or (for a checkpoint from before ids) derived from their names. */
export function savedStageIds(saved: readonly StageManifest[]): string[] {
  return saved.every((stage) => stage.id !== undefined) ? saved.map((stage) => stage.id as string) : stageIds(saved.map(({ name }) => ({ name })));
}

/** Whether a checkpoint's stage held state of its own: recorded, or (older checkpoints) keyed by key groups or ranges. */
function wasStateful(stage: StageManifest): boolean {
  return stage.stateful ?? (stage.keyGroups !== undefined || stage.boundaries !== undefined);
}

/** Whether any stage of the resuming pipeline declares a newer state version than its state in the checkpoint. */
export function upgraded(saved: readonly StageManifest[], stages: readonly ResumingStage[]): boolean {
  const matched = matchStages(saved, stages, true, '');
  return stages.some(({ layout }, s) => {
    const from = matched[s];
    return from !== undefined && (saved[from]?.stateVersion ?? 1) < (layout.stateVersion ?? 1);
  });
}

/**
 * For each stage of the resuming pipeline, the index of its stage in the checkpoint, or undefined
 * when the checkpoint has none with its id (it starts empty).
 * @throws DroppedStateError listing the ids when a stateful stage of the checkpoint has no stage
 *   in the pipeline, unless `allowDroppedState`.
 */
export function matchStages(
  saved: readonly StageManifest[],
  stages: readonly ResumingStage[],
  allowDroppedState: boolean,
  location: string,
): (number | undefined)[] {
  const savedIds = savedStageIds(saved);
  const ids = stages.map(({ layout }) => layout.id ?? layout.name);
  const at = new Map(savedIds.map((id, s) => [id, s]));
  const dropped = savedIds.filter((id, s) => !ids.includes(id) && wasStateful(saved[s] as StageManifest));
  if (dropped.length > 0 && !allowDroppedState) throw new DroppedStateError(location, dropped, savedIds, ids);
  return ids.map((id) => at.get(id));
}

/**
 * `entries` of a stage written at `stored`, at the stage's own version: as they are when the
 * versions match, else each through the stage's migration.
 * @throws StateVersionError naming both versions when the state is newer than the code, or older
 *   with no migration; StateMigrationError naming the key when the migration throws.
 */
export function migrateEntries(entries: readonly SnapshotEntry[], stored: number, stage: ResumingStage): readonly SnapshotEntry[] {
  const current = stage.layout.stateVersion ?? 1;
  if (stored === current) return entries;
  const subject = `stage ${stage.layout.id ?? stage.layout.name}`;
  const migrate = stage.migrateEntry;
  if (stored > current || migrate === undefined) {
    // A stage that holds nothing has nothing to bring forward.
    if (entries.length === 0 && stored < current) return entries;
    throw new StateVersionError(subject, stored, current);
  }
  return entries.map(([stateKey, value]) => {
    const key = keyOfState(stateKey as StateKey);
    try {
      return [stateKey, migrate(value, stored, key)] as SnapshotEntry;
    } catch (error) {
      throw new StateMigrationError(subject, stored, current, { key }, error);
    }
  });
}
