import { classInstanceState } from '../../../bench/bugs/cases/class-instance-state.js';
import { describePlantedBug } from './planted-bug-spec.js';

describePlantedBug(classInstanceState, { seed: 9 });
