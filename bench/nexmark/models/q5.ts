/**
 * Query 5, hot items: in every sliding window of 10 s, starting every 2 s, the auction(s) with the
 * most bids (all of them when several tie), with their count. Windows without bids produce
 * nothing. This is the answer with complete input: what an engine gives with a watermark that
 * never declares an event late (the generator's `maxDelayMs` bound).
 */
import type { NexmarkEvent } from '../events.js';
import { checksum, type FieldOrder } from './canonical.js';
import { slidingStarts } from './event-windows.js';

/** Query 5's output: an auction with the most bids in a window. */
export interface Q5Row {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly auction: number;
  /** Its bids in the window. */
  readonly count: number;
}

/** Window sizes of query 5 (ms). */
export interface Q5Options {
  /** @defaultValue 10_000 */
  readonly size?: number;
  /** @defaultValue 2_000 */
  readonly slide?: number;
}

/** Query 5 over `events`. */
export function q5(events: readonly NexmarkEvent[], { size = 10_000, slide = 2_000 }: Q5Options = {}): Q5Row[] {
  const counts = new Map<number, Map<number, number>>();
  for (const event of events) {
    if (event.kind !== 'bid') continue;
    for (const start of slidingStarts(event.dateTime, size, slide)) {
      let perAuction = counts.get(start);
      if (perAuction === undefined) counts.set(start, (perAuction = new Map()));
      perAuction.set(event.auction, (perAuction.get(event.auction) ?? 0) + 1);
    }
  }
  const out: Q5Row[] = [];
  for (const [windowStart, perAuction] of counts) {
    const most = Math.max(...perAuction.values());
    for (const [auction, count] of perAuction) {
      if (count === most) out.push({ windowStart, windowEnd: windowStart + size, auction, count });
    }
  }
  return out;
}

/** Canonical order: by window, then auction. */
export const Q5_ORDER: FieldOrder<Q5Row> = ['windowStart', 'windowEnd', 'auction', 'count'];

/** An order-independent checksum of query 5's rows. */
export function checksumQ5(rows: readonly Q5Row[]): number {
  return checksum(rows, Q5_ORDER);
}
