/**
 * The bench's and the cluster tests' clean-up: removing a job leaves none of its streams on the
 * server, its durable links' stream included (a job stopped before its end keeps that stream for a
 * later worker, so whoever stops it early must delete it).
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '../../../src/nats/connect-nats.js';
import { jobNames } from '../../../src/cluster/job-names.js';
import { freshJobId, removeJob } from '../../../bench/cluster/nats-service.js';
import { checkNats } from '../../helpers/services.js';

const nats = await checkNats();

/** The names of the streams on the server that belong to `job`. */
async function streamsOf(jsm: JetStreamManager, job: string): Promise<string[]> {
  const names: string[] = [];
  for await (const info of jsm.streams.list()) if (info.config.name.includes(job)) names.push(info.config.name);
  return names.sort();
}

describe.skipIf(nats.url === undefined)('removeJob', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connectNats({ servers: nats.url as string });
  });
  afterAll(async () => {
    await nc.close();
  });

  it("deletes a job's buckets and its links' stream, and does nothing for a job that has none", async () => {
    const job = freshJobId();
    const names = jobNames(job);
    const jsm = await jetstreamManager(nc);
    const buckets = [names.stateBucket, names.leaseBucket, names.checkpointBucket];
    for (const bucket of buckets) await jsm.streams.add({ name: `KV_${bucket}`, subjects: [`$KV.${bucket}.>`] });
    await jsm.streams.add({ name: names.linkStream, subjects: [`${names.links('r1')}.>`] });
    expect(await streamsOf(jsm, job)).toEqual([...buckets.map((bucket) => `KV_${bucket}`), names.linkStream].sort());
    await removeJob(nc, job);
    expect(await streamsOf(jsm, job)).toEqual([]);
    await removeJob(nc, job);
    expect(await streamsOf(jsm, job)).toEqual([]);
  });
});
