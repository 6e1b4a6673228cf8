/**
 * The sampler on a real run: a sink held shut builds backpressure (a full mailbox at the end of the
 * pipeline), a planned crash restarts a partition, a map that throws dead-letters records, and with
 * checkpoints on the timeline fills once the sink lets them complete; a stopped run stays on the
 * page as it ended.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobView } from '../../src/dashboard/dashboard-view.js';
import { DashboardSampler } from '../../src/dashboard/sampler.js';
import { fromGenerator, pipeline } from '../../src/index.js';
import { heldSink } from './held-sink.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('the sampler on a running pipeline', { timeout: 30_000 }, () => {
  it('shows backpressure, restarts, dead letters, checkpoints, and the run as it ended', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-dashboard-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const held = heldSink();
    const handle = pipeline(
      fromGenerator(function* (from) {
        for (let i = from; ; i++) yield i;
      }, 'numbers'),
    )
      .map((n: number) => {
        if (n % 5000 === 7) throw new Error(`no ${n}`);
        return n;
      }, 'check')
      .keyBy((n) => n % 10, { partitions: 3 })
      .reduce(
        (sum: number, n: number) => sum + n,
        () => 0,
        { name: 'sum' },
      )
      .to(held.sink)
      .run({
        name: 'live',
        batchSize: 64,
        retries: 0,
        crashAt: (target, ordinal) => target.partition === 1 && ordinal === 3,
        checkpoint: { dir, interval: 20 },
      });
    cleanup.push(async () => {
      held.open();
      await handle.stop().catch(() => undefined);
    });
    const sampler = new DashboardSampler({ handles: () => [handle], intervalMs: 3_600_000, title: 'live' });
    cleanup.push(() => sampler.close());
    const job = (): JobView => sampler.sample().jobs[0] as JobView;

    expect(job().stages.map((stage) => [stage.kind, stage.name, stage.partitions.length])).toEqual([
      ['source', 'source:numbers', 0],
      ['stage', 'sum', 3],
      ['sink', 'sink:held', 1],
    ]);
    await vi.waitFor(
      () => {
        const view = job();
        const fills = view.stages.flatMap((stage) => stage.partitions.map((partition) => partition.mailboxFill));
        expect(Math.max(...fills)).toBeGreaterThan(0);
        expect(view.restarts).toBeGreaterThan(0);
        expect(view.deadLetters).toBeGreaterThan(0);
      },
      { timeout: 20_000, interval: 10 },
    );
    const backedUp = job();
    const sink = backedUp.stages[2]?.partitions[0];
    expect(sink).toMatchObject({ actor: '/user/live/sink', owner: 'main', mailboxCapacity: 4 });
    expect(backedUp.stages[1]?.partitions.map((partition) => partition.actor)).toEqual([
      '/user/live/sum-0-partition-0',
      '/user/live/sum-0-partition-1',
      '/user/live/sum-0-partition-2',
    ]);
    expect(backedUp.stages[1]?.partitions[1]?.restarts).toBeGreaterThan(0);
    expect(backedUp.recentDeadLetters[0]).toEqual({ reason: 'operator-failed', stage: 'check', record: '7', error: 'check failed: no 7' });
    expect(backedUp.status).toBe('running');

    held.open();
    await vi.waitFor(
      () => {
        const view = job();
        expect(view.checkpoints?.length).toBeGreaterThan(0);
        expect(view.recordsPerSecond).toBeGreaterThan(0);
        // Every partition of `sum` takes records, and says how many a second.
        expect(view.stages[1]?.partitions.every((partition) => partition.recordsPerSecond > 0)).toBe(true);
      },
      { timeout: 20_000, interval: 20 },
    );
    const checkpoint = job().checkpoints?.[0];
    expect(checkpoint?.id).toBeGreaterThan(0);
    expect(checkpoint?.bytes).toBeGreaterThan(0);
    expect(checkpoint?.durationMs).toBeGreaterThanOrEqual(0);

    await handle.stop();
    const ended = job();
    expect(ended.status).toBe('finished');
    expect(ended.stages[1]?.partitions).toHaveLength(3);
    expect(ended.stages[1]?.partitions[1]?.restarts).toBeGreaterThan(0);
    expect(ended.stages[2]?.partitions[0]?.mailboxDepth).toBe(0);
  });
});
