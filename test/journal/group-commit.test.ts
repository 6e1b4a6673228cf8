import { describe, expect, it } from 'vitest';
import { GroupCommit, type PendingAppend } from '../../src/journal/internal/group-commit.js';
import { VirtualClock } from '../../src/testing/index.js';

interface Append extends PendingAppend {
  readonly id: number;
  readonly settled: Promise<string>;
}

/** A GroupCommit whose commits are recorded and finish when the test says so. */
function harness(options: { delayMs: number; maxBytes?: number }) {
  const clock = new VirtualClock();
  const groups: number[][] = [];
  const finishers: ((error?: unknown) => void)[] = [];
  const queue = new GroupCommit<Append>({
    delayMs: options.delayMs,
    maxBytes: options.maxBytes ?? 1000,
    clock,
    commit: (group) => {
      groups.push(group.map((append) => append.id));
      return new Promise<void>((resolve, reject) => {
        finishers.push((error) => {
          if (error !== undefined) return reject(error);
          for (const append of group) append.resolve();
          resolve();
        });
      });
    },
    failedError: (cause) => new Error(`failed before: ${String((cause as Error).message)}`),
  });
  let next = 0;
  const add = (bytes = 10): Append => {
    let resolve: () => void = () => undefined;
    let reject: (error: unknown) => void = () => undefined;
    const settled = new Promise<string>((res) => {
      resolve = () => res('ok');
      reject = (error) => res(`rejected: ${(error as Error).message}`);
    });
    const append: Append = { id: next++, bytes, resolve, reject, settled };
    queue.enqueue(append);
    return append;
  };
  /** Finishes the oldest unfinished commit, then lets promise callbacks run. */
  const finish = async (error?: unknown): Promise<void> => {
    const finisher = finishers.shift();
    if (finisher === undefined) throw new Error('no commit is running');
    finisher(error);
    await settle();
  };
  return { clock, groups, queue, add, finish };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('GroupCommit', () => {
  describe('with delayMs 0', () => {
    it('commits the appends of one synchronous run as one group', async () => {
      const { groups, add } = harness({ delayMs: 0 });
      add();
      add();
      add();
      expect(groups).toEqual([]);
      await settle();
      expect(groups).toEqual([[0, 1, 2]]);
    });

    it('gathers appends made while a commit runs into the next group, committed right after', async () => {
      const { groups, add, finish } = harness({ delayMs: 0 });
      const first = add();
      await settle();
      const later = [add(), add(), add()];
      await settle();
      expect(groups).toEqual([[0]]);
      await finish();
      expect(await first.settled).toBe('ok');
      expect(groups).toEqual([[0], [1, 2, 3]]);
      await finish();
      expect(await Promise.all(later.map((append) => append.settled))).toEqual(['ok', 'ok', 'ok']);
    });
  });

  describe('with delayMs 5', () => {
    it('waits for the timer, sharing it with every append made meanwhile', async () => {
      const { clock, groups, add } = harness({ delayMs: 5 });
      add();
      await clock.advance(4);
      add();
      expect(groups).toEqual([]);
      expect(clock.pendingTimers).toBe(1);
      await clock.advance(1);
      expect(groups).toEqual([[0, 1]]);
    });

    it('commits at once when the queue reaches maxBytes', async () => {
      const { clock, groups, add } = harness({ delayMs: 5, maxBytes: 25 });
      add(10);
      add(10);
      await settle();
      expect(groups).toEqual([]);
      add(10);
      await settle();
      expect(groups).toEqual([[0, 1]]);
      expect(clock.pendingTimers).toBe(0);
    });

    it('flush commits without waiting for the timer and resolves once idle', async () => {
      const { clock, groups, queue, add, finish } = harness({ delayMs: 5 });
      add();
      let flushed = false;
      void queue.flush().then(() => (flushed = true));
      await settle();
      expect(groups).toEqual([[0]]);
      expect(clock.pendingTimers).toBe(0);
      expect(flushed).toBe(false);
      await finish();
      expect(flushed).toBe(true);
    });
  });

  it('never puts more than maxBytes in a group, but at least one append', async () => {
    const { groups, add, finish } = harness({ delayMs: 0, maxBytes: 25 });
    add(30);
    add(10);
    add(10);
    add(10);
    await settle();
    await finish();
    await finish();
    await finish();
    expect(groups).toEqual([[0], [1, 2], [3]]);
  });

  it('after a failed commit rejects its group, what was queued, and every later append', async () => {
    const { add, finish } = harness({ delayMs: 0 });
    const failing = add();
    await settle();
    const queued = add();
    await finish(new Error('EIO'));
    expect(await failing.settled).toBe('rejected: EIO');
    expect(await queued.settled).toBe('rejected: failed before: EIO');
    expect(await add().settled).toBe('rejected: failed before: EIO');
  });
});
