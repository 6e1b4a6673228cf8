/**
 * The sampler over handles whose metrics the test sets: rates from the difference between two
 * samples over the time between them, mailbox fill, owners from the placement, watermark lags,
 * the checkpoint timeline from events (and from the metrics for one it missed), dead letters as
 * cut text, unique names, a history of 120, the function form's jobs coming and going, and a job
 * that ended keeping its topology.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { checkDashboardOptions, handleSource } from '../../src/dashboard/dashboard-options.js';
import { cut, deadLetterView } from '../../src/dashboard/dead-letter-view.js';
import { DashboardSampler, HISTORY_SIZE } from '../../src/dashboard/sampler.js';
import type { PipelineHandle } from '../../src/streams/pipeline-handle.js';
import { actor, fakeHandle, metrics } from './fake-handle.js';

const samplers: DashboardSampler[] = [];
afterEach(() => {
  for (const sampler of samplers.splice(0)) sampler.close();
});

/** A sampler whose clock the test moves; its timer never fires within a test (an hour). */
function sampler(handles: () => Iterable<PipelineHandle>, clock: { now: number }): DashboardSampler {
  const made = new DashboardSampler({ handles, intervalMs: 3_600_000, title: 'T', now: () => clock.now });
  samplers.push(made);
  return made;
}

