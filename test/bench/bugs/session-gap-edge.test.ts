import { sessionGapEdge } from '../../../bench/bugs/cases/session-gap-edge.js';
import { describePlantedBug } from './planted-bug-spec.js';

describePlantedBug(sessionGapEdge, { seed: 5 });
