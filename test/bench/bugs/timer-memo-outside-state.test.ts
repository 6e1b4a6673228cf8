import { timerMemoOutsideState } from '../../../bench/bugs/cases/timer-memo-outside-state.js';
import { describePlantedBug } from './planted-bug-spec.js';

describePlantedBug(timerMemoOutsideState, { seed: 6 });