describe('the sampler', () => {
  it('measures rates over the last interval, fill, restarts, owners and watermark lags', () => {
    const clock = { now: 1_000_000 };
    const handle = fakeHandle(metrics('orders', 2));
    const board = sampler(() => [handle], clock);
    const first = board.latest.jobs[0];
    expect(first?.recordsPerSecond).toBe(0);
    expect(first?.stages.map((stage) => [stage.name, stage.kind, stage.partitions.length])).toEqual([
      ['source:numbers', 'source', 0],
      ['count', 'stage', 2],
      ['sink:out', 'sink', 1],
    ]);

    clock.now += 500;
    handle.current = metrics('orders', 2, {
      operators: [
        { name: 'source:numbers', recordsIn: 1000, recordsOut: 1000 },
        { name: 'count', recordsIn: 600, recordsOut: 600 },
        { name: 'sink:out', recordsIn: 100, recordsOut: 100 },
      ],
      stages: [
        {
          name: 'count',
          partitions: 2,
          partitionRecordsIn: [450, 150],
          latency: { count: 0, sumMs: 0, p50: 0, p90: 0, p99: 0, max: 0 },
          watermark: clock.now - 2500,
        },
      ],
      actors: [
        actor('/user/orders/sink', { depth: 4, capacity: 4, processed: 3 }),
        actor('/user/orders/count-0-partition-0', { depth: 1, capacity: 4, processed: 10, restarts: 2 }),
        actor('/user/orders/count-0-partition-1', { depth: 0, capacity: 8, processed: 5 }),
      ],
      restarts: 2,
      throughput: { elapsedMs: 500, recordsRead: 1000, recordsWritten: 100, recordsPerSecond: 2000 },
      watermark: { value: clock.now - 2500, lagMs: 2500 },
      placement: { '/user/orders/count-0-partition-1': 2 },
      owners: { '/user/orders/count-0-partition-1': 'thread 2' },
    });
    const job = board.sample().jobs[0];
    expect(job).toMatchObject({
      name: 'orders',
      status: 'running',
      recordsRead: 1000,
      recordsWritten: 100,
      recordsPerSecond: 2000,
      restarts: 2,
      watermarkLagMs: 2500,
    });
    const [source, count, sink] = job?.stages ?? [];
    expect(source).toMatchObject({ recordsPerSecond: 2000, watermarkLagMs: undefined, partitions: [] });
    expect(count).toMatchObject({ recordsIn: 600, recordsPerSecond: 1200, watermarkLagMs: 2500 });
    expect(count?.partitions).toEqual([
      {
        index: 0,
        actor: '/user/orders/count-0-partition-0',
        recordsPerSecond: 900,
        batchesPerSecond: 20,
        mailboxDepth: 1,
        mailboxCapacity: 4,
        mailboxFill: 0.25,
        restarts: 2,
        owner: 'main',
      },
      {
        index: 1,
        actor: '/user/orders/count-0-partition-1',
        recordsPerSecond: 300,
        batchesPerSecond: 10,
        mailboxDepth: 0,
        mailboxCapacity: 8,
        mailboxFill: 0,
        restarts: 0,
        owner: 'thread 2',
      },
    ]);
    expect(sink?.partitions).toEqual([
      {
        index: 0,
        actor: '/user/orders/sink',
        recordsPerSecond: 200,
        batchesPerSecond: 6,
        mailboxDepth: 4,
        mailboxCapacity: 4,
        mailboxFill: 1,
        restarts: 0,
        owner: 'main',
      },
    ]);
  });

  it('keeps a finished job on the page as it last ran: its partitions idle, its counters final', () => {
    const clock = { now: 0 };
    const handle = fakeHandle(metrics('done', 2));
    handle.current = metrics('done', 2, {
      actors: [actor('/user/done/sink', { depth: 2 }), actor('/user/done/count-0-partition-1', { restarts: 3, depth: 1 })],
    });
    const board = sampler(() => [handle], clock);
    clock.now += 1000;
    handle.current = metrics('done', 2, {
      status: 'finished',
      actors: [],
      throughput: { elapsedMs: 1, recordsRead: 50, recordsWritten: 50, recordsPerSecond: 0 },
    });
    const job = board.sample().jobs[0];
    expect(job).toMatchObject({ status: 'finished', recordsRead: 50, recordsWritten: 50 });
    expect(job?.stages[1]?.partitions.map((p) => [p.actor, p.mailboxDepth, p.restarts, p.batchesPerSecond])).toEqual([
      ['/user/done/count-0-partition-0', 0, 0, 0],
      ['/user/done/count-0-partition-1', 0, 3, 0],
    ]);
    expect(job?.stages[2]?.partitions[0]?.mailboxDepth).toBe(0);
    clock.now += 1000;
    expect(board.sample().jobs[0]).toMatchObject({ status: 'finished', recordsPerSecond: 0 });
  });

  it('builds the checkpoint timeline from the events, and from the metrics for one it did not see', () => {
    const clock = { now: 0 };
    const handle = fakeHandle(metrics('cp', 1, { checkpoints: { completed: 1, lastId: 4, lastDurationMs: 12, lastBytes: 300 } }));
    const board = sampler(() => [handle], clock);
    expect(board.latest.jobs[0]?.checkpoints).toMatchObject([{ id: 4, durationMs: 12, bytes: 300, failure: undefined }]);
    handle.topic.publish({ type: 'checkpoint-completed', pipeline: 'cp', id: 5, offset: 10, durationMs: 30, bytes: 900, at: 5 });
    handle.current = metrics('cp', 1, { checkpoints: { completed: 2, lastId: 5, lastDurationMs: 30, lastBytes: 900 } });
    const timeline = board.sample().jobs[0]?.checkpoints ?? [];
    expect(timeline.map(({ id, durationMs, bytes }) => [id, durationMs, bytes])).toEqual([
      [4, 12, 300],
      [5, 30, 900],
    ]);
    // Wall-clock time, not the run's clock.
    expect(timeline[1]?.at).toBeGreaterThan(1_600_000_000_000);
    for (let id = 6; id < 70; id++) handle.topic.publish({ type: 'checkpoint-completed', pipeline: 'cp', id, offset: id, durationMs: 1, bytes: 1, at: id });
    const kept = board.sample().jobs[0]?.checkpoints ?? [];
    expect(kept).toHaveLength(50);
    expect(kept[0]?.id).toBe(20);
    expect(kept.at(-1)?.id).toBe(69);

    const off = fakeHandle(metrics('off', 1));
    expect(sampler(() => [off], clock).latest.jobs[0]?.checkpoints).toBeUndefined();
  });

  it('carries the last 20 dead letters as text, the record cut to 300 characters', () => {
    const clock = { now: 0 };
    const handle = fakeHandle(metrics('dl', 1));
    const board = sampler(() => [handle], clock);
    handle.letters = Array.from({ length: 25 }, (_, i) => ({
      reason: 'operator-failed' as const,
      stage: 'map',
      record: { i, text: 'x'.repeat(i === 24 ? 1000 : 1) },
      error: new Error(`bad ${i}`),
    }));
    handle.current = metrics('dl', 1, { deadLetters: 25 });
    const letters = board.sample().jobs[0]?.recentDeadLetters ?? [];
    expect(letters).toHaveLength(20);
    expect(letters[0]).toEqual({ reason: 'operator-failed', stage: 'map', record: '{"i":5,"text":"x"}', error: 'bad 5' });
    expect(letters[19]?.record).toHaveLength(300);
    expect(letters[19]?.record.endsWith('…')).toBe(true);
    expect(deadLetterView({ reason: 'malformed', stage: 'source', record: 'not json', error: 'Unexpected token' })).toEqual({
      reason: 'malformed',
      stage: 'source',
      record: 'not json',
      error: 'Unexpected token',
    });
    expect(deadLetterView({ reason: 'rejected', stage: 's', record: { n: 1n }, error: 42 }).record).toBe('[object Object]');
    expect(cut('abc', 3)).toBe('abc');
    expect(cut('abcd', 3)).toBe('ab…');
  });

  it('names jobs uniquely, follows the function form as jobs come and go, and keeps 120 samples', () => {
    const clock = { now: 0 };
    const a = fakeHandle(metrics('stats', 1));
    const b = fakeHandle(metrics('stats', 1));
    let current: PipelineHandle[] = [a, b];
    const board = sampler(() => current, clock);
    expect(board.latest.jobs.map((job) => job.name)).toEqual(['stats', 'stats (2)']);
    expect(board.latest.title).toBe('T');
    current = [b];
    expect(board.sample().jobs.map((job) => job.name)).toEqual(['stats']);
    current = [];
    expect(board.sample().jobs).toEqual([]);
    for (let i = 0; i < 130; i++) {
      clock.now = i;
      board.sample();
    }
    expect(board.history).toHaveLength(HISTORY_SIZE);
    expect(board.history[0]?.at).toBe(10);
    expect(board.latest.at).toBe(129);
  });

  it('goes on with the jobs it had when the function throws, and skips a handle whose metrics throw', () => {
    const clock = { now: 0 };
    const good = fakeHandle(metrics('good', 1));
    const bad = fakeHandle(metrics('bad', 1));
    let fail = false;
    const board = sampler(() => {
      if (fail) throw new Error('host');
      return [good, bad];
    }, clock);
    fail = true;
    bad.metrics = () => {
      throw new Error('broken');
    };
    expect(board.sample().jobs.map((job) => job.name)).toEqual(['good', 'bad']);
  });
});

