/**
 * A job's checkpoints in a JetStream KV bucket, so that whichever worker process leads the job
 * next resumes from the last one. Each partition's state is msgpack, cut into values under the
 * server's payload limit (`chk.<id>.s<stage>.p<partition>.<n>`) and described by a value of its own
 * with its length and SHA-256 (`….meta`), checked when read back; the manifest
 * (`chk.<id>.manifest`, checksummed as in a folder) is written last, as the commit point, and only
 * after `fence` says this process still leads the job: a leader that paused past its lease commits
 * nothing. An old checkpoint goes with one purge of its subjects, so nothing of it is left behind.
 *
 * A KV bucket rather than an Object Store: a KV bucket's values are read through JetStream's direct
 * get, whereas an object's description goes through the message-get API, which a 2.9.10 server was
 * seen to crash in.
 */
import type { KV } from '@nats-io/kv';
import type { JetStreamManager } from '@nats-io/jetstream';
import { CheckpointUnusableError } from '../errors.js';
import type { SnapshotEntry } from '../state/snapshot-store.js';
import type { CheckpointStorage, RestoredCheckpoint } from '../streams/checkpoint/checkpoint-storage.js';
import { decodeManifest, encodeManifest, type Manifest, type PartitionSnapshotRef } from '../streams/checkpoint/manifest.js';
import { packPartition, unpackPartition } from '../streams/checkpoint/packed-partition.js';

const MANIFEST = 'manifest';
/** Bytes of a partition's state per value: well under the 1 MiB a server takes by default. */
const CHUNK_BYTES = 512 * 1024;

export class NatsCheckpointStorage implements CheckpointStorage {
  readonly location: string;
  readonly #kv: KV;
  readonly #jsm: JetStreamManager;
  readonly #bucket: string;
  readonly #fence: () => Promise<void>;

  /**
   * @param kv - the job's checkpoint bucket, named `bucket`.
   * @param fence - rejects when this process may no longer commit a checkpoint.
   */
  constructor(kv: KV, jsm: JetStreamManager, bucket: string, fence: () => Promise<void>) {
    this.#kv = kv;
    this.#jsm = jsm;
    this.#bucket = bucket;
    this.location = `NATS KV bucket ${bucket}`;
    this.#fence = fence;
  }

  async highestId(): Promise<number> {
    return (await this.#ids('*'))[0] ?? 0;
  }

  async writePartition(id: number, stage: number, partition: number, entries: Iterable<SnapshotEntry>): Promise<PartitionSnapshotRef> {
    const { meta, chunks, entries: count } = packPartition(entries, CHUNK_BYTES);
    const file = `s${stage}.p${partition}`;
    for (const [n, chunk] of chunks.entries()) await this.#kv.put(`${prefix(id)}.${file}.${n}`, chunk);
    await this.#kv.put(`${prefix(id)}.${file}.meta`, JSON.stringify(meta));
    return { partition, file, entries: count, bytes: meta.bytes };
  }

  async writeManifest(manifest: Manifest): Promise<void> {
    await this.#fence();
    await this.#kv.put(`${prefix(manifest.id)}.${MANIFEST}`, encodeManifest(manifest));
  }

  async latest(): Promise<RestoredCheckpoint | undefined> {
    const skipped: { id: number; reason: string }[] = [];
    for (const id of await this.#ids(MANIFEST)) {
      const decoded = await this.#manifest(id);
      if (decoded === undefined) continue;
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
    for (const id of await this.#ids(MANIFEST)) {
      const decoded = await this.#manifest(id);
      if (decoded !== undefined && 'manifest' in decoded) return decoded.manifest;
    }
    return undefined;
  }

  async prune(keep: number): Promise<void> {
    const complete = new Set(await this.#ids(MANIFEST));
    let kept = 0;
    for (const id of await this.#ids('*')) {
      if (kept < keep) {
        if (complete.has(id)) kept++;
        continue;
      }
      await this.#discard(id);
    }
  }

  async discardAbove(id: number): Promise<void> {
    for (const other of await this.#ids('*')) if (other > id) await this.#discard(other);
  }

  async #manifest(id: number): Promise<{ manifest: Manifest } | { damaged: string } | undefined> {
    const entry = await this.#kv.get(`${prefix(id)}.${MANIFEST}`);
    if (entry === null || entry.operation !== 'PUT') return undefined;
    return decodeManifest(entry.string());
  }

  async #entries(manifest: Manifest): Promise<SnapshotEntry[][][] | string> {
    const stages: SnapshotEntry[][][] = [];
    for (const stage of manifest.stages) {
      const partitions: SnapshotEntry[][] = [];
      for (const ref of stage.snapshots) {
        const entries = await this.#part(manifest.id, ref.file);
        if (typeof entries === 'string') return `${ref.file}: ${entries}`;
        partitions[ref.partition] = entries;
      }
      stages.push(partitions);
    }
    return stages;
  }

  /** A partition's entries, checked against what was written, or why they cannot be used. */
  async #part(id: number, file: string): Promise<SnapshotEntry[] | string> {
    const metaEntry = await this.#kv.get(`${prefix(id)}.${file}.meta`);
    if (metaEntry === null || metaEntry.operation !== 'PUT') return 'missing';
    return unpackPartition(parseJson(metaEntry.string()), async (n) => {
      const chunk = await this.#kv.get(`${prefix(id)}.${file}.${n}`);
      return chunk === null || chunk.operation !== 'PUT' ? undefined : chunk.value;
    });
  }

  /** Removes every value of checkpoint `id`, the manifest first (a half-removed checkpoint is an incomplete one, never a damaged one). */
  async #discard(id: number): Promise<void> {
    const stream = `KV_${this.#bucket}`;
    await this.#jsm.streams.purge(stream, { filter: `$KV.${this.#bucket}.${prefix(id)}.${MANIFEST}` });
    await this.#jsm.streams.purge(stream, { filter: `$KV.${this.#bucket}.${prefix(id)}.>` });
  }

  /** The checkpoint ids with a `last` key (`manifest`, or `*` for any), newest first. */
  async #ids(last: string): Promise<number[]> {
    const ids = new Set<number>();
    for await (const key of await this.#kv.keys(last === '*' ? 'chk.>' : `chk.*.${last}`)) {
      const id = Number(key.split('.')[1]);
      if (Number.isSafeInteger(id) && id > 0) ids.add(id);
    }
    return [...ids].sort((a, b) => b - a);
  }
}

/** `text` as JSON, or undefined when it is not JSON (a damaged meta value is reported, not thrown). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function prefix(id: number): string {
  return `chk.${String(id).padStart(10, '0')}`;
}
