/**
 * Checkpoints in process memory: for tests (the testing kit runs every case's kills and resumes on
 * it, with no file to write or wait for) and for jobs that restart inside one process. A checkpoint
 * is kept encoded, as a folder keeps it: what a run restores is decoded afresh, so it shares no
 * object with the state that was written, and holds only what survives encoding, exactly as after
 * a restart from disk. Nothing here is ever damaged, so `latest` never skips a checkpoint.
 */
import { Packr } from 'msgpackr';
import { MSGPACK_OPTIONS } from '../../internal/msgpack-options.js';
import type { SnapshotEntry } from '../../state/snapshot-store.js';
import type { CheckpointStorage, RestoredCheckpoint } from './checkpoint-storage.js';
import type { Manifest, PartitionSnapshotRef } from './manifest.js';

const packr = new Packr(MSGPACK_OPTIONS);

interface HeldCheckpoint {
  /** Encoded entries by `s<stage>-p<partition>`. */
  readonly partitions: Map<string, Buffer>;
  /** The manifest as JSON, once written: a checkpoint is complete from then on. */
  manifest: string | undefined;
}

/**
 * Keeps a pipeline's checkpoints in memory (`run({ checkpoint: { storage } })`).
 *
 * @example
 * ```ts
 * const storage = new MemoryCheckpointStorage();
 * await job.run({ checkpoint: { storage, interval: 1000 } }).done;
 * ```
 */
export class MemoryCheckpointStorage implements CheckpointStorage {
  readonly location: string;
  readonly #checkpoints = new Map<number, HeldCheckpoint>();

  /** @param name - how errors and logs name this storage. */
  constructor(name = 'memory') {
    this.location = name;
  }

  async highestId(): Promise<number> {
    return Math.max(0, ...this.#checkpoints.keys());
  }

  async writePartition(id: number, stage: number, partition: number, entries: Iterable<SnapshotEntry>): Promise<PartitionSnapshotRef> {
    const list = [...entries];
    const bytes = packr.pack(list);
    const file = `s${stage}-p${partition}`;
    this.#held(id).partitions.set(file, bytes);
    return { partition, file, entries: list.length, bytes: bytes.length };
  }

  async writeManifest(manifest: Manifest): Promise<void> {
    this.#held(manifest.id).manifest = JSON.stringify(manifest);
  }

  async latest(): Promise<RestoredCheckpoint | undefined> {
    for (const id of this.#ids()) {
      const held = this.#checkpoints.get(id) as HeldCheckpoint;
      if (held.manifest === undefined) continue;
      const manifest = JSON.parse(held.manifest) as Manifest;
      const entries = manifest.stages.map((stage) => {
        const partitions: SnapshotEntry[][] = [];
        for (const ref of stage.snapshots) partitions[ref.partition] = packr.unpack(held.partitions.get(ref.file) as Buffer) as SnapshotEntry[];
        return partitions;
      });
      return { manifest, entries, skipped: [] };
    }
    return undefined;
  }

  async prune(keep: number): Promise<void> {
    let complete = 0;
    for (const id of this.#ids()) {
      if (complete >= keep) this.#checkpoints.delete(id);
      else if (this.#checkpoints.get(id)?.manifest !== undefined) complete++;
    }
  }

  async discardAbove(id: number): Promise<void> {
    for (const other of this.#ids()) if (other > id) this.#checkpoints.delete(other);
  }

  #held(id: number): HeldCheckpoint {
    let held = this.#checkpoints.get(id);
    if (held === undefined) {
      held = { partitions: new Map(), manifest: undefined };
      this.#checkpoints.set(id, held);
    }
    return held;
  }

  /** Ids held, newest first. */
  #ids(): number[] {
    return [...this.#checkpoints.keys()].sort((a, b) => b - a);
  }
}
