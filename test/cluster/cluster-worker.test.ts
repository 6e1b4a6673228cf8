import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import wordcount, { parseWordcountArgs } from '../../examples/wordcount.job.js';
import { runClusterWorker } from '../../src/cluster/cluster-worker.js';
import { readJobStatus, type ClusterJobStatus } from '../../src/cluster/job-status.js';
import { connectNats } from '../../src/nats/connect-nats.js';
import { InvalidOptionError, JobMismatchError, NatsUnreachableError, type PipelineHandle } from '../../src/index.js';
import { checkNats } from '../helpers/services.js';
import { wordcountModel } from '../helpers/wordcount-model.js';
import { freshJobId, removeJob, statusWhen, writeWordInput } from './cluster-fixtures.js';
import { release1, release1dot1, release2 } from './versioned-wordcount.js';
import rollbackWordcount from './rollback-wordcount.js';

const nats = await checkNats();
/**
 * Every worker of these cases runs in this one process, beside the other test files: the event
 * loop that renews the leases also runs three jobs' partitions, so the leases are long enough that
 * none runs out while all are alive (nothing here waits for one to run out).
 */
const LEASE_MS = 5_000;

describe.skipIf(nats.url === undefined)('worker processes of one job, in one process', () => {
  let nc: NatsConnection;
  let dir: string;
  let input: string;
  let expected: string;
  const jobs: string[] = [];
  const servers = nats.url as string;
  const worker = (
    jobId: string,
    argv: readonly string[],
    more: { signal?: AbortSignal; workerId?: string; replan?: boolean; onRun?: (handle: PipelineHandle) => void; job?: typeof wordcount } = {},
  ): ReturnType<typeof runClusterWorker> =>
    runClusterWorker({ job: wordcount, args: parseWordcountArgs(argv), nats: { servers }, jobId, leaseMs: LEASE_MS, checkpointInterval: 200, ...more });
  /**
   * An input long enough (several seconds here) that workers leave and join while it runs, and its
   * model output: a join is seen at the leader's next look at the leases (a third of LEASE_MS), so
   * the job must run well past that even on a fast machine (300,000 lines ended in about a second).
   */
  let long: { readonly path: string; readonly expected: string } | undefined;
  const longInput = async (): Promise<{ readonly path: string; readonly expected: string }> => {
    if (long !== undefined) return long;
    const path = join(dir, 'long.txt');
    await writeWordInput(path, 1_000_000, 5);
    return (long = { path, expected: wordcountModel(await readFile(path, 'utf8')) });
  };

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

  it("names the worker that owns each partition in the leader's metrics, for its dashboard", async () => {
    const job = freshJobId('owners');
    jobs.push(job);
    const argv = ['--input', input, '--output', join(dir, `${job}.txt`), '--partitions', '4'];
    const owners: Record<string, string>[] = [];
    const onRun = (handle: PipelineHandle): void => {
      // Read at the run's start and once more as it ends: every partition has an owner throughout.
      owners.push({ ...(handle.metrics().owners ?? {}) });
      void handle.done.finally(() => owners.push({ ...(handle.metrics().owners ?? {}) })).catch(() => undefined);
    };
    const outcomes = await Promise.all([worker(job, argv, { workerId: 'ada', onRun }), worker(job, argv, { workerId: 'bob', onRun })]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['complete', 'complete']);
    expect(owners.length).toBeGreaterThan(0);
    for (const seen of owners) {
      expect(Object.keys(seen)).toHaveLength(4);
      for (const owner of Object.values(seen)) expect(['ada', 'bob']).toContain(owner);
    }
    const status = await readJobStatus(nc, job);
    expect(Object.values(status.run?.placement ?? {}).every((owner) => owner === 'ada' || owner === 'bob')).toBe(true);
  });

  /**
   * The budget of a case that runs the long input through a leave or a join: 10–18 s on a quiet
   * machine, 28–74 s with three other processes busy on its two cores (the leader-leaves case the
   * longest), and the whole suite runs beside it in CI. The work is fixed (the rest of a million
   * lines on one worker), so the time only stretches with the machine's load.
   */
  const LONG_JOB_TIMEOUT_MS = 180_000;

  /** Workers `a` and `b` on the long input, each leaving when its signal aborts; once `ready` says the job is where a case wants it. */
  const pair = async (prefix: string, ready: (status: ClusterJobStatus) => boolean) => {
    const job = freshJobId(prefix);
    jobs.push(job);
    const { path, expected: model } = await longInput();
    const output = join(dir, `${job}.txt`);
    const argv = ['--input', path, '--output', output];
    const signals = { a: new AbortController(), b: new AbortController() };
    const workers = { a: worker(job, argv, { workerId: 'a', signal: signals.a.signal }), b: worker(job, argv, { workerId: 'b', signal: signals.b.signal }) };
    const mid = await statusWhen(nc, job, LEASE_MS, (status) => status.state === 'complete' || ready(status));
    expect(mid.state).toBe('running');
    return { job, output, model, signals, workers, mid };
  };

  it('lets the leader leave mid-job: it resolves left, the other leads on with the same output', { timeout: LONG_JOB_TIMEOUT_MS }, async () => {
    // The leader leaves once the job has a checkpoint: it stops its run at a checkpoint and the other leads on.
    const { output, model, signals, workers, mid } = await pair(
      'leave',
      (status) => status.checkpoint !== undefined && status.run?.members.length === 2 && status.leader !== undefined,
    );
    const [leaving, staying] = mid.leader === 'a' ? (['a', 'b'] as const) : (['b', 'a'] as const);
    signals[leaving].abort();
    expect((await workers[leaving]).outcome).toBe('left');
    expect((await workers[staying]).outcome).toBe('complete');
    expect(await readFile(output, 'utf8')).toBe(model);
  });

  it('restarts the slots of a worker that leaves on the others, in the same run, with the output of one thread', { timeout: LONG_JOB_TIMEOUT_MS }, async () => {
    const { job, output, model, signals, workers, mid } = await pair(
      'slots-leave',
      (status) => status.checkpoint !== undefined && new Set(Object.values(status.run?.placement ?? {})).size === 2,
    );
    const [leaving, staying] = mid.run?.leader === 'a' ? (['b', 'a'] as const) : (['a', 'b'] as const);
    signals[leaving].abort();
    expect((await workers[leaving]).outcome).toBe('left');
    expect((await workers[staying]).outcome).toBe('complete');
    expect(await readFile(output, 'utf8')).toBe(model);
    const end = await readJobStatus(nc, job);
    expect(end.run?.run).toBe(mid.run?.run);
    expect(Object.values(end.run?.placement ?? {}).every((owner) => owner === staying)).toBe(true);
  });

  it('gives a joining worker a share of the slots without a new run', { timeout: LONG_JOB_TIMEOUT_MS }, async () => {
    const job = freshJobId('slots-join');
    jobs.push(job);
    const { path, expected: model } = await longInput();
    const output = join(dir, `${job}.txt`);
    const argv = ['--input', path, '--output', output];
    const first = worker(job, argv, { workerId: 'a' });
    const before = await statusWhen(nc, job, LEASE_MS, (status) => status.state === 'complete' || status.checkpoint !== undefined);
    expect(before.state).toBe('running');
    const second = worker(job, argv, { workerId: 'b' });
    const joined = await statusWhen(nc, job, LEASE_MS, (status) => status.state === 'complete' || Object.values(status.run?.placement ?? {}).includes('b'));
    expect(joined.run?.run).toBe(before.run?.run);
    expect(new Set(Object.values(joined.run?.placement ?? {}))).toEqual(new Set(['a', 'b']));
    expect([(await first).outcome, (await second).outcome]).toEqual(['complete', 'complete']);
    expect(await readFile(output, 'utf8')).toBe(model);
    expect((await readJobStatus(nc, job)).run?.run).toBe(before.run?.run);
  });

  it(
    'goes back to its last checkpoint as a whole, in a new run, when a worker joins a job that is not deterministic',
    { timeout: LONG_JOB_TIMEOUT_MS },
    async () => {
      const job = freshJobId('rollback');
      jobs.push(job);
      const { path, expected: model } = await longInput();
      const output = join(dir, `${job}.txt`);
      const argv = ['--input', path, '--output', output];
      const first = worker(job, argv, { workerId: 'a', job: rollbackWordcount });
      const before = await statusWhen(nc, job, LEASE_MS, (status) => status.state === 'complete' || status.checkpoint !== undefined);
      expect(before.state).toBe('running');
      const second = worker(job, argv, { workerId: 'b', job: rollbackWordcount });
      const after = await statusWhen(nc, job, LEASE_MS, (status) => status.state === 'complete' || status.run?.members.includes('b') === true);
      expect(after.run?.run).not.toBe(before.run?.run);
      expect([(await first).outcome, (await second).outcome]).toEqual(['complete', 'complete']);
      expect(await readFile(output, 'utf8')).toBe(model);
    },
  );

  it('refuses a worker whose job builds another plan, naming the difference', async () => {
    const job = freshJobId('mismatch');
    jobs.push(job);
    const output = join(dir, `${job}.txt`);
    const leaving = new AbortController();
    const first = worker(job, ['--input', input, '--output', output, '--partitions', '4'], { signal: leaving.signal });
    await statusWhen(nc, job, LEASE_MS, (status) => status.state !== 'unknown');
    const refused = await worker(job, ['--input', input, '--output', output, '--partitions', '3']).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(JobMismatchError);
    expect((refused as Error).message).toMatch(/partition/);
    leaving.abort();
    expect(['left', 'complete']).toContain((await first).outcome);
  });

  it('rescales: stopped at a checkpoint on 4 partitions, the job goes on with 7 once its workers replan, and replan waits for every worker to stop', async () => {
    const job = freshJobId('replan');
    jobs.push(job);
    const bigger = join(dir, 'rescale.txt');
    await writeWordInput(bigger, 120_000, 13);
    const output = join(dir, `${job}.txt`);
    const leaving = new AbortController();
    const first = worker(job, ['--input', bigger, '--output', output, '--partitions', '4'], { signal: leaving.signal });
    await statusWhen(nc, job, LEASE_MS, (status) => status.checkpoint !== undefined);
    const seven = ['--input', bigger, '--output', output, '--partitions', '7'];
    const early = await worker(job, seven, { replan: true }).catch((error: unknown) => error);
    expect(early).toBeInstanceOf(JobMismatchError);
    expect((early as Error).message).toMatch(/still run/);
    leaving.abort();
    expect((await first).outcome).toBe('left');
    const stoppedAt = (await readJobStatus(nc, job)).checkpoint?.id;
    expect(stoppedAt).toBeGreaterThan(0);
    const outcomes = await Promise.all([worker(job, seven, { replan: true }), worker(job, seven, { replan: true })]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['complete', 'complete']);
    expect(Object.keys((await readJobStatus(nc, job)).run?.placement ?? {})).toHaveLength(7);
    expect(await readFile(output, 'utf8')).toBe(wordcountModel(await readFile(bigger, 'utf8')));
  });

  it('runs one job on workers of compatible releases together, and refuses an incompatible release naming both versions', async () => {
    const job = freshJobId('versions');
    jobs.push(job);
    const output = join(dir, `${job}.txt`);
    const args = parseWordcountArgs(['--input', input, '--output', output, '--partitions', '4']);
    const on = (release: typeof release1, more: { signal?: AbortSignal } = {}) =>
      runClusterWorker({ job: release, args, nats: { servers }, jobId: job, leaseMs: LEASE_MS, checkpointInterval: 200, ...more });
    const leaving = new AbortController();
    const first = on(release1, { signal: leaving.signal });
    await statusWhen(nc, job, LEASE_MS, (status) => status.state !== 'unknown');
    const refused = await on(release2).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(JobMismatchError);
    expect((refused as Error).message).toMatch(/here: job version 2; there: job version 1/);
    const compatible = await on(release1dot1);
    expect(['complete', 'already-complete']).toContain(compatible.outcome);
    leaving.abort();
    expect(['complete', 'left']).toContain((await first).outcome);
    expect(await readFile(output, 'utf8')).toBe(expected);
  });

  it('upgrades the job worker by worker: the new release waits, holding nothing, until the last old worker leaves, then goes on from the checkpoint with the state migrated', async () => {
    const job = freshJobId('rolling');
    jobs.push(job);
    const bigger = join(dir, 'rolling.txt');
    await writeWordInput(bigger, 400_000, 17);
    const output = join(dir, `${job}.txt`);
    const old = ['--input', bigger, '--output', output];
    const signals = { a: new AbortController(), b: new AbortController() };
    const olds = { a: worker(job, old, { workerId: 'old-a', signal: signals.a.signal }), b: worker(job, old, { workerId: 'old-b', signal: signals.b.signal }) };
    await statusWhen(nc, job, LEASE_MS, (status) => status.state === 'complete' || (status.checkpoint !== undefined && status.run?.members.length === 2));
    let waiting!: () => void;
    const waits = new Promise<void>((resolve) => (waiting = resolve));
    const lines: string[] = [];
    const upgraded = runClusterWorker({
      job: wordcount,
      args: parseWordcountArgs([...old, '--with-chars']),
      nats: { servers },
      jobId: job,
      workerId: 'new-a',
      leaseMs: LEASE_MS,
      checkpointInterval: 200,
      upgrade: true,
      log: (line) => {
        lines.push(line);
        if (/waits to upgrade/.test(line)) waiting();
      },
    });
    await waits;
    // The new release holds no lease: the old workers' run goes on without it.
    expect((await readJobStatus(nc, job)).run?.members).toEqual(['old-a', 'old-b']);
    signals.a.abort();
    expect((await olds.a).outcome).toBe('left');
    signals.b.abort();
    expect((await olds.b).outcome).toBe('left');
    expect((await upgraded).outcome).toBe('complete');
    expect(lines.some((line) => /upgraded job/.test(line))).toBe(true);
    expect(await readFile(output, 'utf8')).toBe(wordcountModel(await readFile(bigger, 'utf8'), { withChars: true }));
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
