import { staleAtBound } from '../../../bench/bugs/cases/stale-at-bound.js';
import { describePlantedBug } from './planted-bug-spec.js';

describePlantedBug(staleAtBound, { seed: 3 });
