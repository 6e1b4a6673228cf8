/**
 * Hands a checkpoint's keyed state to the partitions of the run that resumes from it, stage by
 * stage id, at each stage's state version. With the same partitioning each partition takes its own
 * snapshot back; with another partition count (or key-group count, or range boundaries) every key
 * goes to the partition that owns it now, so the job goes on as if it had run with the new count
 * all along.
 */
import type { SnapshotEntry } from '../../state/snapshot-store.js';
import type { Assignment } from '../run/assign.js';
import type { EventTimeProgress } from '../run/input-progress.js';
import { keyOfState, type StateKey } from '../run/state-key.js';
import type { RestoredCheckpoint } from './checkpoint-storage.js';
import type { StageLayout } from './coordinator.js';
import type { CheckpointsAt } from './checkpoint-options.js';
import type { StageManifest } from './manifest.js';
import { matchStages, migrateEntries, type ResumingStage } from './migrate-state.js';

/**
 * `entries[stage][partition]` for the stages and layout of the resuming pipeline: each stage's
 * state found by id (none for a stage the checkpoint does not have), brought to the stage's state
 * version, and handed to the partition that owns each key now.
 * @throws DroppedStateError when the checkpoint holds state of a stage the pipeline lost (and
 *   `allowDroppedState` is not set); StateVersionError or StateMigrationError when a stage's state
 *   cannot be brought to its version.
 */
export function redistribute(
  checkpoint: RestoredCheckpoint,
  stages: readonly (ResumingStage & { readonly assignment: Assignment })[],
  where: CheckpointsAt,
  allowDroppedState: boolean,
): SnapshotEntry[][][] {
  const saved = checkpoint.manifest.stages;
  const matched = matchStages(saved, stages, allowDroppedState, where.location);
  return stages.map((stage, s) => {
    const { layout, assignment } = stage;
    const from = matched[s];
    if (from === undefined) return Array.from({ length: layout.partitions }, () => []);
    const before = saved[from] as StageManifest;
    const old = (checkpoint.entries[from] ?? []).map((entries) => migrateEntries(entries ?? [], before.stateVersion ?? 1, stage));
    if (samePartitioning(before, layout)) return Array.from({ length: layout.partitions }, (_, p) => [...(old[p] ?? [])]);
    const next: SnapshotEntry[][] = Array.from({ length: layout.partitions }, () => []);
    for (const entries of old) {
      for (const entry of entries) (next[assignment.partitionOfKey(keyOfState(entry[0] as StateKey))] as SnapshotEntry[]).push(entry);
    }
    return next;
  });
}

/**
 * `progress[stage][partition]`: where in event time each partition of the new layout starts. With
 * the same partitioning each partition takes its own back; with another, keys from every old
 * partition may meet in a new one, so each starts where the furthest-behind old one was (a record
 * late for all of them is late for it; one that was still on time for some stays on time).
 */
export function redistributeProgress(checkpoint: RestoredCheckpoint, stages: readonly ResumingStage[]): (EventTimeProgress | undefined)[][] {
  // Matched already by `redistribute`, which refuses what cannot be matched: here nothing is dropped.
  const matched = matchStages(checkpoint.manifest.stages, stages, true, '');
  return stages.map(({ layout }, s) => {
    const from = matched[s];
    // A stage new in this pipeline starts where a stage starts: nothing heard yet.
    if (from === undefined) return Array.from({ length: layout.partitions }, () => undefined);
    const before = checkpoint.manifest.stages[from] as StageManifest;
    const old = before.snapshots.map(progressOf);
    if (samePartitioning(before, layout)) return Array.from({ length: layout.partitions }, (_, p) => old[p]);
    const behind: EventTimeProgress = {
      watermark: Math.min(...old.map((progress) => progress.watermark)),
      maxTimestamp: Math.min(...old.map((progress) => progress.maxTimestamp)),
    };
    return Array.from({ length: layout.partitions }, () => behind);
  });
}

function progressOf(ref: StageManifest['snapshots'][number]): EventTimeProgress {
  return { watermark: ref.watermark ?? Number.NEGATIVE_INFINITY, maxTimestamp: ref.maxTimestamp ?? Number.NEGATIVE_INFINITY };
}

function samePartitioning(before: StageManifest, layout: StageLayout): boolean {
  return (
    before.partitions === layout.partitions &&
    before.maxParallelism === layout.maxParallelism &&
    JSON.stringify(before.boundaries ?? null) === JSON.stringify(layout.boundaries ?? null)
  );
}
