import { codecDropsField } from '../../../bench/bugs/cases/codec-drops-field.js';
import { describePlantedBug } from './planted-bug-spec.js';

// Only a run on worker threads shows it: the kit finds it with workers faults (a resume on 2–3
// threads), the plain property by drawing `workers` from 1 to 3. Threads start once per pool.
describePlantedBug(codecDropsField, { seed: 5 });
