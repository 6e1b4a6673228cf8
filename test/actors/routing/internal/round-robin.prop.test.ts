import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { spawnPool } from '../../../../src/index.js';
import { createTestKit } from '../../../../src/testing/index.js';
import { depths, job, recorder } from '../helpers.js';

/** How `n` messages spread over `size` routees in turn, starting at slot 0. */
function evenSpread(n: number, size: number): number[] {
  return Array.from({ length: size }, (_, slot) => Math.floor(n / size) + (slot < n % size ? 1 : 0));
}

describe('round-robin routing', () => {
  it.prop([fc.integer({ min: 1, max: 8 }), fc.array(fc.boolean(), { maxLength: 60 })])(
    'hands messages to each routee in turn, by tell or send, so none is more than one ahead',
    async (size, bySend) => {
      const kit = createTestKit();
      const pool = spawnPool(kit.system, recorder([]), { size });
      for (const [id, viaSend] of bySend.entries()) {
        if (viaSend) await pool.send(job(id));
        else expect(pool.tell(job(id))).toBe(true);
      }
      expect(depths(pool.routees())).toEqual(evenSpread(bySend.length, size));
      await kit.shutdown();
    },
  );

  it.prop([
    fc.integer({ min: 2, max: 8 }).chain((size) => fc.tuple(fc.constant(size), fc.subarray([...Array(size).keys()], { maxLength: size - 1 }))),
    fc.nat({ max: 60 }),
  ])('passes by routees that are stopping, and spreads evenly over the others', async ([size, stopping], n) => {
    const kit = createTestKit();
    const pool = spawnPool(kit.system, recorder([]), { size });
    const routees = pool.routees();
    for (const slot of stopping) void routees[slot]?.stop();
    for (let id = 0; id < n; id++) expect(pool.tell(job(id))).toBe(true);
    const taking = routees.filter((_, slot) => !stopping.includes(slot));
    expect(depths(taking)).toEqual(evenSpread(n, taking.length));
    expect(depths(routees.filter((_, slot) => stopping.includes(slot)))).toEqual(stopping.map(() => 0));
    await kit.shutdown();
  });
});
