/**
 * A job's checkpoints in a JetStream Object Store bucket, so that whichever worker process leads
 * the job next resumes from the last one: one object per partition snapshot
 * (`chk-<id>/s<stage>-p<partition>`, msgpack, checked by the store's own SHA-256 digest on read)
 * and, written last, the manifest (`chk-<id>/manifest`, checksummed as in a folder). The manifest
 * is the commit point, and before writing it the storage asks `fence` whether this process still
 * leads the job: a leader that paused past its lease commits nothing.
 */
import type { ObjectStore } from '@nats-io/obj';
import { Packr, Unpackr } from 'msgpackr';
import { CheckpointUnusableError } from '../errors.js';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';
import type { SnapshotEntry } from '../state/snapshot-store.js';
import type { CheckpointStorage, RestoredCheckpoint } from '../streams/checkpoint/checkpoint-storage.js';
import { decodeManifest, encodeManifest, type Manifest, type PartitionSnapshotRef } from '../streams/checkpoint/manifest.js';

const packr = new Packr(MSGPACK_OPTIONS);
const unpackr = new Unpackr(MSGPACK_OPTIONS);
const PREFIX = 'chk-';
const MANIFEST = 'manifest';

export class NatsCheckpointStorage implements CheckpointStorage {
  readonly location: string;
  readonly #store: ObjectStore;
  readonly #fence: () => Promise<void>;

  /**
   * @param store - the job's Object Store bucket.
   * @param fence - rejects when this process may no longer commit a checkpoint.
   */
  constructor(store: ObjectStore, bucket: string, fence: () => Promise<void>) {
    this.#store = store;
    this.location = `NATS object store ${bucket}`;
    this.#fence = fence;
  }

  async highestId(): Promise<number> {
    return (await this.#ids())[0] ?? 0;
  }

  async writePartition(id: number, stage: number, partition: number, entries: Iterable<SnapshotEntry>): Promise<PartitionSnapshotRef> {
    const list = [...entries];
    const bytes = packr.pack(list);
    const file = `s${stage}-p${partition}`;
    await this.#store.putBlob({ name: `${folder(id)}/${file}` }, bytes);
    return { partition, file, entries: list.length, bytes: bytes.length };
  }

  async writeManifest(manifest: Manifest): Promise<void> {
    await this.#fence();
    await this.#store.putBlob({ name: `${folder(manifest.id)}/${MANIFEST}` }, new TextEncoder().encode(encodeManifest(manifest)));
  }

  async latest(): Promise<RestoredCheckpoint | undefined> {
    const skipped: { id: number; reason: string }[] = [];
    for (const id of await this.#ids()) {
      const text = await this.#read(`${folder(id)}/${MANIFEST}`);
      if (text === undefined) continue;
      if (typeof text === 'string') {
        skipped.push({ id, reason: `manifest: ${text}` });
        continue;
      }
      const decoded = decodeManifest(new TextDecoder().decode(text));
      if ('damaged' in decoded) {
        skipped.push({ id, reason: `manifest: ${decoded.damaged}` });
        continue;
      }
      const entries = await this.#entries(decoded.manifest);
      if (typeof entries === 'string') skipped.push({ id, reason: entries });
      else return { manifest: decoded.manifest, entries, skipped };
    }
    if (skipped.length > 0) throw new CheckpointUnusableError(this.location, skipped);
    return undefined;
  }

  /** The newest complete checkpoint's manifest, without its partitions; undefined when there is none. */
  async latestManifest(): Promise<Manifest | undefined> {
    for (const id of await this.#ids()) {
      const text = await this.#read(`${folder(id)}/${MANIFEST}`);
      if (text === undefined || typeof text === 'string') continue;
      const decoded = decodeManifest(new TextDecoder().decode(text));
      if ('manifest' in decoded) return decoded.manifest;
    }
    return undefined;
  }

  async prune(keep: number): Promise<void> {
    const names = await this.#names();
    let complete = 0;
    for (const id of idsOf(names)) {
      if (complete < keep) {
        if (names.includes(`${folder(id)}/${MANIFEST}`)) complete++;
        continue;
      }
      await this.#deleteCheckpoint(id, names);
    }
  }

  async discardAbove(id: number): Promise<void> {
    const names = await this.#names();
    for (const other of idsOf(names)) if (other > id) await this.#deleteCheckpoint(other, names);
  }

  async #entries(manifest: Manifest): Promise<SnapshotEntry[][][] | string> {
    const stages: SnapshotEntry[][][] = [];
    for (const stage of manifest.stages) {
      const partitions: SnapshotEntry[][] = [];
      for (const ref of stage.snapshots) {
        const bytes = await this.#read(`${folder(manifest.id)}/${ref.file}`);
        if (bytes === undefined) return `${ref.file}: missing`;
        if (typeof bytes === 'string') return `${ref.file}: ${bytes}`;
        try {
          partitions[ref.partition] = unpackr.unpack(bytes) as SnapshotEntry[];
        } catch (error) {
          return `${ref.file}: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      stages.push(partitions);
    }
    return stages;
  }

  /** An object's bytes, undefined when it is missing, or why it cannot be read (its digest did not match). */
  async #read(name: string): Promise<Uint8Array | string | undefined> {
    try {
      return (await this.#store.getBlob(name)) ?? undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  async #deleteCheckpoint(id: number, names: readonly string[]): Promise<void> {
    const prefix = `${folder(id)}/`;
    // The manifest first: a checkpoint half deleted is an incomplete one, never a damaged one.
    const mine = names.filter((name) => name.startsWith(prefix)).sort((a, b) => Number(b.endsWith(MANIFEST)) - Number(a.endsWith(MANIFEST)));
    for (const name of mine) await this.#store.delete(name);
  }

  async #names(): Promise<string[]> {
    return (await this.#store.list()).map((info) => info.name);
  }

  async #ids(): Promise<number[]> {
    return idsOf(await this.#names());
  }
}

function folder(id: number): string {
  return `${PREFIX}${String(id).padStart(10, '0')}`;
}

/** The checkpoint ids among object names, newest first. */
function idsOf(names: readonly string[]): number[] {
  const ids = new Set<number>();
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const id = Number(name.slice(PREFIX.length, name.indexOf('/')));
    if (Number.isSafeInteger(id) && id > 0) ids.add(id);
  }
  return [...ids].sort((a, b) => b - a);
}
