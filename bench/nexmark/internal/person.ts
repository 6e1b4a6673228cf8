/** Generating a new person: the next id in sequence, the rest drawn. */
import type { NexmarkConfig } from '../config.js';
import type { PersonEvent } from '../events.js';
import { FIRST_PERSON_ID, lastPersonIndex } from './entity-ids.js';
import type { SeededRandom } from './seeded-random.js';
import { FIRST_NAMES, LAST_NAMES, US_CITIES, US_STATES, creditCard, letters, padding } from './text.js';

/** The person event `n` creates (n must be a person's event number). */
export function nextPerson(n: number, random: SeededRandom, dateTime: number, config: NexmarkConfig, pad: string): PersonEvent {
  return {
    kind: 'person',
    id: lastPersonIndex(n) + FIRST_PERSON_ID,
    name: `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`,
    emailAddress: `${letters(random, 3, 7)}@${letters(random, 3, 5)}.com`,
    creditCard: creditCard(random),
    // City and state are drawn independently, as the reference does: Boise, WY is possible.
    city: random.pick(US_CITIES),
    state: random.pick(US_STATES),
    dateTime,
    extra: padding(random, pad, config.extraLength),
  };
}
