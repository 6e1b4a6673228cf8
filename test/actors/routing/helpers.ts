/**
 * Shared by the routing tests: TestKits that shut down after each test (their dispatcher runs only
 * when a test settles, so mailbox depths stay where the test put them), a routee that records who
 * handled what, and ways to read where messages went.
 */
import { afterEach, expect } from 'vitest';
import { ActorStoppedError, defineActor, type ActorDefinition, type ActorRef, type PartitionKey } from '../../../src/index.js';
import { createTestKit, type TestKit, type TestKitOptions } from '../../../src/testing/index.js';

/** Returns a `createTestKit` whose kits are all shut down after each test of the calling file. */
export function useKits(): (options?: TestKitOptions) => TestKit {
  const kits: TestKit[] = [];
  afterEach(async () => {
    for (const kit of kits.splice(0)) await kit.shutdown();
  });
  return (options) => {
    const kit = createTestKit(options);
    kits.push(kit);
    return kit;
  };
}

/**
 * What the recording routee takes: a keyed job, which it records; one of its faults (`'throw-once'`
 * fails the first time it is handled, `'throw'` every time, `'quit'` makes the routee stop itself);
 * or a question about who it is.
 */
export type Job =
  | { readonly type: 'job'; readonly id: number; readonly key: PartitionKey; readonly fault?: 'throw-once' | 'throw' | 'quit' | undefined }
  | { readonly type: 'whoami'; readonly key: PartitionKey };

/** One handled job: who handled it. */
export interface Handled {
  readonly id: number;
  readonly key: PartitionKey;
  /** The routee's path. */
  readonly by: string;
}

/** The error a faulty job throws. */
export class JobFault extends Error {
  readonly id: number;

  constructor(id: number) {
    super(`job ${id} failed`);
    this.id = id;
  }
}

/**
 * A routee that pushes each job it handles to `handled` (so a job handled twice shows twice),
 * answers `whoami` with its path, and acts out the faults. Its state counts the jobs it handled.
 */
export function recorder(handled: Handled[], failedOnce = new Set<number>()): ActorDefinition<number, Job> {
  return defineActor<number, Job>({
    initialState: () => 0,
    receive(count, job, ctx) {
      if (job.type === 'whoami') {
        ctx.reply(ctx.self.path);
        return count;
      }
      if (job.fault === 'throw' || (job.fault === 'throw-once' && !failedOnce.has(job.id))) {
        failedOnce.add(job.id);
        throw new JobFault(job.id);
      }
      if (job.fault === 'quit') ctx.stop();
      handled.push({ id: job.id, key: job.key, by: ctx.self.path });
      return count + 1;
    },
  });
}

/** A routee whose `initialState` throws for the `nth` routee spawned (counting from 1), and only then. */
export function failsAtSpawn(nth: number): ActorDefinition<number, Job> {
  let spawned = 0;
  return defineActor<number, Job>({
    initialState: () => {
      if (++spawned === nth) throw new Error('no state for you');
      return 0;
    },
    receive: (state) => state,
  });
}

/** A keyed job. */
export function job(id: number, key: PartitionKey = id, fault?: 'throw-once' | 'throw' | 'quit'): Job {
  return fault === undefined ? { type: 'job', id, key } : { type: 'job', id, key, fault };
}

/** Each routee's mailbox depth now, in slot order. */
export function depths(refs: readonly ActorRef<unknown>[]): number[] {
  return refs.map((ref) => ref.metrics().depth);
}

/** The key of a job, for consistent hashing. */
export const keyOfJob = (message: Job): PartitionKey => message.key;

/**
 * Checks that `ref` refuses a tell, a send and an ask as a stopped actor does: false, then
 * ActorStoppedError, each message in `kit`'s dead letters as `recipient-stopped` to `recipient`.
 */
export async function expectRefused(kit: TestKit, ref: ActorRef<Job>, recipient: string): Promise<void> {
  const before = kit.deadLetters.length;
  expect(ref.tell(job(0))).toBe(false);
  await expect(ref.send(job(1))).rejects.toMatchObject({ code: 'ACTOR_STOPPED', recipient, undelivered: job(1) });
  await expect(ref.ask(job(2))).rejects.toBeInstanceOf(ActorStoppedError);
  expect(kit.deadLetters.slice(before).map((letter) => [letter.reason, letter.recipient, letter.message])).toEqual([
    ['recipient-stopped', recipient, job(0)],
    ['recipient-stopped', recipient, job(1)],
    ['recipient-stopped', recipient, job(2)],
  ]);
}
