import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/index.js';

/** A timer of `systemClock`, as the Node.js timer it is. */
function nodeTimer(handle: unknown): NodeJS.Timeout {
  return handle as NodeJS.Timeout;
}

describe('systemClock', () => {
  describe('setTimeout', () => {
    it('sets a timer that keeps the process alive by default, as Node does', () => {
      const timer = nodeTimer(systemClock.setTimeout(() => undefined, 60_000));
      try {
        expect(timer.hasRef()).toBe(true);
      } finally {
        systemClock.clearTimeout(timer);
      }
    });

    it('sets a timer that keeps the process alive with keepAlive true, and one that does not with keepAlive false', () => {
      const kept = nodeTimer(systemClock.setTimeout(() => undefined, 60_000, { keepAlive: true }));
      const housekeeping = nodeTimer(systemClock.setTimeout(() => undefined, 60_000, { keepAlive: false }));
      try {
        expect(kept.hasRef()).toBe(true);
        expect(housekeeping.hasRef()).toBe(false);
      } finally {
        systemClock.clearTimeout(kept);
        systemClock.clearTimeout(housekeeping);
      }
    });
  });
});
