/**
 * Query 1, currency conversion: every bid, with its price turned from dollars to euros at 0.908.
 *
 * Rounding: prices are integer cents throughout, and Beam's query 1 keeps them so by truncating
 * the converted price (integer division). We do the same with the 0.908 rate of the nexmark-flink
 * suite (whose SQL keeps an exact decimal instead): ⌊price × 908 / 1000⌋ cents. The product is an
 * exact integer in a double for any price below 9.9 × 10^12 cents, and no quotient lands close
 * enough to an integer for the division's rounding to move the floor, so the result is exact.
 */
import type { Bid, NexmarkEvent } from '../events.js';
import { checksum, type FieldOrder } from './canonical.js';

/** Query 1's output: a bid with the price in euro cents. */
export type Q1Row = Bid;

/** Euro cents for `cents` dollar cents, truncated. */
export function dollarsToEuros(cents: number): number {
  return Math.floor((cents * 908) / 1000);
}

/** The bid with its price converted. */
export function toEuros(bid: Bid): Q1Row {
  return {
    auction: bid.auction,
    bidder: bid.bidder,
    price: dollarsToEuros(bid.price),
    channel: bid.channel,
    url: bid.url,
    dateTime: bid.dateTime,
    extra: bid.extra,
  };
}

/** Query 1 over `events`. */
export function q1(events: readonly NexmarkEvent[]): Q1Row[] {
  const out: Q1Row[] = [];
  for (const event of events) if (event.kind === 'bid') out.push(toEuros(event));
  return out;
}

/** Canonical order: every field. */
export const Q1_ORDER: FieldOrder<Q1Row> = ['dateTime', 'auction', 'bidder', 'price', 'channel', 'url', 'extra'];

/** An order-independent checksum over the fields query 1 computes or keys by (not the passed-through strings). */
export function checksumQ1(rows: readonly Q1Row[]): number {
  return checksum(rows, ['auction', 'bidder', 'price', 'dateTime']);
}
