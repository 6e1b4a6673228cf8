/**
 * Queries 0, 1 and 2 as Sluice pipelines: stateless, so each is one fused chain of operators in
 * the source driver, and the sink gets the rows in event order.
 */
import { pipeline, type Pipeline, type Sink, type Source } from '../../../src/index.js';
import { isBid, type BidEvent, type NexmarkEvent } from '../events.js';
import type { Q0Row } from '../models/q0.js';
import { toEuros, type Q1Row } from '../models/q1.js';
import { AUCTION_SKIP, type Q2Row } from '../models/q2.js';

/**
 * Query 0: every event to the sink, unchanged.
 * @example
 * ```ts
 * await q0Pipeline(nexmarkSource({ events: 1000 }), toArray()).run().done;
 * ```
 */
export function q0Pipeline(source: Source<NexmarkEvent, unknown>, sink: Sink<Q0Row>): Pipeline {
  return pipeline(source).to(sink);
}

/** Query 1: bids, with prices in euros. */
export function q1Pipeline(source: Source<NexmarkEvent, unknown>, sink: Sink<Q1Row>): Pipeline {
  return pipeline(source).filter(isBid, 'bids').map(toEuros, 'to-euros').to(sink);
}

/** Query 2: the auction and price of bids on every 123rd auction. */
export function q2Pipeline(source: Source<NexmarkEvent, unknown>, sink: Sink<Q2Row>): Pipeline {
  return pipeline(source)
    .filter((event): event is BidEvent => event.kind === 'bid' && event.auction % AUCTION_SKIP === 0, 'selected-bids')
    .map((bid): Q2Row => ({ auction: bid.auction, price: bid.price }), 'auction-price')
    .to(sink);
}
