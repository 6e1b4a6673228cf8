import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { canonical, checksum, compareRows } from '../../bench/nexmark/models/canonical.js';
import { slidingStarts, tumblingStart } from '../../bench/nexmark/models/event-windows.js';
import { compareQ0, q0 } from '../../bench/nexmark/models/q0.js';
import { dollarsToEuros, q1 } from '../../bench/nexmark/models/q1.js';
import { q2 } from '../../bench/nexmark/models/q2.js';
import { Q3_ORDER, q3 } from '../../bench/nexmark/models/q3.js';
import { Q5_ORDER, q5 } from '../../bench/nexmark/models/q5.js';
import { Q7_ORDER, q7 } from '../../bench/nexmark/models/q7.js';
import { Q8_ORDER, q8 } from '../../bench/nexmark/models/q8.js';
import type { BidEvent } from '../../bench/nexmark/events.js';
import { T0, auction, bid, person } from './helpers.js';

const S = 1000;

describe('canonical order', () => {
  describe('compareRows', () => {
    it('compares field by field, numbers numerically and strings by code unit', () => {
      expect(compareRows({ a: 2, b: 'x' }, { a: 10, b: 'a' }, ['a', 'b'])).toBeLessThan(0);
      expect(compareRows({ a: 2, b: 'x' }, { a: 2, b: 'a' }, ['a', 'b'])).toBeGreaterThan(0);
      expect(compareRows({ a: 2, b: 'x' }, { a: 2, b: 'x' }, ['a', 'b'])).toBe(0);
    });
  });

  describe('canonical', () => {
    it('sorts a copy and leaves the input alone', () => {
      const rows = [{ a: 3 }, { a: 1 }, { a: 2 }];
      expect(canonical(rows, ['a'])).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
      expect(rows).toEqual([{ a: 3 }, { a: 1 }, { a: 2 }]);
    });
  });

  describe('checksum', () => {
    const rowsArb = fc.array(fc.record({ n: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), s: fc.string() }), { minLength: 1, maxLength: 30 });

    it.prop([rowsArb.chain((rows) => fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length })))])(
      'does not depend on the order of the rows',
      ([rows, shuffled]) => {
        expect(checksum(shuffled, ['n', 's'])).toBe(checksum(rows, ['n', 's']));
      },
    );

    it('tells rows apart by numbers beyond 32 bits and by strings', () => {
      expect(checksum([{ n: 2 ** 33, s: '' }], ['n', 's'])).not.toBe(checksum([{ n: 0, s: '' }], ['n', 's']));
      expect(checksum([{ n: 1, s: 'ab' }], ['n', 's'])).not.toBe(checksum([{ n: 1, s: 'ba' }], ['n', 's']));
    });
  });
});

describe('event windows', () => {
  describe('tumblingStart', () => {
    it.each([
      [0, 0],
      [9999, 0],
      [10_000, 10_000],
      [-1, -10_000],
    ])('puts %d in the window starting at %d', (time, start) => {
      expect(tumblingStart(time, 10_000)).toBe(start);
    });
  });

  describe('slidingStarts', () => {
    it('lists the five 10 s windows, one every 2 s, that hold a time, oldest first', () => {
      expect(slidingStarts(1000, 10_000, 2000)).toEqual([-8000, -6000, -4000, -2000, 0]);
      expect(slidingStarts(2000, 10_000, 2000)).toEqual([-6000, -4000, -2000, 0, 2000]);
    });

    it.prop([fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 10 })])(
      'lists exactly the windows whose half-open span holds the time',
      (time, slide, multiple) => {
        const size = slide * multiple;
        const starts = slidingStarts(time, size, slide);
        expect(starts).toHaveLength(multiple);
        for (const start of starts) expect(start <= time && time < start + size && start % slide === 0).toBe(true);
      },
    );
  });
});

