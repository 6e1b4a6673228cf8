/**
 * The NATS server the cluster case runs its worker processes against (`SLUICE_NATS_URL`, by
 * default nats://127.0.0.1:4222, as the tests use), whether the case can run against it, fresh job
 * ids and the removal of a job's buckets once a pass is done with them. The server may be shared:
 * the case touches nothing but the buckets of the jobs it started.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { nanoid } from 'nanoid';
import { jobNames } from '../../src/cluster/job-names.js';
import { connectNats } from '../../src/nats/connect-nats.js';
import { redactUrl } from '../../src/internal/redact-url.js';

/** The environment variable naming the NATS server. */
export const NATS_URL_ENV = 'SLUICE_NATS_URL';

/** How long the server has to answer before the case is skipped. */
const ANSWER_TIMEOUT_MS = 2_000;

/** The NATS server's URL: `SLUICE_NATS_URL`, else nats://127.0.0.1:4222. */
export function natsUrl(): string {
  const url = process.env[NATS_URL_ENV];
  return url === undefined || url === '' ? 'nats://127.0.0.1:4222' : url;
}

/**
 * Connects to {@link natsUrl} as a worker does (Sluice's own `connectNats`, which loads the NATS
 * packages the workers need), but without the endless reconnection a worker waits out NATS with.
 * @throws (rejects) NatsUnreachableError when it does not answer; MissingPeerDependencyError when
 *   the NATS client packages are not installed.
 */
export function connectBenchNats(): Promise<NatsConnection> {
  return connectNats({ servers: natsUrl(), name: 'sluice-bench', timeout: ANSWER_TIMEOUT_MS, reconnect: false });
}

/**
 * Why the cluster case cannot run here, when NATS does not answer or the NATS client packages the
 * workers need are missing; `undefined` when it can.
 * @example
 * ```ts
 * await natsUnavailable(); // 'NATS does not answer at nats://127.0.0.1:4222 (set SLUICE_NATS_URL to another address; …): …'
 * ```
 */
export async function natsUnavailable(): Promise<string | undefined> {
  let nc: NatsConnection;
  try {
    nc = await connectBenchNats();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    if ((error as { code?: unknown }).code === 'MISSING_PEER_DEPENDENCY') return `the worker processes cannot run here: ${why}`;
    return `NATS does not answer at ${redactUrl(natsUrl())} (set ${NATS_URL_ENV} to another address; the worker processes need NATS with JetStream): ${why}`;
  }
  await nc.close();
  return undefined;
}

/** A job id no other pass uses: `bench-cluster-` and a random suffix. */
export function freshJobId(): string {
  return `bench-cluster-${nanoid(10).replace(/[^A-Za-z0-9]/g, '0')}`;
}

/**
 * Deletes job `job`'s buckets and its durable links' stream, whichever exist, by their streams (a
 * KV bucket B is the stream `KV_B`). A job that completes deletes its links' stream itself; one
 * left unfinished (a case that stops its workers early) keeps it for a later worker to resume from.
 */
export async function removeJob(nc: NatsConnection, job: string): Promise<void> {
  const { stateBucket, leaseBucket, checkpointBucket, linkStream } = jobNames(job);
  const jsm = await jetstreamManager(nc);
  const streams = [`KV_${stateBucket}`, `KV_${leaseBucket}`, `KV_${checkpointBucket}`, linkStream];
  // A stream that is not there is refused with "stream not found": nothing to delete.
  for (const stream of streams) await jsm.streams.delete(stream).catch(() => false);
}
