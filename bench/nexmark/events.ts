/**
 * The Nexmark event types: an online auction's people, auctions and bids. An event is one of the
 * three with a `kind` tag inline (no wrapper object), so a generated event is one allocation.
 * Money is in integer cents and times are epoch milliseconds, as in the reference benchmark.
 */

/** Someone who joined the auction site. */
export interface Person {
  /** Unique, increasing with the event number; the first is 1000. */
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  /** A two-letter US state code (AZ, CA, ID, OR, WA or WY). */
  readonly state: string;
  /** Event time (epoch ms). */
  readonly dateTime: number;
  /** Padding, to make events as large as a test wants. */
  readonly extra: string;
}

/** An item put up for sale by a person. */
export interface Auction {
  /** Unique, increasing with the event number; the first is 1000. */
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  /** Cents. */
  readonly initialBid: number;
  /** Cents, at least `initialBid`. */
  readonly reserve: number;
  /** Event time (epoch ms). */
  readonly dateTime: number;
  /** When the auction closes (epoch ms), after `dateTime`. */
  readonly expires: number;
  /** The id of the selling person. */
  readonly seller: number;
  /** 10 to 14. */
  readonly category: number;
  readonly extra: string;
}

/** A bid on an auction. */
export interface Bid {
  /** The id of the auction bid on. */
  readonly auction: number;
  /** The id of the bidding person. */
  readonly bidder: number;
  /** Cents. */
  readonly price: number;
  /** Where the bid came from: one of four hot channels or `channel-<n>`. */
  readonly channel: string;
  readonly url: string;
  /** Event time (epoch ms). */
  readonly dateTime: number;
  readonly extra: string;
}

/** A new person, as an event. */
export interface PersonEvent extends Person {
  readonly kind: 'person';
}

/** A new auction, as an event. */
export interface AuctionEvent extends Auction {
  readonly kind: 'auction';
}

/** A bid, as an event. */
export interface BidEvent extends Bid {
  readonly kind: 'bid';
}

/**
 * One event of the stream, tagged by `kind`.
 *
 * @example
 * ```ts
 * const bids = events.filter((event): event is BidEvent => event.kind === 'bid');
 * ```
 */
export type NexmarkEvent = PersonEvent | AuctionEvent | BidEvent;

/** The kinds of event. */
export type EventKind = NexmarkEvent['kind'];

/** Narrows an event to a bid. */
export function isBid(event: NexmarkEvent): event is BidEvent {
  return event.kind === 'bid';
}

/** Narrows an event to a person. */
export function isPerson(event: NexmarkEvent): event is PersonEvent {
  return event.kind === 'person';
}

/** Narrows an event to an auction. */
export function isAuction(event: NexmarkEvent): event is AuctionEvent {
  return event.kind === 'auction';
}
