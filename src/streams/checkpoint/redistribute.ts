/**
 * Hands a checkpoint's keyed state to the partitions of the run that resumes from it. With the
 * same partitioning each partition takes its own snapshot back; with another partition count (or
 * key-group count, or range boundaries) every key goes to the partition that owns it now, so the
 * job goes on as if it had run with the new count all along.
 */
import { InvalidOptionError } from '../../errors.js';
import type { SnapshotEntry } from '../../state/snapshot-store.js';
import type { Assignment } from '../run/assign.js';
import type { EventTimeProgress } from '../run/input-progress.js';
import { keyOfState, type StateKey } from '../run/state-key.js';
import type { RestoredCheckpoint } from './checkpoint-storage.js';
import type { StageLayout } from './coordinator.js';
import type { CheckpointsAt } from './checkpoint-options.js';
import type { StageManifest } from './manifest.js';

/** `entries[stage][partition]` for the new layout. */
export function redistribute(
  checkpoint: RestoredCheckpoint,
  stages: readonly { readonly layout: StageLayout; readonly assignment: Assignment }[],
  where: CheckpointsAt,
): SnapshotEntry[][][] {
  const saved = checkpoint.manifest.stages;
  const names = (list: readonly { readonly name: string }[]): string => list.map((s) => s.name).join(', ');
  if (saved.length !== stages.length || saved.some((stage, s) => stage.name !== stages[s]?.layout.name)) {
    const holder = where.option === 'checkpoint.storage' ? 'a storage' : 'a folder';
    throw new InvalidOptionError(
      where.option,
      `${holder} of checkpoints of this pipeline (stages ${names(stages.map((s) => s.layout))}), not of one with stages ${names(saved)}`,
      where.location,
    );
  }
  return stages.map(({ layout, assignment }, s) => {
    const old = checkpoint.entries[s] ?? [];
    if (samePartitioning(saved[s] as StageManifest, layout)) return Array.from({ length: layout.partitions }, (_, p) => [...(old[p] ?? [])]);
    const next: SnapshotEntry[][] = Array.from({ length: layout.partitions }, () => []);
    for (const entries of old) {
      for (const entry of entries ?? []) (next[assignment.partitionOfKey(keyOfState(entry[0] as StateKey))] as SnapshotEntry[]).push(entry);
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
export function redistributeProgress(checkpoint: RestoredCheckpoint, stages: readonly { readonly layout: StageLayout }[]): (EventTimeProgress | undefined)[][] {
  return stages.map(({ layout }, s) => {
    const before = checkpoint.manifest.stages[s] as StageManifest;
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
