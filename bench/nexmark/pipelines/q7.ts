/**
 * Query 7 (highest bid) as a Sluice pipeline: the maximum price of each tumbling window, joined
 * back to the bids of that window with that price. Both halves are one accumulator, the highest
 * price with the bids that have it, folded in two keyed stages so that the work spreads over the
 * partitions: first per auction and window, then per window over the auctions' winners.
 *
 * When is a window's maximum known? The first stage emits each auction's winners of window
 * [s, e) once, when its watermark passes e − 1, stamped e − 1. The second stage puts those in the
 * same tumbling window (e − 1 is in [s, e)) and fires it when its own watermark, the smallest of
 * the first stage's, reaches e − 1: after every partition has sent its winners of the window.
 */
import { pipeline, tumbling, type Pipeline, type Sink, type Source, type WindowResult } from '../../../src/index.js';
import { isBid, type BidEvent, type NexmarkEvent } from '../events.js';
import type { Q7Row } from '../models/q7.js';
import { byEventTime, resolveWindowed, type WindowedQueryOptions } from './event-time.js';

/** Options of {@link q7Pipeline}. */
export interface Q7PipelineOptions extends WindowedQueryOptions {
  /** Window size (ms). @defaultValue 10_000 */
  size?: number | undefined;
}

/** The highest price seen and every bid with it (usually one). Never changed once made. */
export interface HighestBids {
  readonly price: number;
  readonly bids: readonly BidEvent[];
}

/** Below every price: prices are whole cents, at least a dollar. */
const NONE: HighestBids = Object.freeze({ price: -1, bids: Object.freeze([]) });

/** Adds `bids`, all at `price`, to `highest`. */
export function withBids(highest: HighestBids, price: number, bids: readonly BidEvent[]): HighestBids {
  if (price > highest.price) return { price, bids };
  if (price === highest.price) return { price, bids: [...highest.bids, ...bids] };
  return highest;
}

function rows(highest: HighestBids, window: { readonly start: number; readonly end: number }): Q7Row[] {
  return highest.bids.map(({ auction, bidder, price, dateTime, extra }) => ({
    windowStart: window.start,
    windowEnd: window.end,
    auction,
    bidder,
    price,
    dateTime,
    extra,
  }));
}

/**
 * Query 7: every bid with the highest price of its tumbling window.
 * @example
 * ```ts
 * const out = toArray<Q7Row>();
 * await q7Pipeline(nexmarkSource({ events: 50_000 }), out).run().done;
 * ```
 */
export function q7Pipeline(source: Source<NexmarkEvent, unknown>, sink: Sink<Q7Row>, options: Q7PipelineOptions = {}): Pipeline {
  const resolved = resolveWindowed(options);
  const { partitions } = resolved;
  const windows = tumbling(options.size ?? 10_000);
  return byEventTime(pipeline(source).filter(isBid, 'bids'), resolved)
    .keyBy((bid) => bid.auction, { partitions })
    .window(windows, { name: 'highest-per-auction' })
    .aggregate({
      create: () => NONE,
      add: (highest: HighestBids, bid: BidEvent) => (bid.price < highest.price ? highest : withBids(highest, bid.price, [bid])),
      result: (highest) => highest,
    })
    .keyBy((perAuction: WindowResult<number, HighestBids>) => perAuction.window.start, { partitions })
    .window(windows, { name: 'highest-per-window' })
    .aggregate({
      create: () => NONE,
      add: (highest: HighestBids, perAuction: WindowResult<number, HighestBids>) => withBids(highest, perAuction.value.price, perAuction.value.bids),
      result: (highest, _key, window) => rows(highest, window),
    })
    .flatMap((perWindow) => perWindow.value, 'rows')
    .to(sink);
}
