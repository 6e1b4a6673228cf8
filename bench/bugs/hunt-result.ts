/**
 * What the hunt found for one bug: for each seed, how many runs of the kit check and of the plain
 * property it took to find the buggy twin, and whether the correct twin passes both. Plain data,
 * for the table and for `--json`.
 */
import type { Exposure } from './planted-bug.js';

/** One search for one bug with one seed. */
export interface Hunt {
  readonly seed: number;
  /** Runs up to and including the first failing one (before shrinking); undefined when none failed. */
  readonly runs: number | undefined;
  /** Runs made: `runs` when found, else all of them. */
  readonly cases: number;
  /** Milliseconds the search took. */
  readonly ms: number;
  /** When found: the first line of the failing run's error, to tell a bug's symptom from a harness's failure. */
  readonly failure?: string | undefined;
}

/** How a correct twin fared; `failure` says how it failed, when it did. */
export interface TwinCheck {
  readonly passed: boolean;
  readonly failure?: string | undefined;
}

/** Everything the hunt found about one bug. */
export interface BugHunt {
  readonly name: string;
  readonly defect: string;
  readonly needs: Exposure;
  /** One per seed, in the order of the seeds. */
  readonly kit: readonly Hunt[];
  readonly plain: readonly Hunt[];
  readonly twin: { readonly kit: TwinCheck; readonly plain: TwinCheck };
}
