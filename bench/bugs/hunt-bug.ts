/**
 * Hunts one planted bug: for each seed, `fc.check` of the buggy twin's kit property and of its
 * plain property, each stopped at the first failure (we count the runs to find a bug, not the
 * shrinks that follow), then the correct twin's two properties over a full search on seed 1.
 */
import fc from 'fast-check';
import type { PlantedBug } from './planted-bug.js';
import type { BugHunt, Hunt, TwinCheck } from './hunt-result.js';

/** Runs each search may take. */
export const HUNT_RUNS = 100;
/** The seed the correct twins are checked on. */
export const TWIN_SEED = 1;

async function search<TCase>(property: fc.IAsyncProperty<[TCase]>, seed: number): Promise<{ details: fc.RunDetails<[TCase]>; ms: number }> {
  const started = performance.now();
  const details = await fc.check(property, { seed, numRuns: HUNT_RUNS, endOnFailure: true });
  return { details, ms: performance.now() - started };
}

/** The first line of the error a failing run threw. */
function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

async function hunt<TCase>(property: fc.IAsyncProperty<[TCase]>, seed: number): Promise<Hunt> {
  const { details, ms } = await search(property, seed);
  if (!details.failed) return { seed, runs: undefined, cases: details.numRuns, ms };
  return { seed, runs: details.numRuns, cases: details.numRuns, ms, failure: firstLine(details.errorInstance) };
}

/** How a correct twin fared: when it failed, the first line of why, with the replay parameters. */
async function checkTwin<TCase>(property: fc.IAsyncProperty<[TCase]>): Promise<TwinCheck> {
  const { details } = await search(property, TWIN_SEED);
  if (!details.failed) return { passed: true };
  return {
    passed: false,
    failure: `${firstLine(details.errorInstance)} (seed ${details.seed}, path "${details.counterexamplePath ?? ''}", run ${details.numRuns})`,
  };
}

/**
 * Hunts `bug` with each of `seeds`; `progress` hears of each search as it ends.
 *
 * @example
 * ```ts
 * const result = await huntBug(dedupeOutsideState, [1, 2, 3]);
 * result.kit.map((h) => h.runs); // e.g. [6, 14, 11]
 * ```
 */
export async function huntBug(bug: PlantedBug, seeds: readonly number[], progress: (line: string) => void = () => undefined): Promise<BugHunt> {
  const kit: Hunt[] = [];
  const plain: Hunt[] = [];
  for (const seed of seeds) {
    kit.push(await hunt(bug.kit(true).property, seed));
    plain.push(await hunt(bug.plain(true), seed));
    progress(`${bug.name} seed ${seed}: kit ${kit.at(-1)?.runs ?? 'not found'}, plain ${plain.at(-1)?.runs ?? 'not found'}`);
  }
  const twin = { kit: await checkTwin(bug.kit(false).property), plain: await checkTwin(bug.plain(false)) };
  progress(`${bug.name} correct twin: kit ${twin.kit.passed ? 'passes' : 'FAILS'}, plain ${twin.plain.passed ? 'passes' : 'FAILS'}`);
  return { name: bug.name, defect: bug.defect, needs: bug.needs, kit, plain, twin };
}