describe('q0', () => {
  it('passes every event through, in order', () => {
    const events = [bid({ auction: 1 }), person({ id: 1000 }), auction({ id: 1000, seller: 1000 })];
    expect(q0(events)).toEqual(events);
  });

  it('orders persons, then auctions, then bids', () => {
    const events = [bid({ auction: 1 }), auction({ id: 1000, seller: 1000 }), person({ id: 1000 })];
    expect([...events].sort(compareQ0).map((event) => event.kind)).toEqual(['person', 'auction', 'bid']);
  });
});

describe('q1', () => {
  describe('dollarsToEuros', () => {
    it.each([
      [1000, 908],
      [999, 907],
      [1, 0],
      [100, 90],
      [100_000_000, 90_800_000],
    ])('turns %d dollar cents into %d euro cents, truncating', (dollars, euros) => {
      expect(dollarsToEuros(dollars)).toBe(euros);
    });

    it.prop([fc.integer({ min: 0, max: 9_000_000_000_000 })])('is exact integer division by 1000 of price × 908', (cents) => {
      expect(BigInt(dollarsToEuros(cents))).toBe((BigInt(cents) * 908n) / 1000n);
    });
  });

  it('converts the price of every bid and keeps the rest, dropping persons and auctions', () => {
    const events = [person({ id: 1000 }), bid({ auction: 7, bidder: 1001, price: 1000, extra: 'x' }), auction({ id: 1000, seller: 1000 })];
    const { kind: _, ...rest } = bid({ auction: 7, bidder: 1001, price: 908, extra: 'x' });
    expect(q1(events)).toEqual([rest]);
  });
});

describe('q2', () => {
  it('selects the auction and price of bids on multiples of 123', () => {
    const events = [bid({ auction: 123, price: 5 }), bid({ auction: 124, price: 6 }), bid({ auction: 246, price: 7 }), person({ id: 1230 })];
    expect(q2(events)).toEqual([
      { auction: 123, price: 5 },
      { auction: 246, price: 7 },
    ]);
  });
});

describe('q3', () => {
  it('joins category-10 auctions with sellers in OR, ID or CA, whichever comes first', () => {
    const events = [
      auction({ id: 1, seller: 7 }), // before its seller
      person({ id: 7, name: 'Ada', city: 'Eugene', state: 'OR' }),
      auction({ id: 2, seller: 7 }),
      auction({ id: 3, seller: 7, category: 11 }), // wrong category
      person({ id: 8, state: 'WA' }),
      auction({ id: 4, seller: 8 }), // seller elsewhere
      auction({ id: 5, seller: 9 }), // seller never seen
      person({ id: 10, name: 'Gus', city: 'Fresno', state: 'CA' }),
      auction({ id: 6, seller: 10 }),
    ];
    expect(canonical(q3(events), Q3_ORDER)).toEqual([
      { name: 'Ada', city: 'Eugene', state: 'OR', auction: 1 },
      { name: 'Ada', city: 'Eugene', state: 'OR', auction: 2 },
      { name: 'Gus', city: 'Fresno', state: 'CA', auction: 6 },
    ]);
  });
});

