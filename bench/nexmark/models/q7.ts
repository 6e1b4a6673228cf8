/**
 * Query 7, highest bid: in every tumbling window of 10 s, the highest price bid, joined back to
 * the bids of that window with that price (all of them when several tie). As in Beam, a bid is
 * matched only within its own window (nexmark-flink's SQL also matches bids at exactly the end of
 * the window, which belong to the next one). Complete-input semantics, as for query 5.
 */
import type { NexmarkEvent } from '../events.js';
import { checksum, type FieldOrder } from './canonical.js';
import { tumblingStart } from './event-windows.js';

/** Query 7's output: a bid with its window's highest price. */
export interface Q7Row {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly dateTime: number;
  readonly extra: string;
}

/** Query 7 over `events`, with windows of `size` ms (default 10 s). */
export function q7(events: readonly NexmarkEvent[], size = 10_000): Q7Row[] {
  const highest = new Map<number, Q7Row[]>();
  for (const event of events) {
    if (event.kind !== 'bid') continue;
    const windowStart = tumblingStart(event.dateTime, size);
    const best = highest.get(windowStart);
    const top = best?.[0]?.price ?? -Infinity;
    if (event.price < top) continue;
    const row: Q7Row = {
      windowStart,
      windowEnd: windowStart + size,
      auction: event.auction,
      bidder: event.bidder,
      price: event.price,
      dateTime: event.dateTime,
      extra: event.extra,
    };
    if (best === undefined || event.price > top) highest.set(windowStart, [row]);
    else best.push(row);
  }
  return [...highest.values()].flat();
}

/** Canonical order: by window, then every field of the bid. */
export const Q7_ORDER: FieldOrder<Q7Row> = ['windowStart', 'windowEnd', 'price', 'auction', 'bidder', 'dateTime', 'extra'];

/** An order-independent checksum of query 7's rows. */
export function checksumQ7(rows: readonly Q7Row[]): number {
  return checksum(rows, Q7_ORDER);
}
