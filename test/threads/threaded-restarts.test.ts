/**
 * A job on worker threads with checkpoints outlives a thread that dies: every thread is stopped
 * and the job starts again on new ones from its last checkpoint, up to `workerRestarts` times, and
 * ends with the output of a run where nothing died. A thread that dies every time fails the run
 * once the attempts are used up, and nothing of any attempt is left running.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryCheckpointStorage, WorkerThreadError, type PipelineEvent } from '../../src/index.js';
import { dying, lastOutput } from './fixtures/jobs.job.js';

const lines = Array.from({ length: 30_000 }, (_, i) => (i === 20_000 ? 'exit' : `ant w${i % 300} bee`));
const sorted = (records: readonly unknown[]): string[] => records.map((record) => JSON.stringify(record)).sort();

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-restarts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a job on worker threads whose thread dies', { timeout: 120_000 }, () => {
  it('starts again from its last checkpoint on new threads and ends as if nothing died', async () => {
    await dying.run({ args: { lines, partitions: 4, once: undefined }, workers: 1 }).done.catch(() => undefined);
    const storage = new MemoryCheckpointStorage();
    const handle = dying.run({ args: { lines, partitions: 4, once: join(dir, 'exited') }, workers: 2, checkpoint: { storage, interval: 1 }, batchSize: 256 });
    const events: PipelineEvent[] = [];
    handle.events.subscribe((event) => {
      if (event.type === 'job-restarted' || event.type === 'pipeline-finished') events.push(event);
    });
    const result = await handle.done;
    expect(events.map((event) => event.type)).toEqual(['job-restarted', 'pipeline-finished']);
    expect((events[0] as Extract<PipelineEvent, { type: 'job-restarted' }>).error).toBeInstanceOf(WorkerThreadError);
    expect(result.resumedFrom).toBeDefined();
    const counts = new Map((lastOutput() as { key: string; value: number }[]).map(({ key, value }) => [key, value]));
    expect(counts.get('ant')).toBe(29_999);
    expect(counts.get('exit')).toBe(1);
    expect(counts.get('w7')).toBe(100);
    expect(sorted(lastOutput())).toHaveLength(303);
  });

  it('fails once the restarts are used up, with the thread and its partitions named', async () => {
    const storage = new MemoryCheckpointStorage();
    const handle = dying.run({ args: { lines, partitions: 4, once: undefined }, workers: 2, checkpoint: { storage, interval: 1 }, workerRestarts: 2 });
    let restarts = 0;
    handle.events.subscribe((event) => {
      if (event.type === 'job-restarted') restarts++;
    });
    const error = await handle.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerThreadError);
    expect((error as Error).message).toMatch(/exited with code 9/);
    expect(restarts).toBe(2);
    expect(handle.status).toBe('failed');
  });

  it('fails at once without checkpoints: there is nothing to start again from', async () => {
    const error = await dying.run({ args: { lines, partitions: 4, once: undefined }, workers: 2 }).done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerThreadError);
  });
});
