import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { rendezvousOwners } from '../../../../src/actors/routing/internal/rendezvous.js';

/** Distinct slot names, as a pool (`routee-<n>`) or a group (actor paths) names them. */
const slotsArb = (min: number, max: number) =>
  fc.uniqueArray(
    fc.oneof(
      fc.nat({ max: 40 }).map((n) => `routee-${n}`),
      fc.stringMatching(/^\/user\/[a-z]{1,6}$/),
    ),
    { minLength: min, maxLength: max },
  );

/** The slot name owning each group. */
function placement(slots: readonly string[], groups: number): string[] {
  return [...rendezvousOwners(slots, groups)].map((owner) => slots[owner] as string);
}

describe('rendezvousOwners', () => {
  const reordered = slotsArb(1, 12).chain((slots) => fc.tuple(fc.constant(slots), fc.shuffledSubarray(slots, { minLength: slots.length })));

  it.prop([reordered, fc.integer({ min: 1, max: 512 })])('places each group by the set of slots, whatever their order', ([slots, shuffled], groups) => {
    expect(placement(shuffled, groups)).toEqual(placement(slots, groups));
  });

  it.prop([slotsArb(1, 12), fc.integer({ min: 1, max: 512 })])('moves only the groups the new slot takes when a slot joins', (slots, groups) => {
    const [joining, ...before] = slots;
    const after = placement(slots, groups);
    const old = placement(before, groups);
    for (let group = 0; group < groups; group++) {
      if (old[group] !== undefined && after[group] !== old[group]) expect(after[group]).toBe(joining);
    }
  });

  it.prop([slotsArb(2, 12), fc.integer({ min: 1, max: 512 }), fc.nat()])('moves only the leaving slot’s groups when a slot leaves', (slots, groups, pick) => {
    const leaving = slots[pick % slots.length] as string;
    const before = placement(slots, groups);
    const after = placement(
      slots.filter((slot) => slot !== leaving),
      groups,
    );
    for (let group = 0; group < groups; group++) {
      if (before[group] !== leaving) expect(after[group]).toBe(before[group]);
    }
  });

  it.prop([fc.integer({ min: 1, max: 16 })])('gives a joining slot about 1/(n+1) of the groups', (n) => {
    const groups = 4096;
    const slots = Array.from({ length: n + 1 }, (_, i) => `routee-${i}`);
    const old = placement(slots.slice(0, n), groups);
    const moved = placement(slots, groups).filter((owner, group) => owner !== old[group]).length;
    const expected = groups / (n + 1);
    // Binomial(4096, 1/(n+1)): five standard deviations either way.
    const sd = Math.sqrt(groups * (1 / (n + 1)) * (n / (n + 1)));
    expect(Math.abs(moved - expected)).toBeLessThan(5 * sd);
  });

  it('has no owner without slots', () => {
    expect([...rendezvousOwners([], 3)]).toEqual([-1, -1, -1]);
  });

  it('places the same way in every process: fixed owners for fixed names', () => {
    expect([...rendezvousOwners(['routee-0', 'routee-1', 'routee-2'], 12)]).toEqual([2, 0, 0, 2, 2, 1, 1, 0, 0, 1, 0, 1]);
  });
});
