/**
 * Generating a new auction: the next id in sequence, a seller who exists (or is about to), and a
 * closing time about as far ahead as it takes to open `numInFlightAuctions` more auctions.
 */
import type { NexmarkConfig } from '../config.js';
import type { AuctionEvent } from '../events.js';
import {
  AUCTION_PROPORTION,
  FIRST_AUCTION_ID,
  FIRST_CATEGORY_ID,
  FIRST_PERSON_ID,
  NUM_CATEGORIES,
  PROPORTION_DENOMINATOR,
  hotIndex,
  lastAuctionIndex,
  lastPersonIndex,
  randomPersonIndex,
} from './entity-ids.js';
import { onTime } from './event-time.js';
import type { SeededRandom } from './seeded-random.js';
import { padding, price, words } from './text.js';

/** The auction event `n` creates (n must be an auction's event number). */
export function nextAuction(n: number, random: SeededRandom, dateTime: number, config: NexmarkConfig, pad: string): AuctionEvent {
  // A hot seller is the first person of the newest batch of 100: many auctions share few sellers.
  const seller = random.int(config.hotSellersRatio) > 0 ? hotIndex(lastPersonIndex(n), 0) : randomPersonIndex(n, random, config.numActivePeople);
  const category = FIRST_CATEGORY_ID + random.int(NUM_CATEGORIES);
  const initialBid = price(random);
  const reserve = initialBid + price(random);
  const itemName = words(random, 3, 20);
  const description = words(random, 3, 100);
  return {
    kind: 'auction',
    id: lastAuctionIndex(n) + FIRST_AUCTION_ID,
    itemName,
    description,
    initialBid,
    reserve,
    dateTime,
    expires: dateTime + auctionLength(n, random, config),
    seller: seller + FIRST_PERSON_ID,
    category,
    extra: padding(random, pad, config.extraLength),
  };
}

/** 1 ms to twice the time it takes to open `numInFlightAuctions` more auctions, uniformly. */
function auctionLength(n: number, random: SeededRandom, config: NexmarkConfig): number {
  const eventsUntilInFlight = Math.floor((config.numInFlightAuctions * PROPORTION_DENOMINATOR) / AUCTION_PROPORTION);
  const horizonMs = onTime(n + eventsUntilInFlight, config) - onTime(n, config);
  return 1 + random.int(Math.max(2 * horizonMs, 1));
}