describe('q5', () => {
  it('gives, per sliding window, the auction with the most bids', () => {
    const events = [
      bid({ auction: 1, dateTime: T0 + 1 * S }),
      bid({ auction: 1, dateTime: T0 + 1 * S }),
      person({ id: 1, dateTime: T0 + 2 * S }),
      bid({ auction: 2, dateTime: T0 + 3 * S }),
      bid({ auction: 2, dateTime: T0 + 11 * S }),
    ];
    const row = (start: number, auctionId: number, count: number) => ({
      windowStart: T0 + start * S,
      windowEnd: T0 + (start + 10) * S,
      auction: auctionId,
      count,
    });
    expect(canonical(q5(events), Q5_ORDER)).toEqual([
      row(-8, 1, 2),
      row(-6, 1, 2),
      row(-4, 1, 2),
      row(-2, 1, 2),
      row(0, 1, 2),
      row(2, 2, 2),
      row(4, 2, 1),
      row(6, 2, 1),
      row(8, 2, 1),
      row(10, 2, 1),
    ]);
  });

  it('gives every auction that ties for the most bids', () => {
    const events = [
      bid({ auction: 1, dateTime: T0 }),
      bid({ auction: 2, dateTime: T0 + 1 }),
      bid({ auction: 3, dateTime: T0 + 2 }),
      bid({ auction: 3, dateTime: T0 + 2 * S }),
    ];
    const window = q5(events, { size: 2 * S, slide: 2 * S });
    expect(canonical(window, Q5_ORDER)).toEqual([
      { windowStart: T0, windowEnd: T0 + 2 * S, auction: 1, count: 1 },
      { windowStart: T0, windowEnd: T0 + 2 * S, auction: 2, count: 1 },
      { windowStart: T0, windowEnd: T0 + 2 * S, auction: 3, count: 1 },
      { windowStart: T0 + 2 * S, windowEnd: T0 + 4 * S, auction: 3, count: 1 },
    ]);
  });

  it('counts a late bid in its own windows, whatever order it comes in', () => {
    const inOrder = [bid({ auction: 1, dateTime: T0 }), bid({ auction: 2, dateTime: T0 + 5 * S }), bid({ auction: 2, dateTime: T0 + 6 * S })];
    const late = [inOrder[1]!, inOrder[2]!, inOrder[0]!];
    expect(canonical(q5(late), Q5_ORDER)).toEqual(canonical(q5(inOrder), Q5_ORDER));
  });
});

describe('q7', () => {
  it('gives, per tumbling window, the bids with the highest price, ties included', () => {
    const nine = bid({ auction: 2, price: 9, bidder: 1, dateTime: T0 + 1 * S });
    const otherNine = bid({ auction: 4, price: 9, bidder: 2, dateTime: T0 + 9999 });
    const one = bid({ auction: 5, price: 1, dateTime: T0 + 10 * S }); // the next window's start
    const events = [
      bid({ auction: 1, price: 5, dateTime: T0 }),
      nine,
      bid({ auction: 3, price: 3, dateTime: T0 + 2 * S }),
      otherNine,
      one,
      person({ id: 1, dateTime: T0 + 3 * S }),
    ];
    const row = ({ kind: _, channel: _c, url: _u, ...fields }: BidEvent, start: number) => ({
      windowStart: T0 + start * S,
      windowEnd: T0 + (start + 10) * S,
      ...fields,
    });
    expect(canonical(q7(events), Q7_ORDER)).toEqual(canonical([row(nine, 0), row(otherNine, 0), row(one, 10)], Q7_ORDER));
  });

  it('lets a later, higher bid replace the window’s best', () => {
    const events = [bid({ auction: 1, price: 5, dateTime: T0 + 1 }), bid({ auction: 2, price: 6, dateTime: T0 })];
    expect(q7(events).map((row) => row.auction)).toEqual([2]);
  });
});

describe('q8', () => {
  it('joins new persons with the auctions they opened in the same tumbling window', () => {
    const events = [
      person({ id: 1, name: 'Ada', dateTime: T0 + 1 * S }),
      auction({ id: 100, seller: 1, reserve: 50, dateTime: T0 + 2 * S }),
      auction({ id: 101, seller: 1, dateTime: T0 + 12 * S }), // next window
      auction({ id: 102, seller: 2, reserve: 70, dateTime: T0 + 3 * S }), // before its seller, same window
      person({ id: 2, name: 'Boris', dateTime: T0 + 4 * S }),
      person({ id: 3, dateTime: T0 + 9999 }),
      auction({ id: 103, seller: 3, dateTime: T0 + 10 * S }), // next window
      auction({ id: 104, seller: 4, dateTime: T0 + 5 * S }), // seller not new
    ];
    expect(canonical(q8(events), Q8_ORDER)).toEqual([
      { windowStart: T0, windowEnd: T0 + 10 * S, id: 1, name: 'Ada', auction: 100, reserve: 50 },
      { windowStart: T0, windowEnd: T0 + 10 * S, id: 2, name: 'Boris', auction: 102, reserve: 70 },
    ]);
  });
});
