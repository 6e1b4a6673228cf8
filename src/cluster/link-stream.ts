/**
 * The JetStream stream of a job's durable links, `SLUICE_LINKS_<job>`: every frame sent between
 * the partitions of its runs, stored under `sluice.<job>.links.<run>.d.<epoch>.<to>.<from>` until
 * no restart point needs it. The leader purges an epoch's frames once a later checkpoint is
 * complete (every partition's restart point is then past them) and deletes the stream with the
 * job's end. A stream at its byte limit refuses new frames, and their senders wait and try again:
 * backpressure, never a drop.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import { natsClient } from '../nats/nats-peer.js';
import { epochFilter } from './durable-link-frames.js';
import type { JobNames } from './job-names.js';

/** Bytes the stream may hold: what the links' credits let be in flight, many times over. */
export const LINK_STREAM_BYTES = 256 * 1024 * 1024;

/** How long the server remembers a frame's id, so that a frame published again after a lost acknowledgement is stored once. */
const DUPLICATE_WINDOW_NS = 120 * 1_000_000_000;

export class LinkStream {
  readonly name: string;
  readonly #jsm: JetStreamManager;
  readonly #names: JobNames;
  /** Per run, the lowest epoch not purged yet. */
  readonly #purged = new Map<string, number>();

  private constructor(jsm: JetStreamManager, names: JobNames) {
    this.#jsm = jsm;
    this.#names = names;
    this.name = names.linkStream;
  }

  /** The job's link stream, made when it is not there yet. */
  static async open(jsm: JetStreamManager, names: JobNames, replicas: number): Promise<LinkStream> {
    const { jetstream } = await natsClient();
    const config = {
      name: names.linkStream,
      subjects: [`${names.links('*')}.d.>`],
      storage: jetstream.StorageType.File,
      retention: jetstream.RetentionPolicy.Limits,
      discard: jetstream.DiscardPolicy.New,
      max_bytes: LINK_STREAM_BYTES,
      duplicate_window: DUPLICATE_WINDOW_NS,
      num_replicas: replicas,
    };
    try {
      await jsm.streams.info(names.linkStream);
    } catch {
      // Two workers may make it at once: the same configuration either way.
      await jsm.streams.add(config).catch(async (error: unknown) => {
        if ((await jsm.streams.info(names.linkStream).catch(() => undefined)) === undefined) throw error;
      });
    }
    return new LinkStream(jsm, names);
  }

  /**
   * Drops run `run`'s frames of every epoch below `epoch`: checkpoint `epoch` is complete, and no
   * restart point is before it. `first` is the run's first epoch (the checkpoint it started from).
   */
  async purgeBelow(run: string, epoch: number, first: number): Promise<void> {
    const prefix = this.#names.links(run);
    for (let e = this.#purged.get(run) ?? first; e < epoch; e++) {
      await this.#jsm.streams.purge(this.name, { filter: epochFilter(prefix, e) });
      this.#purged.set(run, e + 1);
    }
  }

  /** Drops every frame of every run: a new run starts, and the runs before it are over. */
  async purgeAll(): Promise<void> {
    await this.#jsm.streams.purge(this.name);
    this.#purged.clear();
  }

  /** Deletes the stream (the job is complete); nothing if it is gone already. */
  async delete(): Promise<void> {
    await this.#jsm.streams.delete(this.name).catch(async (error: unknown) => {
      if ((await this.#jsm.streams.info(this.name).catch(() => undefined)) !== undefined) throw error;
    });
  }
}
