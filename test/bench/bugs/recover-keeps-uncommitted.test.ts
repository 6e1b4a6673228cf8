import { recoverKeepsUncommitted } from '../../../bench/bugs/cases/recover-keeps-uncommitted.js';
import { describePlantedBug } from './planted-bug-spec.js';

describePlantedBug(recoverKeepsUncommitted, { seed: 8 });
