/**
 * Key groups placed on slots by rendezvous (highest random weight) hashing: every slot scores every
 * group, and the group goes to the slot with the highest score. The placement is a function of the
 * set of slot names alone — not their order, not the process — and a change moves the least it
 * can: a slot that joins takes only the groups it now scores highest on (about 1/(n+1) of them, one
 * by one from whoever held them), and a slot that leaves gives up its own groups and nothing else.
 * Pure.
 */
import { mix32 } from '../../../internal/mix32.js';
import { hashKey } from '../../../streams/partitioning/key-groups.js';

/** Spreads group numbers over 32 bits before they meet a slot's hash (the golden ratio, as in Fibonacci hashing). */
const GOLDEN = 0x9e3779b9;

/**
 * The slot of each of `groups` key groups: `owners[group]` is an index into `slots`, or -1 when
 * there are no slots.
 *
 * @example
 * ```ts
 * rendezvousOwners(['routee-0', 'routee-1'], 4); // e.g. Int32Array [1, 0, 0, 1], the same in every process
 * ```
 */
export function rendezvousOwners(slots: readonly string[], groups: number): Int32Array {
  const hashes = slots.map((slot) => hashKey(slot) | 0);
  const owners = new Int32Array(groups).fill(-1);
  for (let group = 0; group < groups; group++) {
    const spread = Math.imul(group + 1, GOLDEN);
    let best = -1;
    let bestScore = -1;
    for (let index = 0; index < slots.length; index++) {
      const score = mix32((hashes[index] as number) ^ spread) >>> 0;
      // Equal scores go to the smaller name, so the order slots are listed in never matters.
      if (score > bestScore || (score === bestScore && (slots[index] as string) < (slots[best] as string))) {
        best = index;
        bestScore = score;
      }
    }
    owners[group] = best;
  }
  return owners;
}
