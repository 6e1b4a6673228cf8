/**
 * Checkpoints in process memory: for tests (the testing kit runs every case's kills and resumes on
 * it, with no file to write or wait for) and for jobs that restart inside one process. A checkpoint
 * is kept encoded, as a folder keeps it: what a run restores is decoded afresh, so it shares no
 * object with the state that was written, and holds only what survives encoding, exactly as after
 * a restart from disk. The manifest is kept as JSON would hand it back (`jsonCopy`: what a folder's
 * JSON keeps, without writing and parsing the text) and copied again for each reader. Nothing here
 * is ever damaged, so `latest` never skips a checkpoint.
 */
import { Packr } from 'msgpackr';
import { jsonCopy } from '../../internal/json-copy.js';
import { MSGPACK_OPTIONS } from '../../internal/msgpack-options.js';
import type { SnapshotEntry } from '../../state/snapshot-store.js';
import type { CheckpointStorage, RestoredCheckpoint } from './checkpoint-storage.js';
import type { Manifest, PartitionSnapshotRef } from './manifest.js';

const packr = new Packr(MSGPACK_OPTIONS);

interface HeldCheckpoint {
  /** Encoded entries by `s<stage>-p<partition>`. */
  readonly partitions: Map<string, Buffer>;
  /** The manifest as JSON hands it back, once written: a checkpoint is complete from then on. */
  manifest: Manifest | undefined;
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
    let highest = 0;
    for (const id of this.#checkpoints.keys()) if (id > highest) highest = id;
    return highest;
  }

  async writePartition(id: number, stage: number, partition: number, entries: Iterable<SnapshotEntry>): Promise<PartitionSnapshotRef> {
    const list = [...entries];
    const bytes = packr.pack(list);
    const file = `s${stage}-p${partition}`;
    this.#held(id).partitions.set(file, bytes);
    return { partition, file, entries: list.length, bytes: bytes.length };
  }

  async writeManifest(manifest: Manifest): Promise<void> {
    this.#held(manifest.id).manifest = jsonCopy(manifest);
  }

  async latest(): Promise<RestoredCheckpoint | undefined> {
    let newestId = 0;
    let newest: HeldCheckpoint | undefined;
    for (const [id, held] of this.#checkpoints) {
      if (held.manifest === undefined || (newest !== undefined && id < newestId)) continue;
      newestId = id;
      newest = held;
    }
    if (newest?.manifest === undefined) return undefined;
    const manifest = jsonCopy(newest.manifest);
    const { partitions } = newest;
    const entries = manifest.stages.map((stage) => {
      const restored: SnapshotEntry[][] = [];
      for (const ref of stage.snapshots) restored[ref.partition] = packr.unpack(partitions.get(ref.file) as Buffer) as SnapshotEntry[];
      return restored;
    });
    return { manifest, entries, skipped: [] };
  }

  async prune(keep: number): Promise<void> {
    let held = 0;
    for (const checkpoint of this.#checkpoints.values()) if (checkpoint.manifest !== undefined) held++;
    // Fewer complete than `keep`: nothing is older than the oldest to keep (the usual case, kept from sorting).
    if (held < keep) return;
    let complete = 0;
    for (const id of this.#ids()) {
      if (complete >= keep) this.#checkpoints.delete(id);
      else if (this.#checkpoints.get(id)?.manifest !== undefined) complete++;
    }
  }

  async discardAbove(id: number): Promise<void> {
    for (const other of this.#checkpoints.keys()) if (other > id) this.#checkpoints.delete(other);
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
