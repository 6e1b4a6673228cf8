import { partitionIndexState } from '../../../bench/bugs/cases/partition-index-state.js';
import { describePlantedBug } from './planted-bug-spec.js';

// The kit cannot resume a run with another partition count yet, so its check (partition counts as
// params, crashes on: what a user writes today) cannot find this bug: the test waits, as a todo,
// for the "rescale" fault another engineer is adding. The plain property resumes with another
// partition count by hand, and finds it.

describePlantedBug(partitionIndexState, { seed: 8, kitAwaits: 'the rescale fault' });
