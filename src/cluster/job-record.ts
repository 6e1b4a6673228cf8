/**
 * What a job run across processes keeps in its state bucket, for its workers and for
 * `sluice status`: the plan outline every worker must build, the job's status, the current run
 * (who leads it, its members and where each partition runs) and its progress.
 */
import type { KV } from '@nats-io/kv';

/** Where the job is. */
export type JobState = 'running' | 'complete' | 'failed';

export interface JobStatusRecord {
  readonly state: JobState;
  /** Why it failed. */
  readonly reason?: string | undefined;
  readonly updatedAt: string;
}

export interface RunRecord {
  readonly run: string;
  readonly leader: string;
  /** The workers taking part in the run (in a run of a job that is not deterministic, thread k is `members[k - 1]`). */
  readonly members: readonly string[];
  /** The worker that runs each partition, by `stage[partition]`. */
  readonly placement: Readonly<Record<string, string>>;
  readonly startedAt: string;
}

export interface ProgressRecord {
  /** The last checkpoint completed, and where the source is read on from after it. */
  readonly checkpoint: number | undefined;
  readonly committedOffset: unknown;
  readonly recordsRead: number;
  readonly recordsWritten: number;
  readonly recordsPerSecond: number;
  readonly restarts: number;
  /** Records each stage took in and sent on. */
  readonly operators: readonly { readonly name: string; readonly recordsIn: number; readonly recordsOut: number }[];
  /** Messages waiting in each partition's mailbox (its lag), by actor path. */
  readonly mailboxes: Readonly<Record<string, number>>;
  readonly updatedAt: string;
}

export const OUTLINE_KEY = 'outline';
export const STATUS_KEY = 'status';
export const RUN_KEY = 'run';
export const PROGRESS_KEY = 'progress';

/** The JSON value at `key`, or undefined when there is none. */
export async function readRecord<T>(kv: KV, key: string): Promise<T | undefined> {
  const entry = await kv.get(key);
  if (entry === null || entry.operation !== 'PUT') return undefined;
  return entry.json<T>();
}

export async function writeRecord(kv: KV, key: string, value: unknown): Promise<void> {
  await kv.put(key, JSON.stringify(value));
}
