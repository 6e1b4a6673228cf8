import { describe, expect, it } from 'vitest';
import { DEFAULT_NEXMARK_CONFIG, resolveNexmarkConfig, type NexmarkOptions } from '../../bench/nexmark/config.js';
import { InvalidOptionError } from '../../src/index.js';

describe('resolveNexmarkConfig', () => {
  it('fills in the defaults', () => {
    expect(resolveNexmarkConfig()).toEqual(DEFAULT_NEXMARK_CONFIG);
    expect(resolveNexmarkConfig({ maxDelayMs: undefined })).toEqual(DEFAULT_NEXMARK_CONFIG);
  });

  it('keeps what is given', () => {
    expect(resolveNexmarkConfig({ eventsPerSecond: 1000, seed: -3 })).toMatchObject({ eventsPerSecond: 1000, seed: -3, maxDelayMs: 3000 });
  });

  it('returns a frozen config', () => {
    expect(Object.isFrozen(resolveNexmarkConfig({ seed: 1 }))).toBe(true);
  });

  it.each<[keyof NexmarkOptions, unknown]>([
    ['seed', 1.5],
    ['baseTime', '0'],
    ['eventsPerSecond', 0],
    ['eventsPerSecond', Infinity],
    ['delayedFraction', 1.5],
    ['delayedFraction', Number.NaN],
    ['maxDelayMs', -1],
    ['extraLength', 2.5],
    ['hotAuctionRatio', 0],
    ['hotSellersRatio', 1.5],
    ['hotBiddersRatio', -4],
    ['numActivePeople', 0],
    ['numInFlightAuctions', null],
  ])('rejects %s = %s, naming it', (option, value) => {
    expect(() => resolveNexmarkConfig({ [option]: value } as NexmarkOptions)).toThrow(
      expect.objectContaining({ option, received: value }) as InvalidOptionError,
    );
  });

  it('rejects an option it does not know', () => {
    expect(() => resolveNexmarkConfig({ rate: 5 } as NexmarkOptions)).toThrow(/Expected `rate` to be a Nexmark option/);
  });
});
