import { tieByArrival } from '../../../bench/bugs/cases/tie-by-arrival.js';
import { describePlantedBug } from './planted-bug-spec.js';

describePlantedBug(tieByArrival, { seed: 8 });
