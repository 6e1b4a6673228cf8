import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { spawnPool, type PartitionKey, type Pool } from '../../../../src/index.js';
import { createTestKit, type TestKit } from '../../../../src/testing/index.js';
import { job, keyOfJob, recorder, type Handled, type Job } from '../helpers.js';

/** Keys as records carry them: strings, numbers, tuples. */
const keysArb = fc.uniqueArray(fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.tuple(fc.constantFrom('user', 'order'), fc.nat({ max: 999 }))), {
  minLength: 1,
  maxLength: 120,
  selector: (key) => JSON.stringify(key),
});

interface HashedPool {
  readonly kit: TestKit;
  readonly pool: Pool<Job>;
  readonly handled: Handled[];
}

function hashedPool(size: number, keyGroups?: number): HashedPool {
  const kit = createTestKit();
  const handled: Handled[] = [];
  const pool = spawnPool(kit.system, recorder(handled), {
    name: 'shards',
    size,
    routing: 'consistent-hash',
    keyOf: keyOfJob,
    keyGroups,
    // Room for every key of a test without a turn of the dispatcher.
    routee: { mailbox: { capacity: 4096 } },
  });
  return { kit, pool, handled };
}

/** Routes one job per key and returns the routee path that handled each key, by key. */
async function placement({ kit, pool, handled }: HashedPool, keys: readonly PartitionKey[]): Promise<Map<string, string>> {
  handled.length = 0;
  keys.forEach((key, id) => expect(pool.tell(job(id, key))).toBe(true));
  await kit.settle();
  return new Map(handled.map((h) => [JSON.stringify(h.key), h.by]));
}

/** The slot number of a routee path `…/routee-<n>`. */
const slotOf = (path: string | undefined): number => Number(path?.slice(path.lastIndexOf('-') + 1));

describe('consistent-hash routing', () => {
  it.prop([keysArb, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 })])(
    'hands every message of one key to one routee, the same in another system (another process)',
    async (keys, size, copies) => {
      const first = hashedPool(size);
      const repeated = keys.flatMap((key) => Array.from({ length: copies }, () => key));
      repeated.forEach((key, id) => first.pool.tell(job(id, key)));
      await first.kit.settle();
      const byKey = new Map<string, Set<string>>();
      for (const h of first.handled) byKey.set(JSON.stringify(h.key), (byKey.get(JSON.stringify(h.key)) ?? new Set()).add(h.by));
      expect([...byKey.values()].every((routees) => routees.size === 1)).toBe(true);

      const second = hashedPool(size);
      const elsewhere = await placement(second, keys);
      expect(elsewhere).toEqual(new Map([...byKey].map(([key, routees]) => [key, [...routees][0]])));
      await first.kit.shutdown();
      await second.kit.shutdown();
    },
  );

  it.prop([keysArb, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })])(
    'moves on a resize only the keys of the slots that come or go',
    async (keys, from, to) => {
      const hashed = hashedPool(from);
      const before = await placement(hashed, keys);
      hashed.pool.resize(to);
      const after = await placement(hashed, keys);
      for (const [key, path] of before) {
        const now = after.get(key);
        // Growing, a key moves only to a new slot; shrinking, only a key of a slot that left moves.
        if (to > from && now !== path) expect(slotOf(now)).toBeGreaterThanOrEqual(from);
        if (to < from && slotOf(path) < to) expect(now).toBe(path);
        expect(slotOf(now)).toBeLessThan(to);
      }
      await hashed.kit.shutdown();
    },
  );

  it.prop([fc.integer({ min: 1, max: 12 })], { numRuns: 12 })('moves about 1/(n+1) of the keys when an (n+1)th routee joins', async (n) => {
    const keys = Array.from({ length: 3000 }, (_, i) => `user-${i}`);
    const hashed = hashedPool(n);
    const before = await placement(hashed, keys);
    hashed.pool.resize(n + 1);
    const after = await placement(hashed, keys);
    const moved = keys.filter((key) => before.get(JSON.stringify(key)) !== after.get(JSON.stringify(key))).length;
    // Groups (1024) and keys (3000) both vary: a generous band around the expected share.
    expect(Math.abs(moved / keys.length - 1 / (n + 1))).toBeLessThan(0.05);
    await hashed.kit.shutdown();
  });

  it.prop([keysArb, fc.integer({ min: 1, max: 6 }), fc.nat()])('keeps a replaced routee’s keys in its slot', async (keys, size, pick) => {
    const hashed = hashedPool(size);
    const before = await placement(hashed, keys);
    const victim = hashed.pool.routees()[pick % size];
    await victim?.stop();
    await hashed.kit.settle();
    expect(hashed.pool.metrics().replaced).toBe(1);
    expect(hashed.pool.routees()[pick % size]).not.toBe(victim);
    expect(await placement(hashed, keys)).toEqual(before);
    await hashed.kit.shutdown();
  });
});
