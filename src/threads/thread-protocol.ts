/**
 * What the main thread and the worker threads of one job say to each other, beside the links the
 * records travel on: the setup a worker starts with (its `workerData`), and the control messages on
 * its `parentPort`: readiness, failures, dead letters and late records, events, counters, queries,
 * and the stop at the end.
 */
import type { LinkPort } from './link-port.js';
import type { ActorMetrics } from '../actors/actor-metrics.js';
import type { DispatcherOptions } from '../actors/actor-system.js';
import type { ChaosOptions } from '../streams/run/chaos.js';
import type { PipelineDeadLetter } from '../streams/run/messages.js';
import type { StateKey } from '../streams/run/state-key.js';
import type { SnapshotEntry } from '../state/snapshot-store.js';
import type { EventTimeProgress } from '../streams/run/input-progress.js';
import {
  ActorFailedError,
  InvalidKeyError,
  InvalidOptionError,
  JobMismatchError,
  PipelineFailedError,
  RestartIntensityExceededError,
  UncrossableRecordError,
  WorkerThreadError,
  WorkerProcessError,
  MissingPeerDependencyError,
  NatsUnreachableError,
} from '../errors.js';
import { uncrossable } from './uncrossable.js';

/** Who a link delivers to: a partition (`stage`, `partition`), or the sink. */
export type LinkEnd = { readonly stage: number; readonly partition: number } | { readonly stage: 'sink' };

/** The run settings a worker thread needs: data only (functions stay on the main thread). */
export interface ThreadSettings {
  readonly name: string;
  readonly batchSize: number;
  readonly mailboxBatches: number;
  readonly retries: number;
  readonly maxRestarts: number;
  readonly chaos: ChaosOptions | undefined;
  readonly dispatcher: DispatcherOptions | undefined;
}

/** A worker thread's `workerData`. */
export interface ThreadSetup {
  /** Marks the data as Sluice's. */
  readonly sluiceJobThread: true;
  /** The job module, and which of its `defineJob` calls (in order) is the job. */
  readonly url: string;
  readonly job: number;
  readonly args: unknown;
  /** This thread's number, 1 to `workers` (0 is the main thread). */
  readonly thread: number;
  readonly workers: number;
  /** The main thread's plan outline, for this thread to compare its own with. */
  readonly outline: readonly string[];
  readonly settings: ThreadSettings;
  /** Whether the steps before the first repartition run on the worker threads. */
  readonly headOnThreads: boolean;
  /** `owners[s][p]`: the thread that runs partition p of stage s. */
  readonly owners: readonly (readonly number[])[];
  /** Links this thread sends on, to partitions of other threads or the sink. */
  readonly outgoing: readonly { readonly to: LinkEnd; readonly port: LinkPort }[];
  /** Links this thread receives on, for its partitions, from thread `from`. */
  readonly incoming: readonly { readonly to: LinkEnd; readonly from: number; readonly port: LinkPort }[];
  /** With the head on the threads: the link the main thread hands raw records over on. */
  readonly units: LinkPort | undefined;
  /** Whether to register tsx's loader before importing the job module (a TypeScript module). */
  readonly loader: string | undefined;
  /** Where this thread's partitions start, when the run resumes a checkpoint: `[stage][partition]`, others left out. */
  readonly restored: {
    readonly entries: readonly (readonly (readonly SnapshotEntry[] | undefined)[])[] | undefined;
    readonly progress: readonly (readonly (EventTimeProgress | undefined)[])[] | undefined;
    /** The checkpoint resumed from, whose epoch the partitions number their sends from. */
    readonly epoch: number | undefined;
  };
  /** Whether checkpoints are on: partitions then send their snapshots to the main thread at each barrier. */
  readonly checkpoints: boolean;
}

/** An error as it crosses a thread: its name, message, stack and own fields (a Sluice error's `code` among them). */
export interface CrossedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Counters of a worker thread's part of the run. */
export interface ThreadCounters {
  /** The head steps' records in and out, when they run on the threads. */
  readonly head: { readonly recordsIn: number; readonly recordsOut: number };
  /** Per stage: records in and out of this thread's partitions, and their watermarks and records in by partition. */
  readonly stages: readonly {
    readonly recordsIn: number;
    readonly recordsOut: number;
    readonly watermarks: Readonly<Record<number, number>>;
    readonly partitionRecordsIn: Readonly<Record<number, number>>;
  }[];
  readonly restarts: number;
  readonly actors: readonly ActorMetrics[];
}

/** Worker thread to main thread. */
export type FromThread =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: CrossedError }
  | { readonly type: 'dead-letters'; readonly letters: readonly PipelineDeadLetter[] }
  | { readonly type: 'late'; readonly stage: number; readonly records: readonly { readonly record: unknown; readonly timestamp: number | undefined }[] }
  | { readonly type: 'event'; readonly event: unknown }
  | { readonly type: 'counters'; readonly counters: ThreadCounters }
  | {
      readonly type: 'snapshot';
      readonly id: number;
      readonly stage: number;
      readonly partition: number;
      readonly entries: readonly SnapshotEntry[];
      readonly progress: EventTimeProgress | undefined;
    }
  | { readonly type: 'answer'; readonly id: number; readonly value: unknown; readonly error?: CrossedError | undefined }
  | { readonly type: 'stopped'; readonly counters: ThreadCounters };

/** Main thread to worker thread. */
export type ToThread =
  | {
      readonly type: 'query';
      readonly id: number;
      readonly stage: number;
      readonly partition: number;
      readonly key: StateKey;
      readonly timeoutMs: number | undefined;
    }
  | { readonly type: 'stop' };

/** The Sluice errors a thread may report, by code: rebuilt on the main thread as what they were. */
const SLUICE_ERRORS: Readonly<Record<string, { readonly prototype: Error }>> = {
  INVALID_OPTION: InvalidOptionError,
  INVALID_KEY: InvalidKeyError,
  PIPELINE_FAILED: PipelineFailedError,
  ACTOR_FAILED: ActorFailedError,
  RESTART_INTENSITY: RestartIntensityExceededError,
  UNCROSSABLE_RECORD: UncrossableRecordError,
  WORKER_THREAD_FAILED: WorkerThreadError,
  WORKER_PROCESS_LOST: WorkerProcessError,
  MISSING_PEER_DEPENDENCY: MissingPeerDependencyError,
  NATS_UNREACHABLE: NatsUnreachableError,
  JOB_MISMATCH: JobMismatchError,
};

/** `error` as it can cross a thread: its own fields that the structured clone can copy. */
export function crossError(error: unknown): CrossedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), stack: undefined, fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (uncrossable(value) === undefined) fields[key] = value;
  }
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

/**
 * The error `crossed` was, rebuilt on this side: an instance of its Sluice error class when it was
 * one (so `instanceof` and `code` work as on one thread), else an Error with its name; with its
 * message, stack and fields either way.
 */
export function rebuildError(crossed: CrossedError): Error {
  const code = crossed.fields['code'];
  const known = typeof code === 'string' ? SLUICE_ERRORS[code] : undefined;
  const error = Object.create(known?.prototype ?? Error.prototype) as Error;
  Object.assign(error, crossed.fields);
  Object.defineProperties(error, {
    name: { value: crossed.name, writable: true, configurable: true },
    message: { value: crossed.message, writable: true, configurable: true },
    stack: { value: crossed.stack, writable: true, configurable: true },
  });
  return error;
}
