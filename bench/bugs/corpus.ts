/**
 * The corpus of planted bugs, in the order the hunt reports them: the nine of issue 19's list
 * (the ninth for the one fault kind the others leave uncovered, a kill before the commit; poison
 * has none, see planted-bug.ts), then a second bug that only a resume from a checkpoint shows, and
 * one that only a run on worker threads shows.
 */
import { classInstanceState } from './cases/class-instance-state.js';
import { codecDropsField } from './cases/codec-drops-field.js';
import { dedupeOutsideState } from './cases/dedupe-outside-state.js';
import { mapStateShared } from './cases/map-state-shared.js';
import { partitionIndexState } from './cases/partition-index-state.js';
import { recoverDropsPrecommitted } from './cases/recover-drops-precommitted.js';
import { recoverKeepsUncommitted } from './cases/recover-keeps-uncommitted.js';
import { sessionGapEdge } from './cases/session-gap-edge.js';
import { staleAtBound } from './cases/stale-at-bound.js';
import { tieByArrival } from './cases/tie-by-arrival.js';
import { timerMemoOutsideState } from './cases/timer-memo-outside-state.js';
import type { PlantedBug } from './planted-bug.js';

/** Every planted bug, each with its correct twin. */
export const CORPUS: readonly PlantedBug[] = [
  dedupeOutsideState,
  mapStateShared,
  staleAtBound,
  sessionGapEdge,
  tieByArrival,
  timerMemoOutsideState,
  recoverKeepsUncommitted,
  partitionIndexState,
  recoverDropsPrecommitted,
  classInstanceState,
  codecDropsField,
];
