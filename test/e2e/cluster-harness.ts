/**
 * Worker processes of a word-count job for the cluster tests, started exactly as the contract
 * writes them (`sluice worker examples/wordcount.job.ts --nats URL --job ID -- --input FILE
 * --output FILE`), with their exits, output and signals at hand, and the job's status read from
 * NATS while they run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { jobNames } from '../../src/cluster/job-names.js';
import { readJobStatus, type ClusterJobStatus } from '../../src/cluster/job-status.js';
import { projectRoot } from '../docs/markdown.js';

export interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it) and everything the process wrote. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string }>;
}

export interface WorkerSpec {
  readonly url: string;
  readonly job: string;
  readonly id: string;
  readonly input: string;
  readonly output: string;
  /** Extra worker flags (before `--`). */
  readonly flags?: readonly string[];
  readonly partitions?: number;
}

/** Every process a test started that has not exited yet. */
const running = new Set<ChildProcess>();

/**
 * Tracks `child` until it exits, so that a test that fails or times out leaves nothing running
 * ({@link killLeftovers} in an `afterEach`).
 */
export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Kills whatever a test left running and waits for it to exit. */
export async function killLeftovers(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }),
  );
}

/** Starts one worker process. */
export function startWorker(spec: WorkerSpec): WorkerProcess {
  const args = [
    'bin/sluice.js',
    'worker',
    'examples/wordcount.job.ts',
    '--nats',
    spec.url,
    '--job',
    spec.job,
    '--worker-id',
    spec.id,
    ...(spec.flags ?? []),
    '--',
    '--input',
    spec.input,
    '--output',
    spec.output,
    ...(spec.partitions === undefined ? [] : ['--partitions', String(spec.partitions)]),
  ];
  const child = track(spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr }));
  return { id: spec.id, child, exited };
}

/**
 * Resolves with the job's status once `ready` says it is what the test waits for: looked at again
 * each time something in the job's buckets changes (the leader writes its progress a few times a
 * lease), so nothing here waits on a clock.
 */
export async function statusWhen(nc: NatsConnection, job: string, leaseMs: number, ready: (status: ClusterJobStatus) => boolean): Promise<ClusterJobStatus> {
  const names = jobNames(job);
  const kvm = new Kvm(nc);
  // The workers create the buckets with these settings too, so whoever comes first makes them.
  const buckets = [await kvm.create(names.stateBucket, { history: 1 }), await kvm.create(names.leaseBucket, { ttl: leaseMs, history: 1 })];
  const watches = await Promise.all(buckets.map((bucket) => bucket.watch()));
  try {
    let status = await readJobStatus(nc, job);
    if (ready(status)) return status;
    const changes = merged(watches);
    for await (const _change of changes) {
      status = await readJobStatus(nc, job);
      if (ready(status)) return status;
    }
    throw new Error(`the watch on job ${job} ended`);
  } finally {
    for (const watch of watches) watch.stop();
  }
}

/** One iterable of the items of several, in the order they come. */
async function* merged<T>(iterables: readonly AsyncIterable<T>[]): AsyncGenerator<T> {
  const iterators = iterables.map((iterable) => iterable[Symbol.asyncIterator]());
  const next = (i: number): Promise<{ i: number; result: IteratorResult<T> }> => (iterators[i] as AsyncIterator<T>).next().then((result) => ({ i, result }));
  const pending = new Map(iterators.map((_, i) => [i, next(i)]));
  while (pending.size > 0) {
    const { i, result } = await Promise.race(pending.values());
    if (result.done === true) {
      pending.delete(i);
      continue;
    }
    pending.set(i, next(i));
    yield result.value;
  }
}
