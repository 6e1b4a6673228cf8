/**
 * Hands a checkpoint's keyed state to the partitions of the run that resumes from it. With the
 * same partitioning each partition takes its own snapshot back; with another partition count (or
 * key-group count, or range boundaries) every key goes to the partition that owns it now, so the
 * job goes on as if it had run with the new count all along.
 */
import { InvalidOptionError } from '../../errors.js';
import type { SnapshotEntry } from '../../state/snapshot-store.js';
import type { Assignment } from '../run/assign.js';
import { keyOfState, type StateKey } from '../run/state-key.js';
import type { RestoredCheckpoint } from './checkpoint-store.js';
import type { StageLayout } from './coordinator.js';

/** `entries[stage][partition]` for the new layout. */
export function redistribute(
  checkpoint: RestoredCheckpoint,
  stages: readonly { readonly layout: StageLayout; readonly assignment: Assignment }[],
  dir: string,
): SnapshotEntry[][][] {
  const saved = checkpoint.manifest.stages;
  const names = (list: readonly { readonly name: string }[]): string => list.map((s) => s.name).join(', ');
  if (saved.length !== stages.length || saved.some((stage, s) => stage.name !== stages[s]?.layout.name)) {
    throw new InvalidOptionError(
      'checkpoint.dir',
      `a folder of checkpoints of this pipeline (stages ${names(stages.map((s) => s.layout))}), not of one with stages ${names(saved)}`,
      dir,
    );
  }
  return stages.map(({ layout, assignment }, s) => {
    const old = checkpoint.entries[s] ?? [];
    const before = saved[s] as (typeof saved)[number];
    const same =
      before.partitions === layout.partitions &&
      before.maxParallelism === layout.maxParallelism &&
      JSON.stringify(before.boundaries ?? null) === JSON.stringify(layout.boundaries ?? null);
    if (same) return Array.from({ length: layout.partitions }, (_, p) => [...(old[p] ?? [])]);
    const next: SnapshotEntry[][] = Array.from({ length: layout.partitions }, () => []);
    for (const entries of old) {
      for (const entry of entries ?? []) (next[assignment.partitionOfKey(keyOfState(entry[0] as StateKey))] as SnapshotEntry[]).push(entry);
    }
    return next;
  });
}
