/**
 * Generating a bid: on a hot auction or a recent one, by a hot bidder or an active person, from a
 * hot channel or one of 10,000 others whose URLs are made once and reused.
 */
import type { NexmarkConfig } from '../config.js';
import type { BidEvent } from '../events.js';
import { FIRST_AUCTION_ID, FIRST_PERSON_ID, hotIndex, lastAuctionIndex, lastPersonIndex, randomAuctionIndex, randomPersonIndex } from './entity-ids.js';
import { SeededRandom } from './seeded-random.js';
import { letters, padding, price } from './text.js';

/** Half the bids come from one of these channels. */
const HOT_CHANNELS: readonly string[] = ['search', 'social', 'newsletter', 'app'];
const HOT_URLS: readonly string[] = HOT_CHANNELS.map((channel) => `https://auctions.example/${channel}/item?query=1`);
const HOT_CHANNELS_RATIO = 2;
const CHANNELS = 10_000;

/** The bid event `n` is (n must be a bid's event number). */
export function nextBid(n: number, random: SeededRandom, dateTime: number, config: NexmarkConfig, pad: string): BidEvent {
  const auction = random.int(config.hotAuctionRatio) > 0 ? hotIndex(lastAuctionIndex(n), 0) : randomAuctionIndex(n, random, config.numInFlightAuctions);
  // Hot bidders are the second person of a batch, so that they are not also its hot seller.
  const bidder = random.int(config.hotBiddersRatio) > 0 ? hotIndex(lastPersonIndex(n), 1) : randomPersonIndex(n, random, config.numActivePeople);
  const bidPrice = price(random);
  let channel: string;
  let url: string;
  if (random.int(HOT_CHANNELS_RATIO) > 0) {
    const hot = random.int(HOT_CHANNELS.length);
    channel = HOT_CHANNELS[hot] as string;
    url = HOT_URLS[hot] as string;
  } else {
    const number = random.int(CHANNELS);
    channel = channelName(number);
    url = channelUrl(number);
  }
  return {
    kind: 'bid',
    auction: auction + FIRST_AUCTION_ID,
    bidder: bidder + FIRST_PERSON_ID,
    price: bidPrice,
    channel,
    url,
    dateTime,
    extra: padding(random, pad, config.extraLength),
  };
}

const names: (string | undefined)[] = new Array<string | undefined>(CHANNELS);
const urls: (string | undefined)[] = new Array<string | undefined>(CHANNELS);

function channelName(number: number): string {
  return (names[number] ??= `channel-${number}`);
}

/**
 * A channel's URL, drawn from a generator seeded by the channel number: the same in every process
 * (the reference draws it from an unseeded generator, so its URLs differ from run to run).
 */
function channelUrl(number: number): string {
  let url = urls[number];
  if (url === undefined) {
    const random = new SeededRandom(0x5eed0000 ^ number);
    url = `https://auctions.example/${letters(random, 3, 8)}/${letters(random, 3, 8)}/item?query=1`;
    // Nine channels in ten tag their URL with their id, as in the reference.
    if (random.int(10) > 0) url += `&channel_id=${number}`;
    urls[number] = url;
  }
  return url;
}
