import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { DEFAULT_NEXMARK_CONFIG } from '../../bench/nexmark/config.js';
import type { NexmarkEvent } from '../../bench/nexmark/events.js';
import { NexmarkGenerator, generate } from '../../bench/nexmark/generator.js';
import {
  AUCTION_ID_LEAD,
  FIRST_AUCTION_ID,
  FIRST_PERSON_ID,
  PERSON_ID_LEAD,
  kindOf,
  lastAuctionIndex,
  lastPersonIndex,
} from '../../bench/nexmark/internal/entity-ids.js';
import { onTime } from '../../bench/nexmark/internal/event-time.js';
import { US_STATES } from '../../bench/nexmark/internal/text.js';
import { InvalidOptionError } from '../../src/index.js';

const N = 20_000;
const events = generate(0, N);

/** The share of `values` for which `test` holds. */
function share<T>(values: readonly T[], test: (value: T) => boolean): number {
  return values.filter(test).length / values.length;
}

function bids(stream: readonly NexmarkEvent[]) {
  return stream.filter((event) => event.kind === 'bid');
}

function auctions(stream: readonly NexmarkEvent[]) {
  return stream.filter((event) => event.kind === 'auction');
}

describe('generate', () => {
  describe('determinism', () => {
    it('returns the same events for the same range, from any generator', () => {
      expect(generate(0, N)).toEqual(events);
      expect(new NexmarkGenerator(DEFAULT_NEXMARK_CONFIG).generate(0, N)).toEqual(events);
    });

    it.prop([fc.nat(N - 1), fc.nat(400)])('generate(a, n) is the slice [a, a + n) of generate(0, a + n)', (from, count) => {
      const end = Math.min(N, from + count);
      expect(generate(from, end - from)).toEqual(events.slice(from, end));
    });

    it.prop([fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 100 }), fc.nat(50)])(
      'makes any event on its own, however far into the stream',
      (from, count) => {
        const generator = new NexmarkGenerator();
        const range = generator.generate(from, count);
        expect(range).toEqual(Array.from({ length: count }, (_, i) => generator.event(from + i)));
        expect([...generator.events(from, count)]).toEqual(range);
      },
    );

    it('makes another stream for another seed, with the same kinds and ids', () => {
      const other = generate(0, 500, { seed: 42 });
      expect(other).not.toEqual(events.slice(0, 500));
      const ids = (event: NexmarkEvent) => [event.kind, event.kind === 'bid' ? undefined : event.id];
      expect(other.map(ids)).toEqual(events.slice(0, 500).map(ids));
    });
  });

  describe('proportions', () => {
    it('makes event n a person when n % 50 < 1, an auction when < 4, else a bid', () => {
      events.forEach((event, n) => expect(event.kind).toBe(n % 50 < 1 ? 'person' : n % 50 < 4 ? 'auction' : 'bid'));
    });

    it.prop([fc.integer({ min: 0, max: 2 ** 40 })])('has exactly 1 person, 3 auctions and 46 bids in any 50 consecutive events', (from) => {
      const counts = { person: 0, auction: 0, bid: 0 };
      for (let n = from; n < from + 50; n++) counts[kindOf(n)]++;
      expect(counts).toEqual({ person: 1, auction: 3, bid: 46 });
    });
  });

  describe('ids', () => {
    it('numbers persons and auctions from 1000 in event order, without gaps', () => {
      const persons = events.filter((event) => event.kind === 'person');
      expect(persons.map((p) => p.id)).toEqual(persons.map((_, i) => FIRST_PERSON_ID + i));
      expect(auctions(events).map((a) => a.id)).toEqual(auctions(events).map((_, i) => FIRST_AUCTION_ID + i));
    });

    it('refers only to persons and auctions already made or at most 10 ahead (in flight)', () => {
      events.forEach((event, n) => {
        const newestPerson = FIRST_PERSON_ID + lastPersonIndex(n);
        const newestAuction = FIRST_AUCTION_ID + lastAuctionIndex(n);
        const people = event.kind === 'auction' ? [event.seller] : event.kind === 'bid' ? [event.bidder] : [];
        for (const id of people) expect(id >= FIRST_PERSON_ID && id <= newestPerson + PERSON_ID_LEAD, `event ${n}`).toBe(true);
        if (event.kind === 'bid') {
          expect(event.auction >= FIRST_AUCTION_ID && event.auction <= newestAuction + AUCTION_ID_LEAD, `event ${n}`).toBe(true);
        }
      });
    });

    it('refers to persons and auctions that the stream does make', () => {
      const persons = new Set(events.flatMap((event) => (event.kind === 'person' ? [event.id] : [])));
      const auctionIds = new Set(auctions(events).map((a) => a.id));
      // Leave room at the end for the in-flight entities to be made.
      for (const event of events.slice(0, N - 11 * 50)) {
        if (event.kind === 'auction') expect(persons.has(event.seller)).toBe(true);
        if (event.kind === 'bid') {
          expect(persons.has(event.bidder)).toBe(true);
          expect(auctionIds.has(event.auction)).toBe(true);
        }
      }
    });

    it('draws sellers and bidders that are not hot from the newest numActivePeople', () => {
      const stream = generate(0, N, { numActivePeople: 20, hotSellersRatio: 1, hotBiddersRatio: 1 });
      stream.forEach((event, n) => {
        const oldest = FIRST_PERSON_ID + lastPersonIndex(n) + 1 - 20;
        if (event.kind === 'auction') expect(event.seller).toBeGreaterThanOrEqual(oldest);
        if (event.kind === 'bid') expect(event.bidder).toBeGreaterThanOrEqual(oldest);
      });
    });

    it('draws auctions that are not hot from the newest numInFlightAuctions', () => {
      const stream = generate(0, N, { numInFlightAuctions: 5, hotAuctionRatio: 1 });
      stream.forEach((event, n) => {
        if (event.kind === 'bid') expect(event.auction).toBeGreaterThanOrEqual(FIRST_AUCTION_ID + lastAuctionIndex(n) - 5);
      });
    });
  });

  describe('hot keys', () => {
    const long = generate(0, 100_000);
    const hotAuction = (stream: readonly NexmarkEvent[]) => share(bids(stream), (b) => b.auction % 100 === 0);

    // Not-hot picks land on a hot id too, about 1 time in 100.
    it.each([
      [1, 0.01],
      [2, 0.5],
      [4, 0.75],
    ])('puts about 1 − 1/%i of the bids on hot auctions', (ratio, expected) => {
      const stream = ratio === 2 ? long : generate(0, 100_000, { hotAuctionRatio: ratio });
      expect(Math.abs(hotAuction(stream) - expected)).toBeLessThan(0.03);
    });

    it('has hot sellers and hot bidders (3 in 4 by default), who are not the same people', () => {
      expect(Math.abs(share(auctions(long), (a) => a.seller % 100 === 0) - 0.75)).toBeLessThan(0.03);
      expect(Math.abs(share(bids(long), (b) => b.bidder % 100 === 1) - 0.75)).toBeLessThan(0.03);
    });
  });

  describe('event time', () => {
    const configArb = fc.record({
      eventsPerSecond: fc.integer({ min: 1, max: 1_000_000 }),
      delayedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      maxDelayMs: fc.nat(5000),
      baseTime: fc.integer({ min: 0, max: 2 ** 42 }),
    });

    it.prop([configArb, fc.nat(10_000)], { numRuns: 40 })('never puts an event more than maxDelayMs behind the newest time before it', (options, from) => {
      const generator = new NexmarkGenerator(options);
      let newest = -Infinity;
      for (const event of generator.events(from, 1000)) {
        expect(event.dateTime).toBeGreaterThanOrEqual(newest - options.maxDelayMs);
        newest = Math.max(newest, event.dateTime);
      }
    });

    it.prop([configArb, fc.nat(10_000)], { numRuns: 40 })('is at most maxDelayMs before the event is due, and never after', (options, from) => {
      const generator = new NexmarkGenerator(options);
      for (let n = from; n < from + 500; n++) {
        const due = onTime(n, generator.config);
        const { dateTime } = generator.event(n);
        expect(dateTime <= due && dateTime >= due - options.maxDelayMs && dateTime >= options.baseTime).toBe(true);
      }
    });

    it('advances at eventsPerSecond from baseTime', () => {
      const stream = generate(0, 1001, { eventsPerSecond: 100, delayedFraction: 0, baseTime: 5000 });
      expect([stream[0]?.dateTime, stream[1]?.dateTime, stream[1000]?.dateTime]).toEqual([5000, 5010, 15_000]);
    });

    it('delays about delayedFraction of the events', () => {
      const delayed = share(
        events.map((event, n) => event.dateTime < onTime(n, DEFAULT_NEXMARK_CONFIG)),
        (late) => late,
      );
      expect(Math.abs(delayed - 0.1)).toBeLessThan(0.01);
    });

    it('changes nothing but the time when delays are switched off', () => {
      const onTimeEvents = generate(0, 2000, { delayedFraction: 0 });
      onTimeEvents.forEach((event, n) => {
        const delayed = events[n] as NexmarkEvent;
        const shift = delayed.dateTime - event.dateTime;
        expect(delayed).toEqual(
          event.kind === 'auction' ? { ...event, dateTime: delayed.dateTime, expires: event.expires + shift } : { ...event, dateTime: delayed.dateTime },
        );
      });
    });
  });

  describe('fields', () => {
    it('keeps every field in its documented range', () => {
      for (const event of events) {
        expect(event.extra.length).toBeGreaterThanOrEqual(6);
        expect(event.extra.length).toBeLessThanOrEqual(10);
        if (event.kind === 'person') {
          expect(US_STATES).toContain(event.state);
          expect(event.creditCard).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
          expect(event.emailAddress).toMatch(/^[a-z]+@[a-z]+\.com$/);
        } else if (event.kind === 'auction') {
          expect(event.category >= 10 && event.category <= 14).toBe(true);
          expect(event.initialBid >= 100 && event.initialBid <= 100_000_000).toBe(true);
          expect(event.reserve).toBeGreaterThanOrEqual(event.initialBid);
          expect(event.expires).toBeGreaterThan(event.dateTime);
        } else {
          expect(event.price >= 100 && event.price <= 100_000_000).toBe(true);
          expect(event.channel).toMatch(/^(search|social|newsletter|app|channel-\d+)$/);
        }
      }
    });

    it('pads to extraLength ± 20%, past the built-in pool too', () => {
      for (const length of [0, 100, 5000]) {
        for (const event of generate(0, 200, { extraLength: length })) {
          expect(Math.abs(event.extra.length - length)).toBeLessThanOrEqual(Math.round(length * 0.2));
        }
      }
    });
  });

  describe('errors', () => {
    it.each([
      [-1, 1, 'from'],
      [0.5, 1, 'from'],
      [0, -1, 'count'],
      [0, 1.5, 'count'],
    ])('rejects generate(%d, %d), naming %s', (from, count, option) => {
      expect(() => generate(from, count)).toThrow(expect.objectContaining({ option }) as InvalidOptionError);
    });

    it('rejects an event number that is not one', () => {
      expect(() => new NexmarkGenerator().event(-1)).toThrow(InvalidOptionError);
    });
  });
});
