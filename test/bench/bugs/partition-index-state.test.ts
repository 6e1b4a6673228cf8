import { partitionIndexState } from '../../../bench/bugs/cases/partition-index-state.js';
import { describePlantedBug } from './planted-bug-spec.js';

// The kit finds it with rescale faults (a kill resumed with another partition count); the plain
// property resumes with another partition count by hand.
describePlantedBug(partitionIndexState, { seed: 8 });
