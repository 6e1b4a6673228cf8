/**
 * How much of what a piece of work made survives scavenges (minor GCs): what a scavenge keeps is
 * promoted to the old generation and waits there for a full GC. Measured as the bytes the second
 * of two back-to-back scavenges promotes: the first copies every young survivor, the second
 * promotes those still alive.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** The engine's `gc`: a full collection, or with `{ type: 'minor' }` a scavenge. */
export const gc = runInNewContext('gc') as (options?: { type: 'minor' }) => void;

function oldSpaceUsed(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0;
}

/** Bytes of what is young now that survive two scavenges. */
export function survivingTwoScavenges(): number {
  gc({ type: 'minor' });
  const before = oldSpaceUsed();
  gc({ type: 'minor' });
  return oldSpaceUsed() - before;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * The median, over `measured` runs of `work`, of the bytes that survive two scavenges once it
 * ended and the event loop turned. `warmUp` runs go first: in code not yet optimised a run takes
 * long enough for timers and turn budgets to come into play, and what they hold lives a little longer.
 */
export async function medianSurvivingTwoScavenges(work: () => Promise<void>, { warmUp = 30, measured = 21 } = {}): Promise<number> {
  for (let i = 0; i < warmUp; i++) await work();
  gc();
  const promoted: number[] = [];
  for (let i = 0; i < measured; i++) {
    await work();
    await nextTurn();
    promoted.push(survivingTwoScavenges());
  }
  return median(promoted);
}
