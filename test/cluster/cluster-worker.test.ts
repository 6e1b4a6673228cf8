import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import wordcount, { parseWordcountArgs } from '../../examples/wordcount.job.js';
import { runClusterWorker } from '../../src/cluster/cluster-worker.js';
import { readJobStatus } from '../../src/cluster/job-status.js';
import { connectNats } from '../../src/nats/connect-nats.js';
import { InvalidOptionError, JobMismatchError, NatsUnreachableError } from '../../src/index.js';
import { checkNats } from '../helpers/services.js';
import { wordcountModel } from '../helpers/wordcount-model.js';
import { freshJobId, removeJob, writeWordInput } from './cluster-fixtures.js';

const nats = await checkNats();

describe.skipIf(nats.url === undefined)('worker processes of one job, in one process', () => {
  let nc: NatsConnection;
  let dir: string;
  let input: string;
  let expected: string;
  const jobs: string[] = [];
  const servers = nats.url as string;
  const worker = (jobId: string, argv: readonly string[], more: { signal?: AbortSignal; workerId?: string } = {}): ReturnType<typeof runClusterWorker> =>
    runClusterWorker({ job: wordcount, args: parseWordcountArgs(argv), nats: { servers }, jobId, leaseMs: 1_500, checkpointInterval: 200, ...more });

  beforeAll(async () => {
    nc = await connectNats({ servers });
    dir = await mkdtemp(join(tmpdir(), 'sluice-cluster-'));
    input = join(dir, 'input.txt');
    await writeWordInput(input, 20_000, 7);
    expected = wordcountModel(await readFile(input, 'utf8'));
  });
  afterAll(async () => {
    for (const job of jobs) await removeJob(nc, job);
    await nc.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the job to its end on three workers, each resolving complete, and a late one finds it complete', async () => {
    const job = freshJobId('three');
    jobs.push(job);
    const output = join(dir, `${job}.txt`);
    const argv = ['--input', input, '--output', output, '--partitions', '5'];
    const outcomes = await Promise.all([worker(job, argv), worker(job, argv), worker(job, argv)]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['complete', 'complete', 'complete']);
    expect(new Set(outcomes.map((o) => o.worker)).size).toBe(3);
    expect(await readFile(output, 'utf8')).toBe(expected);
    expect((await worker(job, argv)).outcome).toBe('already-complete');
    const status = await readJobStatus(nc, job);
    expect(status.state).toBe('complete');
    expect(status.checkpoint?.offset).toMatchObject({ line: 20_001 });
    expect(Object.keys(status.run?.placement ?? {})).toHaveLength(5);
  });

  it('lets a worker leave mid-job: it resolves left, the others finish with the same output', async () => {
    const job = freshJobId('leave');
    jobs.push(job);
    const bigger = join(dir, 'bigger.txt');
    await writeWordInput(bigger, 150_000, 11);
    const output = join(dir, `${job}.txt`);
    const argv = ['--input', bigger, '--output', output];
    const signals = { a: new AbortController(), b: new AbortController() };
    const workers = { a: worker(job, argv, { workerId: 'a', signal: signals.a.signal }), b: worker(job, argv, { workerId: 'b', signal: signals.b.signal }) };
    // The leader leaves, once the job has a checkpoint: it stops its run at a checkpoint and the other leads on.
    let leader: string | undefined;
    while (leader === undefined) {
      const status = await readJobStatus(nc, job);
      if (status.checkpoint !== undefined && status.run?.members.length === 2) leader = status.leader;
      else await new Promise((resolve) => setImmediate(resolve));
    }
    const [leaving, staying] = leader === 'a' ? (['a', 'b'] as const) : (['b', 'a'] as const);
    signals[leaving].abort();
    expect((await workers[leaving]).outcome).toBe('left');
    expect((await workers[staying]).outcome).toBe('complete');
    expect(await readFile(output, 'utf8')).toBe(wordcountModel(await readFile(bigger, 'utf8')));
  });

  it('refuses a worker whose job builds another plan, naming the difference', async () => {
    const job = freshJobId('mismatch');
    jobs.push(job);
    const output = join(dir, `${job}.txt`);
    const leaving = new AbortController();
    const first = worker(job, ['--input', input, '--output', output, '--partitions', '4'], { signal: leaving.signal });
    while ((await readJobStatus(nc, job)).state === 'unknown') await new Promise((resolve) => setImmediate(resolve));
    const refused = await worker(job, ['--input', input, '--output', output, '--partitions', '3']).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(JobMismatchError);
    expect((refused as Error).message).toMatch(/partition/);
    leaving.abort();
    expect(['left', 'complete']).toContain((await first).outcome);
  });

  it('checks its options before it connects, and names the servers when none answers', async () => {
    await expect(worker('a.b', ['--input', input])).rejects.toThrow(InvalidOptionError);
    await expect(worker('a.b', ['--input', input])).rejects.toThrow(/`jobId`/);
    await expect(worker('ok', ['--input', input], { workerId: 'x y' })).rejects.toThrow(/`workerId`/);
    const unreachable = await runClusterWorker({
      job: wordcount,
      args: parseWordcountArgs(['--input', input]),
      nats: { servers: 'nats://user:secret@127.0.0.1:1', maxReconnectAttempts: 0 },
      jobId: 'unreachable',
    }).catch((error: unknown) => error);
    expect(unreachable).toBeInstanceOf(NatsUnreachableError);
    expect((unreachable as Error).message).toContain('127.0.0.1:1');
    expect((unreachable as Error).message).not.toContain('secret');
  });
});
