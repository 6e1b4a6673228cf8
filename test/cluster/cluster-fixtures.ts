/**
 * What the cluster tests share: a word-count input made from a seed, fresh job ids, a wait for
 * the job's status to come to something, and the removal of a job's buckets once a test is done
 * with them.
 */
import { writeFile } from 'node:fs/promises';
import type { NatsConnection } from '@nats-io/nats-core';
import { readJobStatus, type ClusterJobStatus } from '../../src/cluster/job-status.js';
import { Kvm } from '@nats-io/kv';
import { nanoid } from 'nanoid';
import { jobBucket } from '../../src/cluster/job-bucket.js';
import { jobNames } from '../../src/cluster/job-names.js';
import { mulberry32 } from '../../src/internal/mulberry32.js';

export { removeJob } from '../../bench/cluster/nats-service.js';

/** `lines` lines of words drawn from a skewed vocabulary by a generator seeded with `seed`. */
export async function writeWordInput(path: string, lines: number, seed: number): Promise<void> {
  const random = mulberry32(seed);
  const vocabulary = Array.from({ length: 3_000 }, (_, i) => `w${i.toString(36)}${'éx'.slice(0, i % 3)}`);
  const out: string[] = [];
  for (let line = 0; line < lines; line++) {
    const words: string[] = [];
    for (let w = 0; w < 10; w++) words.push(vocabulary[Math.floor(vocabulary.length * random() ** 2)] as string);
    out.push(`${words.join(line % 7 === 0 ? ', ' : ' ')}${line % 5 === 0 ? '.' : ''}`);
  }
  await writeFile(path, `${out.join('\n')}\n`);
}

/** A job id no other test uses. */
export function freshJobId(prefix: string): string {
  return `${prefix}-${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`;
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
  const buckets = [await jobBucket(kvm, names.stateBucket, { history: 1 }), await jobBucket(kvm, names.leaseBucket, { ttl: leaseMs, history: 1 })];
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
