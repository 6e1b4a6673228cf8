/**
 * The Nexmark event generator: a pure function of the event number. Event n's kind follows from
 * n % 50 (1 person, 3 auctions, 46 bids per 50 events), its ids from n alone, and everything else
 * from a PRNG seeded by n and the stream's seed, so `generate(from, count)` returns the same events
 * for the same range whatever was generated before, and a source can resume at any event number.
 *
 * Rules (after Apache Beam's Nexmark generator; see README.md for where we depart from it):
 * - ids: persons and auctions are numbered from 1000 in event order;
 * - references: an auction's seller and a bid's bidder are a hot person (the first, resp. second,
 *   person of the newest batch of 100) or one of the newest `numActivePeople`; a bid's auction is a
 *   hot one (the first of the newest batch of 100 auctions) or one of the newest
 *   `numInFlightAuctions`; a random pick may name up to 10 persons or auctions not yet created;
 * - time: event n is due `n / eventsPerSecond` s after `baseTime`; a `delayedFraction` of events
 *   carry a time up to `maxDelayMs` earlier.
 */
import { InvalidOptionError } from '../../src/index.js';
import { resolveNexmarkConfig, type NexmarkConfig, type NexmarkOptions } from './config.js';
import type { NexmarkEvent } from './events.js';
import { nextAuction } from './internal/auction.js';
import { nextBid } from './internal/bid.js';
import { kindOf } from './internal/entity-ids.js';
import { eventTime } from './internal/event-time.js';
import { nextPerson } from './internal/person.js';
import { SeededRandom, eventSeed } from './internal/seeded-random.js';
import { paddingPool } from './internal/text.js';

/**
 * Makes events of one configured stream.
 *
 * @example
 * ```ts
 * const generator = new NexmarkGenerator({ eventsPerSecond: 1000 });
 * generator.event(0).kind; // 'person'
 * generator.generate(1000, 50).filter((e) => e.kind === 'bid').length; // 46
 * ```
 */
export class NexmarkGenerator {
  /** The resolved configuration. */
  readonly config: NexmarkConfig;
  readonly #random = new SeededRandom();
  readonly #pad: string;

  /** @throws InvalidOptionError for an invalid option. */
  constructor(options: NexmarkOptions = {}) {
    this.config = resolveNexmarkConfig(options);
    this.#pad = paddingPool(this.config.extraLength);
  }

  /**
   * Event number `n` of the stream.
   * @throws InvalidOptionError unless `n` is a safe integer ≥ 0.
   */
  event(n: number): NexmarkEvent {
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidOptionError('n', 'an event number (a safe integer ≥ 0)', n);
    return this.#make(n);
  }

  /**
   * Events `from` to `from + count − 1`, in event-number order.
   * @throws InvalidOptionError for a negative or fractional `from` or `count`.
   */
  generate(from: number, count: number): NexmarkEvent[] {
    checkRange(from, count);
    const events = new Array<NexmarkEvent>(count);
    for (let i = 0; i < count; i++) events[i] = this.#make(from + i);
    return events;
  }

  /**
   * Events from `from` on, lazily: `count` of them, or without end when `count` is Infinity.
   * @throws InvalidOptionError for a negative or fractional `from` or `count`.
   */
  *events(from = 0, count = Infinity): Generator<NexmarkEvent, void, undefined> {
    checkRange(from, count);
    const end = from + count;
    for (let n = from; n < end; n++) yield this.#make(n);
  }

  // Reseeding and every draw happen within one synchronous call, so interleaved `events()`
  // iterators can share one SeededRandom.
  #make(n: number): NexmarkEvent {
    const random = this.#random;
    random.reseed(eventSeed(n, this.config.seed));
    const dateTime = eventTime(n, random, this.config);
    switch (kindOf(n)) {
      case 'person':
        return nextPerson(n, random, dateTime, this.config, this.#pad);
      case 'auction':
        return nextAuction(n, random, dateTime, this.config, this.#pad);
      case 'bid':
        return nextBid(n, random, dateTime, this.config, this.#pad);
    }
  }
}

/**
 * Events `from` to `from + count − 1` of the stream `options` configure.
 * @throws InvalidOptionError for an invalid range or option.
 * @example
 * ```ts
 * const events = generate(0, 20_000);
 * expect(generate(500, 100)).toEqual(events.slice(500, 600));
 * ```
 */
export function generate(from: number, count: number, options: NexmarkOptions = {}): NexmarkEvent[] {
  return new NexmarkGenerator(options).generate(from, count);
}

function checkRange(from: number, count: number): void {
  if (!Number.isSafeInteger(from) || from < 0) throw new InvalidOptionError('from', 'an event number (a safe integer ≥ 0)', from);
  if (!(count === Infinity || (Number.isSafeInteger(count) && count >= 0))) {
    throw new InvalidOptionError('count', 'an integer ≥ 0 or Infinity', count);
  }
}
