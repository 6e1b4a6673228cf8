import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { spawnPool } from '../../../../src/index.js';
import { createTestKit } from '../../../../src/testing/index.js';
import { depths, job, recorder } from '../helpers.js';

/** Mailbox depths the routees start from. */
const startingDepthsArb = fc.array(fc.nat({ max: 6 }), { minLength: 1, maxLength: 8 });

describe('least-mailbox routing', () => {
  it.prop([startingDepthsArb, fc.integer({ min: 1, max: 40 })])('hands each message to a routee with the fewest messages queued', async (starting, n) => {
    const kit = createTestKit();
    const pool = spawnPool(kit.system, recorder([]), { size: starting.length, routing: 'least-mailbox' });
    const routees = pool.routees();
    starting.forEach((depth, slot) => {
      for (let k = 0; k < depth; k++) routees[slot]?.tell(job(-1));
    });
    for (let id = 0; id < n; id++) {
      const before = depths(routees);
      expect(pool.tell(job(id))).toBe(true);
      const after = depths(routees);
      const chosen = after.findIndex((depth, slot) => depth !== before[slot]);
      expect(before[chosen]).toBe(Math.min(...before));
    }
    await kit.shutdown();
  });

  it.prop([fc.integer({ min: 1, max: 8 }), fc.nat({ max: 6 }), fc.nat({ max: 60 })])('spreads ties in turn, like round-robin', async (size, depth, n) => {
    const kit = createTestKit();
    const pool = spawnPool(kit.system, recorder([]), { size, routing: 'least-mailbox' });
    for (const routee of pool.routees()) for (let k = 0; k < depth; k++) routee.tell(job(-1));
    for (let id = 0; id < n; id++) pool.tell(job(id));
    const spread = depths(pool.routees());
    expect(Math.max(...spread) - Math.min(...spread)).toBeLessThanOrEqual(1);
    await kit.shutdown();
  });

  it.prop([startingDepthsArb.filter((d) => d.length > 1).chain((d) => fc.tuple(fc.constant(d), fc.nat({ max: d.length - 1 })))])(
    'never picks a routee that is stopping, however empty its mailbox',
    async ([starting, stoppingSlot]) => {
      const kit = createTestKit();
      const pool = spawnPool(kit.system, recorder([]), { size: starting.length, routing: 'least-mailbox' });
      const routees = pool.routees();
      void routees[stoppingSlot]?.stop();
      for (let id = 0; id < 10; id++) pool.tell(job(id));
      expect(routees[stoppingSlot]?.metrics().depth).toBe(0);
      await kit.shutdown();
    },
  );
});
