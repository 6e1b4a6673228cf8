/**
 * The generator's knobs, their defaults (the reference benchmark's, except where noted), and their
 * validation. A resolved config is plain data: two generators with equal configs produce the same
 * events.
 */
import { InvalidOptionError } from '../../src/index.js';

/** Options of the Nexmark generator; every field is optional and has a default. */
export interface NexmarkOptions {
  /**
   * Mixed into every event's seed: another seed gives another stream with the same shape.
   * @defaultValue 0
   */
  seed?: number | undefined;
  /**
   * Event-time rate: event n happens `n / eventsPerSecond` seconds after `baseTime` (before any
   * delay).
   * @defaultValue 10_000
   */
  eventsPerSecond?: number | undefined;
  /**
   * Event time of event 0 (epoch ms). The default is 2024-01-01T00:00:00Z, a multiple of every
   * window size the queries use, so windows line up with the stream's start.
   * @defaultValue 1_704_067_200_000
   */
  baseTime?: number | undefined;
  /**
   * The fraction of events whose event time is set back by a random delay in [1, `maxDelayMs`]:
   * they arrive late, out of order.
   * @defaultValue 0.1
   */
  delayedFraction?: number | undefined;
  /**
   * The largest delay. No event is more than this behind the newest event time seen before it, so
   * a watermark of "newest event time − maxDelayMs" never declares a later event late.
   * @defaultValue 3000
   */
  maxDelayMs?: number | undefined;
  /**
   * A bid is on a hot auction with probability 1 − 1/hotAuctionRatio (1 makes none hot).
   * @defaultValue 2
   */
  hotAuctionRatio?: number | undefined;
  /**
   * An auction is by a hot seller with probability 1 − 1/hotSellersRatio.
   * @defaultValue 4
   */
  hotSellersRatio?: number | undefined;
  /**
   * A bid is by a hot bidder with probability 1 − 1/hotBiddersRatio.
   * @defaultValue 4
   */
  hotBiddersRatio?: number | undefined;
  /**
   * Sellers and bidders that are not hot are drawn from the newest this-many people (plus a few
   * not yet created).
   * @defaultValue 1000
   */
  numActivePeople?: number | undefined;
  /**
   * Bids that are not on a hot auction are on one of the newest this-many auctions (plus a few not
   * yet created); auctions last about as long as it takes to create this many more.
   * @defaultValue 100
   */
  numInFlightAuctions?: number | undefined;
  /**
   * Mean length of every event's `extra` padding (±20%). The reference pads events to 100–500
   * bytes; our default is short so that a benchmark measures the engine, not string building.
   * @defaultValue 8
   */
  extraLength?: number | undefined;
}

/** Options with every default filled in. */
export type NexmarkConfig = { readonly [K in keyof NexmarkOptions]-?: Exclude<NexmarkOptions[K], undefined> };

/** The defaults. */
export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = Object.freeze({
  seed: 0,
  eventsPerSecond: 10_000,
  baseTime: 1_704_067_200_000,
  delayedFraction: 0.1,
  maxDelayMs: 3000,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numActivePeople: 1000,
  numInFlightAuctions: 100,
  extraLength: 8,
});

/**
 * Fills in defaults and validates.
 * @throws InvalidOptionError naming the first invalid option.
 * @example
 * ```ts
 * resolveNexmarkConfig({ eventsPerSecond: 1000 }).maxDelayMs; // 3000
 * ```
 */
export function resolveNexmarkConfig(options: NexmarkOptions = {}): NexmarkConfig {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError('options', 'an object', options);
  const config: { -readonly [K in keyof NexmarkConfig]: NexmarkConfig[K] } = { ...DEFAULT_NEXMARK_CONFIG };
  for (const [name, value] of Object.entries(options) as [keyof NexmarkOptions, unknown][]) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_NEXMARK_CONFIG)) throw new InvalidOptionError(name, 'a Nexmark option', value);
    config[name] = check(name, value);
  }
  return Object.freeze(config);
}

function check(name: keyof NexmarkOptions, value: unknown): number {
  const integer = typeof value === 'number' && Number.isSafeInteger(value);
  switch (name) {
    case 'seed':
    case 'baseTime':
      if (!integer) throw new InvalidOptionError(name, 'a safe integer', value);
      return value;
    case 'eventsPerSecond':
      // Bounded so that n × 1000 / rate stays exact in doubles for any event number we can reach.
      if (typeof value !== 'number' || !(value > 0 && value <= 1e9)) throw new InvalidOptionError(name, 'a number in (0, 1e9]', value);
      return value;
    case 'delayedFraction':
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new InvalidOptionError(name, 'a number in [0, 1]', value);
      return value;
    case 'maxDelayMs':
    case 'extraLength':
      if (!integer || value < 0) throw new InvalidOptionError(name, 'an integer ≥ 0', value);
      return value;
    case 'hotAuctionRatio':
    case 'hotSellersRatio':
    case 'hotBiddersRatio':
    case 'numActivePeople':
    case 'numInFlightAuctions':
      if (!integer || value < 1) throw new InvalidOptionError(name, 'a positive integer', value);
      return value;
  }
}
