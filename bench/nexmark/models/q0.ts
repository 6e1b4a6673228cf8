/**
 * Query 0, passthrough: every event, unchanged. It measures what the engine costs with no work at
 * all to do.
 */
import type { Auction, Bid, NexmarkEvent, Person } from '../events.js';
import { compareRows, rowHash, type FieldOrder } from './canonical.js';

/** Query 0's output: the events themselves. */
export type Q0Row = NexmarkEvent;

const PERSON_FIELDS: FieldOrder<Person> = ['id', 'dateTime', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'extra'];
const AUCTION_FIELDS: FieldOrder<Auction> = ['id', 'dateTime', 'itemName', 'description', 'initialBid', 'reserve', 'expires', 'seller', 'category', 'extra'];
const BID_FIELDS: FieldOrder<Bid> = ['dateTime', 'auction', 'bidder', 'price', 'channel', 'url', 'extra'];
const KIND_ORDER = { person: 0, auction: 1, bid: 2 } as const;

/** Query 0 over `events`. */
export function q0(events: readonly NexmarkEvent[]): Q0Row[] {
  const out: Q0Row[] = [];
  for (const event of events) out.push(event);
  return out;
}

/** The canonical order of query 0's rows: persons, auctions, bids, each by all their fields. */
export function compareQ0(a: Q0Row, b: Q0Row): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (a.kind === 'person') return compareRows(a, b as Person, PERSON_FIELDS);
  if (a.kind === 'auction') return compareRows(a, b as Auction, AUCTION_FIELDS);
  return compareRows(a, b as Bid, BID_FIELDS);
}

/**
 * An order-independent checksum of query 0's rows over their numeric fields: the strings pass
 * through untouched, so they are left to the tests' full comparison, and the checksum stays cheap
 * on millions of rows.
 */
export function checksumQ0(rows: readonly Q0Row[]): number {
  let sum = 0;
  for (const row of rows) {
    const h = row.kind === 'person' ? rowHash(row, PERSON_SUM) : row.kind === 'auction' ? rowHash(row, AUCTION_SUM) : rowHash(row, BID_SUM);
    sum = (sum + h) % 4294967296;
  }
  return sum;
}

const PERSON_SUM: FieldOrder<Person> = ['id', 'dateTime'];
const AUCTION_SUM: FieldOrder<Auction> = ['id', 'dateTime', 'seller', 'category', 'reserve', 'expires'];
const BID_SUM: FieldOrder<Bid> = ['auction', 'bidder', 'price', 'dateTime'];
