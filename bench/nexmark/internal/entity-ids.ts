/**
 * Which entity event n is, and which ids it may refer to: pure arithmetic on the event number, the
 * reference generator's rules. Every block of 50 events is 1 person, then 3 auctions, then 46 bids,
 * so the id of the newest person or auction at any event follows from n alone, and a bid or auction
 * can refer to existing entities without the generator keeping any state.
 */
import type { EventKind } from '../events.js';
import type { SeededRandom } from './seeded-random.js';

export const PERSON_PROPORTION = 1;
export const AUCTION_PROPORTION = 3;
export const BID_PROPORTION = 46;
/** The length of the repeating block of event kinds. */
export const PROPORTION_DENOMINATOR = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;

/** Ids start here rather than at 0 so that small streams already hit the queries' constants. */
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;

/**
 * How many ids past the newest entity a random reference may name: such a reference is to an
 * entity "in flight", created a little later, as if its creation had been delayed.
 */
export const PERSON_ID_LEAD = 10;
export const AUCTION_ID_LEAD = 10;

/** Hot sellers, bidders and auctions are one per batch of this many of the newest entities. */
export const HOT_BATCH = 100;

/** The kind of event `n`. */
export function kindOf(n: number): EventKind {
  const offset = n % PROPORTION_DENOMINATOR;
  if (offset < PERSON_PROPORTION) return 'person';
  if (offset < PERSON_PROPORTION + AUCTION_PROPORTION) return 'auction';
  return 'bid';
}

/** The 0-based index of the newest person at event `n` (event n's own person if it is one). */
export function lastPersonIndex(n: number): number {
  const epoch = Math.floor(n / PROPORTION_DENOMINATOR);
  const offset = Math.min(n % PROPORTION_DENOMINATOR, PERSON_PROPORTION - 1);
  return epoch * PERSON_PROPORTION + offset;
}

/** The 0-based index of the newest auction at event `n` (−1 before the first). */
export function lastAuctionIndex(n: number): number {
  let epoch = Math.floor(n / PROPORTION_DENOMINATOR);
  let offset = n % PROPORTION_DENOMINATOR;
  if (offset < PERSON_PROPORTION) {
    // A person opens the block: the newest auction is the previous block's last.
    epoch--;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
    offset = AUCTION_PROPORTION - 1;
  } else {
    offset -= PERSON_PROPORTION;
  }
  return epoch * AUCTION_PROPORTION + offset;
}

/**
 * A random person index for event `n`: one of the newest `numActivePeople`, or up to
 * PERSON_ID_LEAD past the newest. Limiting it to the active ones keeps the number of auctions and
 * bids per person steady however long the stream runs.
 */
export function randomPersonIndex(n: number, random: SeededRandom, numActivePeople: number): number {
  const people = lastPersonIndex(n) + 1;
  const active = Math.min(people, numActivePeople);
  return people - active + random.int(active + PERSON_ID_LEAD);
}

/** A random auction index for event `n`: one of the newest `numInFlightAuctions` + 1, or up to AUCTION_ID_LEAD past. */
export function randomAuctionIndex(n: number, random: SeededRandom, numInFlightAuctions: number): number {
  const newest = lastAuctionIndex(n);
  const oldest = Math.max(newest - numInFlightAuctions, 0);
  return oldest + random.int(newest - oldest + 1 + AUCTION_ID_LEAD);
}

/** The hot entity of the batch of HOT_BATCH that `index` falls in, shifted by `slot`. */
export function hotIndex(index: number, slot: number): number {
  return Math.floor(index / HOT_BATCH) * HOT_BATCH + slot;
}
