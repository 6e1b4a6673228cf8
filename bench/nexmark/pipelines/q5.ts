/**
 * Query 5 (hot items) as a Sluice pipeline, in two keyed stages. First, bids per auction in each
 * sliding window (`window(sliding(size, slide)).aggregate` with a `merge`, so each bid is counted
 * once, in its 2 s pane, and a window's count is the sum of its panes'), each count emitted once,
 * when the watermark passes the window, stamped with the window's last millisecond. Then, keyed by
 * the window's end, a process function keeps the highest count seen and the auctions that have it.
 *
 * When is a window's set of counts complete? Every count of window [s, e) is stamped e − 1, and
 * each first-stage partition sends its counts of that window before it sends a watermark ≥ e − 1.
 * The second stage's watermark is the smallest of its inputs', so once it reaches e − 1 every
 * partition has sent all its counts of the window. That is when the event-time timer at e − 1,
 * registered by the window's first count, fires: the process function emits the winners and drops
 * the window's state.
 */
import { pipeline, sliding, type Pipeline, type ProcessFunction, type Sink, type Source, type WindowResult } from '../../../src/index.js';
import { isBid, type NexmarkEvent } from '../events.js';
import type { Q5Row } from '../models/q5.js';
import { byEventTime, resolveWindowed, type WindowedQueryOptions } from './event-time.js';

/** Options of {@link q5Pipeline}. */
export interface Q5PipelineOptions extends WindowedQueryOptions {
  /** Window size (ms). @defaultValue 10_000 */
  size?: number | undefined;
  /** A window starts every `slide` ms. @defaultValue 2_000 */
  slide?: number | undefined;
}

/** The hottest auctions of one window so far: the most bids any had, and which had that many. */
export interface HotAuctions {
  readonly most: number;
  /** In arrival order; usually one, more on a tie. */
  readonly auctions: readonly number[];
}

/** Counts records; with `merge`, a sliding window counts each bid once, in its pane. */
const COUNT = {
  create: () => 0,
  add: (count: number) => count + 1,
  merge: (a: number, b: number) => a + b,
  result: (count: number) => count,
};

const NONE: HotAuctions = Object.freeze({ most: 0, auctions: Object.freeze([]) });

/** Keeps the auctions with the most bids; `hot` is never changed (keyed state shares it). */
export function withCount(hot: HotAuctions, auction: number, count: number): HotAuctions {
  if (count > hot.most) return { most: count, auctions: [auction] };
  if (count === hot.most) return { most: count, auctions: [...hot.auctions, auction] };
  return hot;
}

/**
 * The second stage, keyed by window end: folds a window's per-auction counts and emits its
 * winners when the watermark says every count is in. A fresh state per window (`clearState`).
 */
export function hottestPerWindow(size: number): ProcessFunction<WindowResult<number, number>, number, HotAuctions, Q5Row> {
  return {
    initialState: () => NONE,
    onRecord(hot, counted, ctx) {
      // The window's first count: its last millisecond is when all its counts are in.
      if (hot.most === 0) ctx.registerEventTimer(counted.window.end - 1);
      return withCount(hot, counted.key, counted.value);
    },
    onTimer(hot, _timer, ctx) {
      const windowEnd = ctx.key;
      for (const auction of hot.auctions) ctx.emit({ windowStart: windowEnd - size, windowEnd, auction, count: hot.most });
      ctx.clearState();
      return hot;
    },
  };
}

/**
 * Query 5: in every sliding window, the auction(s) with the most bids.
 * @example
 * ```ts
 * const out = toArray<Q5Row>();
 * await q5Pipeline(nexmarkSource({ events: 50_000 }), out).run().done;
 * ```
 */
export function q5Pipeline(source: Source<NexmarkEvent, unknown>, sink: Sink<Q5Row>, options: Q5PipelineOptions = {}): Pipeline {
  const resolved = resolveWindowed(options);
  const { partitions } = resolved;
  const size = options.size ?? 10_000;
  const slide = options.slide ?? 2_000;
  return byEventTime(pipeline(source).filter(isBid, 'bids'), resolved)
    .keyBy((bid) => bid.auction, { partitions })
    .window(sliding(size, slide), { name: 'bids-per-auction' })
    .aggregate(COUNT)
    .keyBy((counted) => counted.window.end, { partitions })
    .process(hottestPerWindow(size), { name: 'hottest-per-window' })
    .to(sink);
}
