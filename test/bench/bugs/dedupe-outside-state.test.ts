import { dedupeOutsideState } from '../../../bench/bugs/cases/dedupe-outside-state.js';
import { describePlantedBug } from './planted-bug-spec.js';

describePlantedBug(dedupeOutsideState, { seed: 6 });
