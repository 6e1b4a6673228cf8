/**
 * What goes wrong on worker threads fails the run with an error that says what and where, and
 * leaves nothing running: a thread that builds another plan, a record that cannot cross, a thread
 * that exits in the middle, a user step that throws (its dead letters reach the main thread), a
 * stop and an abort. After each, no worker thread, port or timer of the run is left.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, JobMismatchError, UncrossableRecordError, WorkerThreadError, fromArray, pipeline, toArray } from '../../src/index.js';
import wordCount, { exiting, finalCounts, hoarding, lastOutput, mismatched, uncrossable, withCodec } from './fixtures/jobs.job.js';

const lines = Array.from({ length: 3_000 }, (_, i) => `ant bee w${i % 50}`);

/** The kinds of resources keeping the event loop alive, counted. */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Fails when a kind of resource is more numerous than before the run (timers of the test runner aside). */
async function expectNothingLeft(before: Map<string, number>): Promise<void> {
  // A closed port or handle leaves the list on the next turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
  for (const [kind, count] of resources()) expect({ kind, count }).toEqual({ kind, count: Math.min(count, before.get(kind) ?? 0) });
}

describe('a job on worker threads, when something goes wrong', { timeout: 120_000 }, () => {
  it('refuses to run when a thread builds another plan, saying where they differ', async () => {
    const before = resources();
    const run = mismatched.run({ args: { lines, partitions: 4 }, workers: 2 });
    const error = await run.done.catch((e: unknown) => e);
    expect((error as JobMismatchError).code).toBe('JOB_MISMATCH');
    expect((error as Error).message).toMatch(/built another plan in worker thread \d than in the main thread/);
    expect((error as Error).message).toContain('here: stage 0 aggregate count (id count, state version 1): 5 partitions');
    expect((error as Error).message).toContain('there: stage 0 aggregate count (id count, state version 1): 4 partitions');
    expect(run.status).toBe('failed');
    await expectNothingLeft(before);
    expect(JobMismatchError).toBeDefined();
  });

  it('fails at the first record that cannot cross, naming the step and the class', async () => {
    const before = resources();
    const error = await uncrossable.run({ args: { lines, partitions: 4 }, workers: 2 }).done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UncrossableRecordError);
    expect((error as UncrossableRecordError).stage).toBe('wrap');
    expect((error as Error).message).toContain('an instance of class Word');
    await expectNothingLeft(before);
  });

  it('lets records that are not plain data cross with the stage’s codec', async () => {
    await finalCounts.run({ args: { lines, partitions: 4 } }).done;
    const expected = lastOutput()
      .map((record) => JSON.stringify(record))
      .sort();
    const result = await withCodec.run({ args: { lines, partitions: 4 }, workers: 2 }).done;
    expect(result.deadLetters).toBe(0);
    expect(
      lastOutput()
        .map((record) => JSON.stringify(record))
        .sort(),
    ).toEqual(expected);
  });

  it('fails the run when a thread exits in the middle, naming the thread and its partitions', async () => {
    const before = resources();
    const input = [...lines.slice(0, 1_000), 'exit', ...lines.slice(1_000)];
    const error = await exiting.run({ args: { lines: input, partitions: 4 }, workers: 2 }).done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerThreadError);
    expect((error as WorkerThreadError).thread).toBeGreaterThanOrEqual(1);
    expect((error as Error).message).toMatch(/Worker thread [12] \(partitions count\[\d\], count\[\d\]\) exited with code 7/);
    await expectNothingLeft(before);
  });

  it('fails the run when a thread runs out of memory, naming it', async () => {
    const before = resources();
    const input = Array.from({ length: 20_000 }, (_, i) => `w${i % 4}`);
    const run = hoarding.run({ args: { lines: input, partitions: 2 }, workers: 2, workerResourceLimits: { maxOldGenerationSizeMb: 16 } });
    const error = await run.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerThreadError);
    expect((error as Error).message).toMatch(/Worker thread [12] \(partitions hoard\[\d\]\) (failed|exited)/);
    expect((error as Error).message).toMatch(/memory/i);
    expect((error as Error).message).toContain('raises workerResourceLimits.maxOldGenerationSizeMb');
    await expectNothingLeft(before);
  });

  it('delivers the threads’ dead letters to the main thread, with their reasons and errors', async () => {
    const input = ['ant bee', 'ant poison', 'cat', 'poison dog', 'bee'];
    const handle = wordCount.run({ args: { lines: input, partitions: 3, poison: 'poison' }, workers: 2 });
    const result = await handle.done;
    expect(result.deadLetters).toBe(2);
    const letters = handle.deadLetters();
    expect(letters.map((letter) => letter.record).sort()).toEqual(['ant poison', 'poison dog']);
    expect(letters.every((letter) => letter.reason === 'operator-failed' && letter.stage === 'split')).toBe(true);
    expect((letters[0]?.error as Error).message).toMatch(/poisoned line/);
    expect(lastOutput()).toHaveLength(4);
  });

  it('answers queries from the thread that owns the key, and counts and places every partition in the metrics', async () => {
    const input = Array.from({ length: 100_000 }, (_, i) => `ant w${i % 10}`);
    const handle = wordCount.run({ args: { lines: input, partitions: 4 }, workers: 2 });
    // Asked again until the key has reached its partition: each answer comes from the owning thread.
    let during: number | undefined;
    while (during === undefined) during = await handle.query<number>('count', 'ant');
    const result = await handle.done;
    expect(during).toBeGreaterThan(0);
    expect(during).toBeLessThanOrEqual(100_000);
    expect(result.recordsRead).toBe(100_000);
    const metrics = handle.metrics();
    expect(metrics.operators.find((operator) => operator.name === 'count')?.recordsIn).toBe(200_000);
    // Each partition's records, reported by the thread that runs it, add up to the stage's.
    const perPartition = metrics.stages[0]?.partitionRecordsIn ?? [];
    expect(perPartition).toHaveLength(4);
    expect(perPartition.every((taken) => taken > 0)).toBe(true);
    expect(perPartition.reduce((sum, taken) => sum + taken, 0)).toBe(200_000);
    expect(metrics.actors.filter((actor) => actor.path.includes('partition'))).toHaveLength(4);
    expect(metrics.placement).toEqual({
      '/user/pipeline/count-0-partition-0': 1,
      '/user/pipeline/count-0-partition-1': 1,
      '/user/pipeline/count-0-partition-2': 2,
      '/user/pipeline/count-0-partition-3': 2,
    });
    expect(metrics.owners).toEqual({
      '/user/pipeline/count-0-partition-0': 'thread 1',
      '/user/pipeline/count-0-partition-1': 'thread 1',
      '/user/pipeline/count-0-partition-2': 'thread 2',
      '/user/pipeline/count-0-partition-3': 'thread 2',
    });
    await expect(handle.query('count', 'ant')).rejects.toThrow(/a running pipeline/);
  });

  it('stops on stop() and on an abort, leaving no thread behind', async () => {
    const before = resources();
    const input = Array.from({ length: 200_000 }, (_, i) => `ant w${i % 1000}`);
    const stopped = wordCount.run({ args: { lines: input, partitions: 4 }, workers: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    const result = await stopped.stop();
    expect(result.stopped).toBe(true);
    const controller = new AbortController();
    const aborted = wordCount.run({ args: { lines: input, partitions: 4 }, workers: 2, signal: controller.signal });
    controller.abort();
    expect((await aborted.done).stopped).toBe(true);
    await expectNothingLeft(before);
  });
});

