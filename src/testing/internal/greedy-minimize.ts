/**
 * Greedy minimization of a failing case, the engine under every check's `minimize`: take the
 * first candidate one step simpler that still fails, and start over from it, until no candidate
 * fails (the case is minimal: no single part can go) or the budget of runs is spent. What "one
 * step simpler" means is the caller's: records, messages, faults, schedule items.
 */

/** The result of {@link minimizeGreedily}. */
export interface GreedyResult<TCase> {
  readonly value: TCase;
  /** Candidates run. */
  readonly attempts: number;
  /** True when no candidate one step simpler fails; false when the budget ran out first. */
  readonly minimal: boolean;
}

/** `list` without the item at `index`. */
export function without<T>(list: readonly T[], index: number): T[] {
  return [...list.slice(0, index), ...list.slice(index + 1)];
}

/**
 * Keeps the first simpler candidate that still fails, again and again, until none does or
 * `budget` candidates have run.
 *
 * @param simpler - every case one step simpler than the one given, most valuable removals first.
 * @param fails - runs a candidate; true when it still fails the way the original did.
 */
export async function minimizeGreedily<TCase>(
  start: TCase,
  simpler: (current: TCase) => Iterable<TCase>,
  fails: (candidate: TCase) => Promise<boolean>,
  budget: number,
): Promise<GreedyResult<TCase>> {
  let current = start;
  let attempts = 0;
  for (let progressed = true; progressed;) {
    progressed = false;
    for (const candidate of simpler(current)) {
      if (attempts >= budget) return { value: current, attempts, minimal: false };
      attempts++;
      if (await fails(candidate)) {
        current = candidate;
        progressed = true;
        break;
      }
    }
  }
  return { value: current, attempts, minimal: true };
}
