import { recoverDropsPrecommitted } from '../../../bench/bugs/cases/recover-drops-precommitted.js';
import { describePlantedBug } from './planted-bug-spec.js';

describePlantedBug(recoverDropsPrecommitted, { seed: 4 });