describe('options of a job on worker threads', () => {
  it('refuses workers on pipeline.run(), saying to use a job module', () => {
    const run = (): unknown =>
      pipeline(fromArray([1]))
        .to(toArray())
        .run({ workers: 2 } as never);
    expect(run).toThrow(InvalidOptionError);
    expect(run).toThrow(/defineJob\(import\.meta\.url/);
  });

  it('refuses a workers count that is not a positive integer, and options that cannot go to threads', () => {
    expect(() => wordCount.run({ args: { lines, partitions: 2 }, workers: 0 })).toThrow(/`workers`/);
    expect(() => wordCount.run({ args: { lines, partitions: 2 }, workers: 1.5 })).toThrow(/`workers`/);
    expect(() => wordCount.run({ args: { lines, partitions: 2 }, workers: 2, crashAt: () => false })).toThrow(/`crashAt`/);
    expect(() => wordCount.run({ args: { lines: [() => 1] as never, partitions: 2 }, workers: 2 })).toThrow(/`args`/);
    expect(() => wordCount.run({ args: { lines, partitions: 2 }, workers: 2, workerRestarts: -1 })).toThrow(/`workerRestarts`/);
    expect(() => wordCount.run({ args: { lines, partitions: 2 }, workers: 2, workerResourceLimits: { maxOldGenerationSizeMb: 0 } })).toThrow(
      /`workerResourceLimits.maxOldGenerationSizeMb`/,
    );
  });
});
