/**
 * The tests every planted bug gets: both twins pass the ordinary example (the defect is subtle),
 * the correct twin passes its kit check and its plain property, and both find the buggy twin
 * within the hunt's 100 runs on a seed chosen for the bug. Fixed seeds: a run is a function of its
 * seed, so these are as repeatable as the hunt.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlantedBug } from '../../../bench/bugs/planted-bug.js';

/** Runs of each correct twin's properties: enough to catch a broken twin, few enough for a quick suite. */
const TWIN_RUNS = 25;
/** Runs a search for the buggy twin may take, as in the hunt. */
const HUNT_RUNS = 100;

export interface PlantedBugSpecOptions {
  /** The seed of every property run: one with which both searches find the buggy twin. */
  readonly seed: number;
}

async function runsToFind<TCase>(property: fc.IAsyncProperty<[TCase]>, seed: number): Promise<number | undefined> {
  const details = await fc.check(property, { seed, numRuns: HUNT_RUNS, endOnFailure: true });
  return details.failed ? details.numRuns : undefined;
}

/** Describes the tests of `bug`. */
export function describePlantedBug(bug: PlantedBug, { seed }: PlantedBugSpecOptions): void {
  describe(bug.name, () => {
    describe('example', () => {
      it('passes with the correct twin', async () => {
        await bug.example(false);
      });

      it('passes with the buggy twin too: an ordinary test misses the defect', async () => {
        await bug.example(true);
      });
    });

    describe('kit', () => {
      it(`passes the correct twin (${TWIN_RUNS} runs, seed ${seed})`, async () => {
        await fc.assert(bug.kit(false).property, { seed, numRuns: TWIN_RUNS });
      });

      it(`finds the buggy twin within ${HUNT_RUNS} runs (seed ${seed})`, async () => {
        expect(await runsToFind(bug.kit(true).property, seed)).toBeLessThanOrEqual(HUNT_RUNS);
      });
    });

    describe('plain property', () => {
      it(`passes the correct twin (${TWIN_RUNS} runs, seed ${seed})`, async () => {
        await fc.assert(bug.plain(false), { seed, numRuns: TWIN_RUNS });
      });

      it(`finds the buggy twin within ${HUNT_RUNS} runs (seed ${seed})`, async () => {
        expect(await runsToFind(bug.plain(true), seed)).toBeLessThanOrEqual(HUNT_RUNS);
      });
    });
  });
}