describe('dashboard options', () => {
  it('fills in the defaults', () => {
    expect(checkDashboardOptions(undefined)).toEqual({ prefix: '/dashboard', intervalMs: 1000, token: undefined, title: 'Sluice dashboard' });
    expect(checkDashboardOptions({ path: '/ops/board/', intervalMs: 100, token: 's3cret', title: 'Orders' })).toEqual({
      prefix: '/ops/board',
      intervalMs: 100,
      token: 's3cret',
      title: 'Orders',
    });
    expect(checkDashboardOptions({ path: '/' }).prefix).toBe('');
  });

  it.each([
    [{ path: 'dashboard' }, 'path'],
    [{ path: '/a/../b' }, 'path'],
    [{ path: '/a?b' }, 'path'],
    [{ path: '' }, 'path'],
    [{ intervalMs: 99 }, 'intervalMs'],
    [{ intervalMs: Number.NaN }, 'intervalMs'],
    [{ intervalMs: '1000' }, 'intervalMs'],
    [{ token: '' }, 'token'],
    [{ token: 'has space' }, 'token'],
    [{ token: 7 }, 'token'],
    [{ title: 1 }, 'title'],
  ])('refuses %j, naming %s', (options, option) => {
    expect(() => checkDashboardOptions(options)).toThrow(InvalidOptionError);
    expect(() => checkDashboardOptions(options)).toThrow(`\`${option}\``);
  });

  it('refuses what is not a handle, naming handles', () => {
    for (const wrong of [undefined, 1, {}, [fakeHandle(metrics('x', 1)), {}]]) {
      expect(() => handleSource(wrong)).toThrow('`handles`');
    }
    expect([...handleSource(fakeHandle(metrics('x', 1)))()]).toHaveLength(1);
  });
});
