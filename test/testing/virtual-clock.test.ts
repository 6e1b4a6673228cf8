import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';

describe('VirtualClock', () => {
  describe('constructor', () => {
    it('starts at 0, or at the given reading', () => {
      expect(new VirtualClock().now()).toBe(0);
      expect(new VirtualClock(1500).now()).toBe(1500);
    });

    it.each([-1, Number.NaN, Infinity])('throws InvalidOptionError naming `start` for %s', (start) => {
      expect(() => new VirtualClock(start)).toThrow(InvalidOptionError);
      expect(() => new VirtualClock(start)).toThrow(/`start`/);
    });
  });

  describe('advance', () => {
    it('fires timers in due order whatever order they were set in, each at its own due time', async () => {
      const clock = new VirtualClock();
      const fired: [string, number][] = [];
      clock.setTimeout(() => fired.push(['c', clock.now()]), 30);
      clock.setTimeout(() => fired.push(['a', clock.now()]), 10);
      clock.setTimeout(() => fired.push(['b', clock.now()]), 20);
      await clock.advance(100);
      expect(fired).toEqual([
        ['a', 10],
        ['b', 20],
        ['c', 30],
      ]);
      expect(clock.now()).toBe(100);
    });

    it('fires timers due at the same time in the order they were set', async () => {
      const clock = new VirtualClock();
      const fired: number[] = [];
      for (let i = 0; i < 5; i++) clock.setTimeout(() => fired.push(i), 5);
      clock.setTimeout(() => fired.push(-1), 4);
      await clock.advance(5);
      expect(fired).toEqual([-1, 0, 1, 2, 3, 4]);
    });

    it('fires nothing before the due time and leaves later timers pending', async () => {
      const clock = new VirtualClock(1000);
      const fired: number[] = [];
      clock.setTimeout(() => fired.push(1), 5);
      clock.setTimeout(() => fired.push(2), 9);
      await clock.advance(4);
      expect(fired).toEqual([]);
      await clock.advance(1);
      expect(fired).toEqual([1]);
      expect(clock.now()).toBe(1005);
      expect(clock.pendingTimers).toBe(1);
      await clock.advance(4);
      expect(fired).toEqual([1, 2]);
    });

    it('fires timers set with or without keepAlive alike', async () => {
      const clock = new VirtualClock();
      const fired: string[] = [];
      clock.setTimeout(() => fired.push('housekeeping'), 10, { keepAlive: false });
      clock.setTimeout(() => fired.push('work'), 10, { keepAlive: true });
      await clock.advance(10);
      expect(fired).toEqual(['housekeeping', 'work']);
    });

    it('fires a timer with a zero or negative delay on advance(0)', async () => {
      const clock = new VirtualClock();
      const fired: number[] = [];
      clock.setTimeout(() => fired.push(0), 0);
      clock.setTimeout(() => fired.push(-5), -5);
      expect(fired).toEqual([]);
      await clock.advance(0);
      expect(fired).toEqual([0, -5]);
      expect(clock.now()).toBe(0);
    });

    it('fires a timer set by a callback when it falls due within the same advance', async () => {
      const clock = new VirtualClock();
      const fired: [string, number][] = [];
      clock.setTimeout(() => {
        fired.push(['first', clock.now()]);
        clock.setTimeout(() => fired.push(['chained', clock.now()]), 15);
        clock.setTimeout(() => fired.push(['beyond', clock.now()]), 500);
      }, 10);
      clock.setTimeout(() => fired.push(['other', clock.now()]), 20);
      await clock.advance(100);
      expect(fired).toEqual([
        ['first', 10],
        ['other', 20],
        ['chained', 25],
      ]);
      expect(clock.pendingTimers).toBe(1);
    });

    it('lets promise callbacks queued by one timer run before the next timer fires', async () => {
      const clock = new VirtualClock();
      const log: string[] = [];
      clock.setTimeout(() => {
        log.push('timer 1');
        void Promise.resolve()
          .then(() => log.push('microtask 1'))
          .then(() => log.push('microtask 2'));
      }, 1);
      clock.setTimeout(() => log.push('timer 2'), 2);
      await clock.advance(2);
      expect(log).toEqual(['timer 1', 'microtask 1', 'microtask 2', 'timer 2']);
    });

    it.each([-1, Number.NaN, Infinity])('rejects with InvalidOptionError naming `ms` for %s and keeps the time', async (ms) => {
      const clock = new VirtualClock(10);
      const fired: number[] = [];
      clock.setTimeout(() => fired.push(1), 0);
      const error = await clock.advance(ms).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect(error).toMatchObject({ option: 'ms' });
      expect(clock.now()).toBe(10);
      expect(fired).toEqual([]);
    });
  });

  describe('clearTimeout', () => {
    it('cancels a pending timer so it never fires', async () => {
      const clock = new VirtualClock();
      const fired: string[] = [];
      const cancelled = clock.setTimeout(() => fired.push('cancelled'), 1);
      clock.setTimeout(() => fired.push('kept'), 1);
      clock.clearTimeout(cancelled);
      await clock.advance(10);
      expect(fired).toEqual(['kept']);
    });

    it('lets a callback cancel a later timer due in the same advance', async () => {
      const clock = new VirtualClock();
      const fired: string[] = [];
      const later = clock.setTimeout(() => fired.push('later'), 2);
      clock.setTimeout(() => {
        fired.push('first');
        clock.clearTimeout(later);
      }, 1);
      await clock.advance(30);
      expect(fired).toEqual(['first']);
    });

    it('is a no-op for a timer that has fired or an unknown handle', async () => {
      const clock = new VirtualClock();
      const fired: number[] = [];
      const handle = clock.setTimeout(() => fired.push(1), 1);
      clock.setTimeout(() => fired.push(2), 5);
      await clock.advance(1);
      clock.clearTimeout(handle);
      clock.clearTimeout({});
      clock.clearTimeout(undefined);
      expect(clock.pendingTimers).toBe(1);
      await clock.advance(10);
      expect(fired).toEqual([1, 2]);
    });
  });

  describe('pendingTimers', () => {
    it('counts timers set and neither fired nor cleared', async () => {
      const clock = new VirtualClock();
      expect(clock.pendingTimers).toBe(0);
      const a = clock.setTimeout(() => undefined, 1);
      clock.setTimeout(() => undefined, 2);
      clock.setTimeout(() => undefined, 3);
      expect(clock.pendingTimers).toBe(3);
      clock.clearTimeout(a);
      expect(clock.pendingTimers).toBe(2);
      await clock.advance(2);
      expect(clock.pendingTimers).toBe(1);
      await clock.advance(1);
      expect(clock.pendingTimers).toBe(0);
    });
  });

  describe('nextDue', () => {
    it('says when the earliest pending timer falls due, or undefined when none is pending', async () => {
      const clock = new VirtualClock(100);
      expect(clock.nextDue).toBeUndefined();
      const late = clock.setTimeout(() => undefined, 50);
      clock.setTimeout(() => undefined, 20);
      expect(clock.nextDue).toBe(120);
      await clock.advance(20);
      expect(clock.nextDue).toBe(150);
      clock.clearTimeout(late);
      expect(clock.nextDue).toBeUndefined();
    });
  });
});
