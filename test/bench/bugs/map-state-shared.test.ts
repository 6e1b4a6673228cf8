import { mapStateShared } from '../../../bench/bugs/cases/map-state-shared.js';
import { describePlantedBug } from './planted-bug-spec.js';

describePlantedBug(mapStateShared, { seed: 8 });
