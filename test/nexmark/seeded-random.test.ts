import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { SeededRandom, eventSeed } from '../../bench/nexmark/internal/seeded-random.js';
import { mulberry32 } from '../../src/internal/mulberry32.js';

describe('SeededRandom', () => {
  describe('next', () => {
    it.prop([fc.integer()])('draws the same sequence as mulberry32 for the same seed', (seed) => {
      const ours = new SeededRandom(seed);
      const theirs = mulberry32(seed);
      for (let i = 0; i < 20; i++) expect(ours.next()).toBe(theirs());
    });
  });

  describe('reseed', () => {
    it.prop([fc.integer(), fc.integer(), fc.nat(10)])('starts the sequence of the new seed whatever was drawn before', (first, second, drawn) => {
      const random = new SeededRandom(first);
      for (let i = 0; i < drawn; i++) random.next();
      random.reseed(second);
      const fresh = new SeededRandom(second);
      expect([random.next(), random.next()]).toEqual([fresh.next(), fresh.next()]);
    });
  });

  describe('int', () => {
    it.prop([fc.integer(), fc.integer({ min: 1, max: 2 ** 32 })])('stays in [0, bound)', (seed, bound) => {
      const random = new SeededRandom(seed);
      for (let i = 0; i < 20; i++) {
        const value = random.int(bound);
        expect(Number.isInteger(value) && value >= 0 && value < bound).toBe(true);
      }
    });

    it('spreads evenly enough over a small bound', () => {
      const random = new SeededRandom(7);
      const counts = [0, 0, 0, 0];
      for (let i = 0; i < 40_000; i++) counts[random.int(4)]! += 1;
      for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    });
  });
});

describe('eventSeed', () => {
  it('differs for event numbers 2^32 apart', () => {
    expect(eventSeed(5, 0)).not.toBe(eventSeed(5 + 2 ** 32, 0));
  });

  it('differs between stream seeds', () => {
    expect(eventSeed(5, 1)).not.toBe(eventSeed(5, 2));
  });

  it('is a 32-bit integer', () => {
    for (const n of [0, 1, 2 ** 31, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]) expect(eventSeed(n, 3) | 0).toBe(eventSeed(n, 3));
  });
});
