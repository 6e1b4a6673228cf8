/**
 * A job's KV bucket, made by whichever of its workers comes first. Workers that start together ask
 * the server to make the same bucket at the same moment, and all but one are told its subjects
 * overlap an existing stream's: the bucket is there then, and asking again finds it.
 */
import type { KV, KvOptions } from '@nats-io/kv';
import type { natsClient } from '../nats/nats-peer.js';

/** The KV client of the loaded NATS packages. */
export type Kvm = InstanceType<Awaited<ReturnType<typeof natsClient>>['kv']['Kvm']>;

/** Attempts at making a bucket that others are making too. */
const ATTEMPTS = 5;

/** The bucket `name`, made with `options` when it is not there yet. */
export async function jobBucket(kvm: Kvm, name: string, options: Partial<KvOptions>): Promise<KV> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await kvm.create(name, options);
    } catch (error) {
      const raced = error instanceof Error && /subjects overlap|already in use/i.test(error.message);
      if (!raced || attempt === ATTEMPTS) throw error;
    }
  }
}
