/**
 * Query 2, selection: the auction and price of every bid on an auction whose id is a multiple of
 * 123 (the reference's `auctionSkip`, which replaces the original query's five fixed ids so that
 * the output grows with the stream).
 */
import type { NexmarkEvent } from '../events.js';
import { checksum, type FieldOrder } from './canonical.js';

/** Query 2's output. */
export interface Q2Row {
  readonly auction: number;
  readonly price: number;
}

/** Bids on auctions whose id is a multiple of this are selected. */
export const AUCTION_SKIP = 123;

/** Query 2 over `events`. */
export function q2(events: readonly NexmarkEvent[]): Q2Row[] {
  const out: Q2Row[] = [];
  for (const event of events) {
    if (event.kind === 'bid' && event.auction % AUCTION_SKIP === 0) out.push({ auction: event.auction, price: event.price });
  }
  return out;
}

/** Canonical order: every field. */
export const Q2_ORDER: FieldOrder<Q2Row> = ['auction', 'price'];

/** An order-independent checksum of query 2's rows. */
export function checksumQ2(rows: readonly Q2Row[]): number {
  return checksum(rows, Q2_ORDER);
}
