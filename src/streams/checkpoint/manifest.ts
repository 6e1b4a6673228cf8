/**
 * A checkpoint's manifest: everything needed to resume — the source offset to read from, each
 * partition's snapshot file, how each stage was partitioned (so a resume with other partition
 * counts can redistribute the state by key), the sink's commit token — plus a format version.
 * Stored as one line with the SHA-256 of the JSON body that follows, so a torn or altered
 * manifest is detected rather than believed.
 */
import { createHash } from 'node:crypto';

export const MANIFEST_FORMAT = 1;

/** One partition's snapshot in a checkpoint. */
export interface PartitionSnapshotRef {
  readonly partition: number;
  /** Where the storage keeps it within the checkpoint: for a folder, the file name in the checkpoint's folder. */
  readonly file: string;
  readonly entries: number;
  readonly bytes: number;
  /** The partition's input watermark at the checkpoint, when it had one (absent: none yet). */
  readonly watermark?: number | undefined;
  /** The largest event time its own `withTimestamps` had seen, when it had seen one. */
  readonly maxTimestamp?: number | undefined;
}

/** One keyed (or rebalanced) stage as it was partitioned. */
export interface StageManifest {
  readonly name: string;
  /**
   * The id a resumed run finds the stage's state by. Absent in checkpoints written before stages
   * had ids: the id is then derived from the names, as for a stage given none.
   */
  readonly id?: string | undefined;
  /** The version of the state's shape the stage wrote. Absent: 1. */
  readonly stateVersion?: number | undefined;
  /**
   * Whether the stage holds state of its own (keyed), rather than only passing records on (a
   * rebalance). Absent in older checkpoints: a stage with key groups or range boundaries is keyed.
   */
  readonly stateful?: boolean | undefined;
  readonly partitions: number;
  readonly maxParallelism: number;
  /** Range boundaries, for range partitioning. */
  readonly boundaries?: readonly (string | number)[] | undefined;
  /** Each partition's key groups, first to last inclusive, for hash partitioning. */
  readonly keyGroups?: readonly { readonly start: number; readonly end: number }[] | undefined;
  readonly snapshots: readonly PartitionSnapshotRef[];
}

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly id: number;
  /** True for the checkpoint taken once the input ended and everything reached the sink. */
  readonly completed: boolean;
  /**
   * Where the source is read on from, and the largest event time read before it (absent when none
   * was), from which its watermark goes on.
   */
  readonly source: { readonly name: string; readonly offset: unknown; readonly maxTimestamp?: number | undefined };
  readonly stages: readonly StageManifest[];
  /** What the sink's `preCommit` returned, handed to `commit` and, on a resume, `recover`. */
  readonly sink: unknown;
  readonly createdAt: string;
}

export function encodeManifest(manifest: Manifest): string {
  const body = JSON.stringify(manifest);
  return `${digest(body)}\n${body}\n`;
}

/** The manifest in `text`, or why it cannot be trusted. */
export function decodeManifest(text: string): { manifest: Manifest } | { damaged: string } {
  const newline = text.indexOf('\n');
  if (newline < 0 || !text.endsWith('\n')) return { damaged: 'truncated' };
  const body = text.slice(newline + 1, -1);
  if (digest(body) !== text.slice(0, newline)) return { damaged: 'checksum mismatch' };
  let manifest: Manifest;
  try {
    manifest = JSON.parse(body) as Manifest;
  } catch {
    return { damaged: 'not JSON' };
  }
  if (manifest.format !== MANIFEST_FORMAT) return { damaged: `unsupported format ${String(manifest.format)}` };
  return { manifest };
}

function digest(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}
