/**
 * What `sluice status` shows of a job run across processes, read from the job's buckets alone (it
 * joins nothing and changes nothing): whether it runs, is complete or failed, its live workers and
 * which leads, where each partition runs and how many messages wait in its mailbox, the last
 * checkpoint and the source offset it committed, and the records read and written so far. Nothing
 * in it is a credential.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { natsClient } from '../nats/nats-peer.js';
import { jobNames } from './job-names.js';
import { PROGRESS_KEY, readRecord, RUN_KEY, STATUS_KEY, type JobState, type JobStatusRecord, type ProgressRecord, type RunRecord } from './job-record.js';
import { NatsCheckpointStorage } from './nats-checkpoint-storage.js';

/**
 * Reads through JetStream's direct get, as the workers' buckets allow. An opened bucket otherwise
 * reads through the message-get API, which a 2.9.10 server was seen to crash in (a nil pointer in
 * its handler) when asked for a key of the lease bucket, whose values expire.
 */
const DIRECT = { allow_direct: true } as const;

/** A job's status, as `sluice status` shows it. */
export interface ClusterJobStatus {
  readonly job: string;
  /** `unknown`: no worker has joined a job with this id on this server. */
  readonly state: JobState | 'unknown';
  readonly reason: string | undefined;
  /** The worker holding the leader lease now. */
  readonly leader: string | undefined;
  /** The workers whose leases are live now. */
  readonly workers: readonly string[];
  /** The current (or last) run, and where each of its partitions runs. */
  readonly run: RunRecord | undefined;
  /** The last complete checkpoint: its id and the source offset it committed. */
  readonly checkpoint: { readonly id: number; readonly offset: unknown; readonly createdAt: string } | undefined;
  readonly progress: ProgressRecord | undefined;
}

/**
 * Reads job `jobId`'s status.
 * @throws InvalidOptionError naming `option` when `jobId` is not a valid job id.
 */
export async function readJobStatus(nc: NatsConnection, jobId: string, option = 'jobId'): Promise<ClusterJobStatus> {
  const names = jobNames(jobId, option);
  const { kv, jetstream } = await natsClient();
  const streams = new Set<string>();
  const jsm = await jetstream.jetstreamManager(nc);
  for await (const name of jsm.streams.names()) streams.add(name);
  const unknown: ClusterJobStatus = {
    job: jobId,
    state: 'unknown',
    reason: undefined,
    leader: undefined,
    workers: [],
    run: undefined,
    checkpoint: undefined,
    progress: undefined,
  };
  if (!streams.has(`KV_${names.stateBucket}`)) return unknown;
  const kvm = new kv.Kvm(nc);
  const state = await kvm.open(names.stateBucket, DIRECT);
  const status = await readRecord<JobStatusRecord>(state, STATUS_KEY);
  const workers: string[] = [];
  let leader: string | undefined;
  if (streams.has(`KV_${names.leaseBucket}`)) {
    const leases = await kvm.open(names.leaseBucket, DIRECT);
    for await (const key of await leases.keys('worker.*')) if (!workers.includes(key.slice(7))) workers.push(key.slice(7));
    const entry = await leases.get('leader');
    leader = entry !== null && entry.operation === 'PUT' ? entry.string() : undefined;
  }
  let checkpoint: ClusterJobStatus['checkpoint'];
  if (streams.has(`KV_${names.checkpointBucket}`)) {
    const bucket = await kvm.open(names.checkpointBucket, DIRECT);
    const manifest = await new NatsCheckpointStorage(bucket, jsm, names.checkpointBucket, async () => undefined).latestManifest();
    if (manifest !== undefined) checkpoint = { id: manifest.id, offset: manifest.source.offset, createdAt: manifest.createdAt };
  }
  return {
    job: jobId,
    state: status?.state ?? 'running',
    reason: status?.reason,
    leader,
    workers: workers.sort(),
    run: await readRecord<RunRecord>(state, RUN_KEY),
    checkpoint,
    progress: await readRecord<ProgressRecord>(state, PROGRESS_KEY),
  };
}

/** `status` as lines of text for a terminal. */
export function formatJobStatus(status: ClusterJobStatus): string {
  if (status.state === 'unknown') return `job ${status.job}: unknown (no worker has joined a job with this id on this server)\n`;
  const lines = [`job ${status.job}: ${status.state}${status.reason === undefined ? '' : ` (${status.reason})`}`];
  lines.push(`leader: ${status.leader ?? 'none'}`);
  lines.push(`workers: ${status.workers.length === 0 ? 'none live' : status.workers.join(', ')}`);
  const progress = status.progress;
  if (status.checkpoint !== undefined) {
    lines.push(
      `last checkpoint: ${status.checkpoint.id} at ${status.checkpoint.createdAt}, source offset committed: ${JSON.stringify(status.checkpoint.offset)}`,
    );
  } else lines.push('last checkpoint: none yet');
  if (progress !== undefined) {
    lines.push(
      `records: ${progress.recordsRead} read, ${progress.recordsWritten} written, ${Math.round(progress.recordsPerSecond)}/s in the current run; ${progress.restarts} restarts (as of ${progress.updatedAt})`,
    );
  }
  const run = status.run;
  if (run !== undefined) {
    lines.push(`run ${run.run}, started ${run.startedAt} by ${run.leader} on ${run.members.length} worker${run.members.length === 1 ? '' : 's'}`);
    lines.push('partitions (owner, messages waiting):');
    for (const [partition, owner] of Object.entries(run.placement)) {
      const waiting = progress?.mailboxes[partition];
      lines.push(`  ${partition}  ${owner}${waiting === undefined ? '' : `  ${waiting}`}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
